import { jsonReply, type Reply } from '../http-util.js';
import { cancelRun, setActive } from '../timeline.js';
import type { ActivateSyncOutput, CancelBulkSyncResponse } from '../wire-types.js';
import { invalid, jsonObject } from './body.js';
import { type Call, isReply, type SimContext, visibleSync } from './context.js';

/**
 * POST /api/bulk/syncs/{id}/cancel: queues a cancel of the running execution. With nothing
 * running it still answers 200, with a message that says so (Polytomic documents no error).
 */
export function cancelSync(ctx: SimContext, call: Call, syncId: string): Reply {
  const sync = visibleSync(ctx, call, syncId);
  if (isReply(sync)) return sync;
  const body: CancelBulkSyncResponse = { message: cancelRun(sync, ctx.now()) };
  return jsonReply(200, { data: body });
}

/** POST /api/bulk/syncs/{id}/activate with `{active: boolean}`. */
export function activateSync(ctx: SimContext, call: Call, syncId: string): Reply {
  const sync = visibleSync(ctx, call, syncId);
  if (isReply(sync)) return sync;
  const body = jsonObject(call.body);
  if (isReply(body)) return body;
  if (typeof body['active'] !== 'boolean')
    return invalid('active is required and must be a boolean');
  setActive(sync, body['active'], call.actor, ctx.now());
  const output: ActivateSyncOutput = { id: sync.id, active: sync.active };
  return jsonReply(200, { data: output });
}
