import { canSee } from '../auth.js';
import { syncResponse } from '../catalogue.js';
import { connectionResponse } from '../connections.js';
import { apiErrorReply, jsonReply, type Reply } from '../http-util.js';
import { boolParam, descending, limitParam, paginate } from '../paging.js';
import type { BulkSyncListEnvelope } from '../wire-types.js';
import { type Call, isReply, type SimContext, UUID, visibleSync, visibleSyncs } from './context.js';

/** Largest page of the sync list (Polytomic's documented default and maximum). */
const MAX_LIST_PAGE = 50;

/**
 * GET /api/bulk/syncs. One page without `pagination` (what the SDK envelope declares) unless
 * the simulator has a `listPageSize`; then it pages, and the last page has `pagination: {}`.
 */
export function listSyncs(ctx: SimContext, call: Call): Reply {
  const active = boolParam(call.query, 'active');
  const syncs = visibleSyncs(ctx, call.visibility).filter(
    (s) => active === undefined || s.active === active,
  );
  if (ctx.listPageSize === undefined) {
    const body: BulkSyncListEnvelope = { data: syncs.map((s) => syncResponse(s, call.version)) };
    return jsonReply(200, body);
  }
  const page = paginate({
    items: syncs,
    cursorOf: (s) => ({ key: s.updatedAt, id: s.id }),
    order: descending,
    listing: `syncs/${active ?? 'all'}`,
    token: call.query.get('page_token'),
    limit: limitParam(call.query, ctx.listPageSize, MAX_LIST_PAGE),
  });
  const body: BulkSyncListEnvelope = {
    data: page.items.map((s) => syncResponse(s, call.version)),
    pagination: page.nextToken === undefined ? {} : { next_page_token: page.nextToken },
  };
  return jsonReply(200, body);
}

/** GET /api/bulk/syncs/{id}. */
export function getSync(ctx: SimContext, call: Call, syncId: string): Reply {
  const sync = visibleSync(ctx, call, syncId);
  if (isReply(sync)) return sync;
  return jsonReply(200, { data: syncResponse(sync, call.version) });
}

/** GET /api/connections/{id}: a credential sees the connections of the syncs it sees. */
export function getConnection(ctx: SimContext, call: Call, connectionId: string): Reply {
  if (!UUID.test(connectionId)) return apiErrorReply(400, 'invalid connection id', 'bad_request');
  const used = [...ctx.syncs.values()].some(
    (s) =>
      canSee(call.visibility, s.id) &&
      (s.entry.source === connectionId || s.entry.destination === connectionId),
  );
  const connection = connectionResponse(connectionId, ctx.startedAt);
  if (connection === undefined || (call.visibility !== 'all' && !used)) {
    return apiErrorReply(404, 'connection not found', 'not_found');
  }
  return jsonReply(200, { data: connection });
}
