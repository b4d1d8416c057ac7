import { canSee } from '../auth.js';
import { apiErrorReply, jsonReply, type Reply } from '../http-util.js';
import { boolParam } from '../paging.js';
import { envelopeOf, type StatusBody } from '../sync-definition.js';
import { type SyncState, statusBody } from '../timeline.js';
import type {
  BulkSyncExecution,
  BulkSyncExecutionStatus,
  BulkSyncSchemaExecutionStatus,
} from '../wire-types.js';
import { type Call, isReply, type SimContext, UUID, visibleSync, visibleSyncs } from './context.js';

/** A sync's status body now: a `setStatus` override, else its own. */
export function currentStatus(ctx: SimContext, sync: SyncState): StatusBody {
  return ctx.overrides.get(sync.id) ?? statusBody(sync, ctx.startedAt, ctx.now());
}

/** GET /api/bulk/syncs/{id}/status. */
export function getStatus(ctx: SimContext, call: Call, syncId: string): Reply {
  const sync = visibleSync(ctx, call, syncId);
  if (isReply(sync)) return sync;
  return jsonReply(200, currentStatus(ctx, sync));
}

function schemaStatuses(execution: BulkSyncExecution | undefined): BulkSyncSchemaExecutionStatus[] {
  return (execution?.schemas ?? []).map((s) => ({
    schema: s.schema,
    execution_id: execution?.id ?? '',
    status: s.status,
    started_at: s.started_at,
    completed_at: s.completed_at,
    record_count: s.record_count,
    error_count: s.error_count,
    warning_count: s.warning_count,
    status_message: s.status_message,
  }));
}

/** One summary item: the newest execution's status, each schema once (running run first). */
function summary(ctx: SimContext, sync: SyncState): BulkSyncExecutionStatus {
  const data = envelopeOf(currentStatus(ctx, sync))?.data;
  const current = data?.current_execution;
  const last = data?.last_execution;
  const schemas = schemaStatuses(current);
  const seen = new Set(schemas.map((s) => s.schema));
  schemas.push(...schemaStatuses(last).filter((s) => !seen.has(s.schema)));
  const status = (current ?? last)?.status;
  return {
    sync_id: sync.id,
    ...(status === undefined ? {} : { status }),
    nextExecutionTime: data?.next_execution_time ?? null,
    schemas: schemas.length === 0 ? null : schemas,
  };
}

/**
 * GET /api/bulk/syncs/status: `all=true` or `active=true` widens to every sync the credential
 * sees and ignores `sync_id`; otherwise the repeatable `sync_id` names them, each once, in the
 * order asked. `active` then keeps active (true) or paused (false) ones.
 * An id that is not a uuid is a 400. An unknown id, or one the credential cannot see, is left
 * out rather than failing the whole summary (the simulator's choice: Polytomic documents a 404
 * for this endpoint without saying when; a client must cope with an item missing either way).
 */
export function getStatuses(ctx: SimContext, call: Call): Reply {
  const all = boolParam(call.query, 'all');
  const active = boolParam(call.query, 'active');
  let syncs: SyncState[];
  if (all === true || active === true) {
    syncs = visibleSyncs(ctx, call.visibility);
  } else {
    syncs = [];
    for (const raw of call.query.getAll('sync_id')) {
      const id = raw.toLowerCase();
      if (!UUID.test(id)) return apiErrorReply(400, 'invalid bulk sync id', 'bad_request');
      const sync = ctx.syncs.get(id);
      if (sync !== undefined && canSee(call.visibility, id) && !syncs.includes(sync)) {
        syncs.push(sync);
      }
    }
  }
  const items = syncs.filter((s) => active === undefined || s.active === active);
  return jsonReply(200, { data: items.map((s) => summary(ctx, s)) });
}
