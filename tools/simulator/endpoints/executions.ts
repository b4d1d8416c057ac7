import { isLegacyVersion } from '../catalogue.js';
import { apiErrorReply, jsonReply, type Reply } from '../http-util.js';
import { ascending, boolParam, descending, limitParam, paginate } from '../paging.js';
import { isFinished } from '../run.js';
import { envelopeOf } from '../sync-definition.js';
import { runningEntry, type StartPlan, type SyncState, startRun, timeline } from '../timeline.js';
import type {
  BulkFetchMode,
  BulkResyncMode,
  ListBulkSyncExecutionsEnvelope,
} from '../wire-types.js';
import { invalid, jsonObject, oneOf } from './body.js';
import { type Call, isReply, type SimContext, UUID, visibleSync } from './context.js';

/** Page size of the execution list when `limit` is absent (Polytomic documents only the cap). */
export const EXECUTIONS_PAGE_SIZE = 50;
const MAX_EXECUTIONS_PAGE = 100;

/**
 * GET /api/bulk/syncs/{id}/executions: newest first by start time; `only_terminal=true` keeps
 * finished runs, newest first by `updated_at`; `ascending=true` walks from the oldest. Items
 * carry no per-schema breakdown (`schemas: null`): Polytomic sends that with a single execution.
 * The last page has `pagination: {next_page_token: ''}`.
 */
export function listExecutions(ctx: SimContext, call: Call, syncId: string): Reply {
  const sync = visibleSync(ctx, call, syncId);
  if (isReply(sync)) return sync;
  const onlyTerminal = boolParam(call.query, 'only_terminal') ?? false;
  const oldestFirst = boolParam(call.query, 'ascending') ?? false;
  const limit = limitParam(call.query, EXECUTIONS_PAGE_SIZE, MAX_EXECUTIONS_PAGE);
  const entries = timeline(sync, ctx.now())
    .filter((e) => !onlyTerminal || isFinished(e.execution))
    .map((e) => ({
      execution: e.execution,
      key: onlyTerminal ? Date.parse(e.execution.updated_at) : e.start,
    }));
  const order = oldestFirst ? ascending : descending;
  const cursorOf = (e: (typeof entries)[number]) => ({ key: e.key, id: e.execution.id });
  entries.sort((a, b) => order(cursorOf(a), cursorOf(b)));
  const page = paginate({
    items: entries,
    cursorOf,
    order,
    listing: `executions/${onlyTerminal}/${oldestFirst}`,
    token: call.query.get('page_token'),
    limit,
  });
  const body: ListBulkSyncExecutionsEnvelope = {
    data: page.items.map((e) => ({ ...e.execution, schemas: null })),
    pagination: { next_page_token: page.nextToken ?? '' },
  };
  return jsonReply(200, body);
}

/** GET /api/bulk/syncs/{id}/executions/{exec_id}, with its per-schema breakdown. */
export function getExecution(
  ctx: SimContext,
  call: Call,
  syncId: string,
  executionId: string,
): Reply {
  const sync = visibleSync(ctx, call, syncId);
  if (isReply(sync)) return sync;
  if (!UUID.test(executionId)) return apiErrorReply(400, 'invalid execution id', 'bad_request');
  const found = timeline(sync, ctx.now()).find((e) => e.execution.id === executionId);
  if (found === undefined) return apiErrorReply(404, 'execution not found', 'not_found');
  return jsonReply(200, { data: found.execution });
}

const FETCH_MODES: readonly BulkFetchMode[] = ['none', 'incremental', 'full'];
const RESYNC_MODES: readonly BulkResyncMode[] = ['refetch', 'resync', 'rebuild'];

/** The start request's body as a plan, or the 400 / 422 it deserves. */
function startPlan(sync: SyncState, call: Call): StartPlan | Reply {
  const body = jsonObject(call.body);
  if (isReply(body)) return body;
  const fetchMode = oneOf(body, 'fetch_mode', FETCH_MODES);
  if (isReply(fetchMode)) return fetchMode;
  let resyncMode = oneOf(body, 'resync_mode', RESYNC_MODES);
  if (isReply(resyncMode)) return resyncMode;
  const { test = null, schemas = null, resync } = body;
  if (test !== null && typeof test !== 'boolean') return invalid('test must be a boolean');
  if (resync !== undefined) {
    // The legacy boolean: refused by 2025-09-18, `resync_mode: rebuild` before it.
    if (!isLegacyVersion(call.version)) {
      return apiErrorReply(400, 'resync is no longer accepted; send resync_mode', 'bad_request');
    }
    if (typeof resync !== 'boolean') return invalid('resync must be a boolean');
    if (resync) resyncMode ??= 'rebuild';
  }
  if (test === true && resyncMode !== undefined) {
    return apiErrorReply(400, 'test and resync_mode cannot be combined', 'bad_request');
  }
  if (
    schemas !== null &&
    !(Array.isArray(schemas) && schemas.every((s) => typeof s === 'string'))
  ) {
    return invalid('schemas must be a list of schema ids');
  }
  const known = new Set(sync.def.manual.schemas.map((s) => s.schema));
  const unknown = (schemas ?? []).find((s: string) => !known.has(s));
  if (unknown !== undefined) return invalid(`unknown schema: ${unknown}`);
  return {
    test: test === true,
    ...(fetchMode === undefined ? {} : { fetchMode }),
    ...(resyncMode === undefined ? {} : { resyncMode }),
    // An empty list, like null, means every schema.
    ...(schemas === null || schemas.length === 0 ? {} : { schemas: schemas as string[] }),
  };
}

/** Whether something runs: a `setStatus` override decides for its sync, else the timeline. */
function isRunning(ctx: SimContext, sync: SyncState): boolean {
  const override = ctx.overrides.get(sync.id);
  if (override !== undefined) return envelopeOf(override)?.data?.current_execution !== undefined;
  return runningEntry(sync, ctx.now()) !== undefined;
}

/** POST /api/bulk/syncs/{id}/executions: starts a run, or 409 while one runs. */
export function startExecution(ctx: SimContext, call: Call, syncId: string): Reply {
  const sync = visibleSync(ctx, call, syncId);
  if (isReply(sync)) return sync;
  const plan = startPlan(sync, call);
  if (isReply(plan)) return plan;
  if (isRunning(ctx, sync)) {
    return apiErrorReply(409, 'an execution is already running', 'conflict');
  }
  return jsonReply(200, { data: startRun(sync, plan, ctx.now()) });
}
