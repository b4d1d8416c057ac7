import { canSee, type Visibility } from '../auth.js';
import type { EventLog } from '../events.js';
import { apiErrorReply, type Reply } from '../http-util.js';
import type { StatusBody } from '../sync-definition.js';
import type { SyncState } from '../timeline.js';
import type { OutputActor } from '../wire-types.js';

/** What every endpoint reads: the simulator's state and clock. */
export interface SimContext {
  readonly startedAt: number;
  now(): number;
  readonly syncs: ReadonlyMap<string, SyncState>;
  readonly overrides: ReadonlyMap<string, StatusBody>;
  /** Page size of the sync list; undefined: one page without `pagination`. */
  readonly listPageSize: number | undefined;
  readonly events: EventLog;
  /** Order of GET /api/events: `desc` is newest first. */
  readonly eventsOrder: 'asc' | 'desc';
}

/** One authenticated request, as the endpoints see it. */
export interface Call {
  query: URLSearchParams;
  /** `X-Polytomic-Version` asked for, or the default. */
  version: string;
  visibility: Visibility;
  /** Who the credential acts as, for `updated_by`. */
  actor: OutputActor;
  /** Raw request body ('' when none). */
  body: string;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The sync a per-sync route names, or the 400 / 404 Polytomic answers instead. */
export function visibleSync(ctx: SimContext, call: Call, syncId: string): SyncState | Reply {
  if (!UUID.test(syncId)) return apiErrorReply(400, 'invalid bulk sync id', 'bad_request');
  const sync = ctx.syncs.get(syncId);
  if (sync === undefined || !canSee(call.visibility, sync.id)) {
    return apiErrorReply(404, 'bulk sync not found', 'not_found');
  }
  return sync;
}

/** Syncs a credential sees, most recently updated first (id breaks ties, largest first). */
export function visibleSyncs(ctx: SimContext, visibility: Visibility): SyncState[] {
  return [...ctx.syncs.values()]
    .filter((s) => canSee(visibility, s.id))
    .sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : -1));
}

export function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && 'body' in value && 'headers' in value;
}
