import type { Context } from '../context.js';
import type { LiveEvent } from '../datasources/live/events.js';
import { LiveCapacityError } from '../datasources/live/registry.js';
import { UpstreamHttpError } from '../datasources/polytomic/errors.js';
import { clientError, ErrorCode, unauthenticated } from '../errors.js';
import { builder } from './builder.js';
import { BulkSyncRef, type BulkSyncShape } from './bulk-sync.js';
import { cost } from './costs.js';
import { checkIds } from './sync-ids.js';
import { toClientError } from './upstream-errors.js';

builder.subscriptionType({ description: 'Live bulk sync status, pushed when it changes.' });

// Per event: the status comes with it; a sync's own fields come from the catalogue's cache.
const PER_EVENT = cost({ provides: ['status'] });

builder.subscriptionFields((t) => ({
  bulkSync: t.field({
    type: BulkSyncRef,
    nullable: false,
    description:
      'Live view of one sync: emitted once on subscribe, then each time the data this subscriber selected changes.',
    args: { id: t.arg.id({ required: true, description: 'The bulk sync id (a UUID).' }) },
    extensions: PER_EVENT,
    subscribe: (_root, { id }, context) => subscribeTo(context, [id]),
    resolve: (event, { id }) => fromEvent(event, [id]),
  }),
  bulkSyncChanges: t.field({
    type: BulkSyncRef,
    nullable: false,
    description:
      'Live view of many syncs over one subscription: each sync once on subscribe, then each sync whose selected data changes.',
    args: {
      ids: t.arg.idList({
        required: true,
        description: 'Bulk sync ids (UUIDs), at most MAX_IDS_PER_REQUEST.',
      }),
    },
    extensions: PER_EVENT,
    subscribe: (_root, { ids }, context) => subscribeTo(context, ids),
    resolve: (event, { ids }) => fromEvent(event, ids),
  }),
}));

/** Validates before anything is watched, then joins (or starts) one poller per sync. */
function subscribeTo(context: Context, ids: readonly string[]): AsyncIterable<LiveEvent> {
  if (!context.watch) throw unauthenticated();
  checkIds(ids, context.maxIdsPerRequest);
  try {
    return context.watch(ids);
  } catch (error) {
    if (!(error instanceof LiveCapacityError)) throw error;
    throw clientError(ErrorCode.UPSTREAM_UNAVAILABLE, `${error.message}.`);
  }
}

/** One event → the subscriber's BulkSync, or the error that ends that sync's watch. */
function fromEvent(event: LiveEvent, asked: readonly string[]): BulkSyncShape {
  const id = asked.find((candidate) => candidate.toLowerCase() === event.syncId) ?? event.syncId;
  if ('endedWith' in event) {
    const { message, extensions } = toClientError(
      new UpstreamHttpError(event.endedWith.statusCode),
      id,
    );
    // The error's path is the subscription field: in bulkSyncChanges only this says which
    // sync's stream has ended (a 401's message names none).
    throw clientError(extensions['code'] as ErrorCode, message, { ...extensions, syncId: id });
  }
  return { id, snapshot: event.snapshot };
}
