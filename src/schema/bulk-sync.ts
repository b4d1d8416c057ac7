import { createGraphQLError } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { LiveEvent } from '../datasources/live/events.js';
import { LiveCapacityError } from '../datasources/live/registry.js';
import { PolytomicError, UpstreamHttpError } from '../datasources/polytomic/errors.js';
import type { Snapshot } from '../datasources/polytomic/types.js';
import { clientError, ErrorCode, unauthenticated } from '../errors.js';
import { builder } from './builder.js';
import { BulkSyncStatusRef } from './bulk-sync-status.js';
import { checkId, checkIds } from './sync-ids.js';
import { toClientError } from './upstream-errors.js';

/** A sync as the schema sees it: its id and the status snapshot it was loaded with. */
export interface BulkSyncShape {
  id: string;
  snapshot: Snapshot;
}

export const BulkSyncRef = builder.objectRef<BulkSyncShape>('BulkSync').implement({
  description:
    'A Polytomic bulk sync (a source-to-destination ELT pipeline). Entity: other subgraphs may reference it by id.',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false, description: "The bulk sync's id (a UUID)." }),
    status: t.expose('snapshot', {
      type: BulkSyncStatusRef,
      description: "Status from the status endpoint; null, with an error, where it can't be read.",
    }),
  }),
});

builder.asEntity(BulkSyncRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, context) => loadEntry(context, id),
});

builder.queryFields((t) => ({
  bulkSync: t.field({
    type: BulkSyncRef,
    description:
      'One bulk sync by id. null, with a NOT_FOUND error, when Polytomic does not know it.',
    args: { id: t.arg.id({ required: true, description: 'The bulk sync id (a UUID).' }) },
    resolve: (_root, { id }, context) => loadSync(context, id),
  }),
  bulkSyncs: t.field({
    type: [BulkSyncRef],
    nullable: { list: false, items: true },
    description:
      "Several bulk syncs in one round trip, in the order asked; an entry is null (with an error) where that sync can't be read.",
    args: {
      ids: t.arg.idList({
        required: true,
        description:
          'Bulk sync ids (UUIDs), at most MAX_IDS_PER_REQUEST; repeats are fetched once.',
      }),
    },
    resolve: (_root, { ids }, context) => {
      checkIds(ids, context.maxIdsPerRequest);
      return ids.map((id) => loadEntry(context, id));
    },
  }),
}));

/**
 * One entry of a list (`bulkSyncs`, `_entities`): the sync, or its error as a value. graphql-jit
 * appends the null of a *rejected* list item instead of writing it at the item's index, so a
 * list whose failing entry settles first came back short (and a router then dropped the whole
 * `_entities` answer); an Error value is placed at its index by graphql-js and graphql-jit alike.
 */
function loadEntry(context: Context, id: string): Promise<BulkSyncShape> {
  return loadSync(context, id).catch(
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))) as never,
  );
}

/** Loads one sync through the operation's loader; every failure leaves with a contract code. */
export async function loadSync(context: Context, id: unknown): Promise<BulkSyncShape> {
  if (!context.statuses) throw unauthenticated();
  checkId(id);
  try {
    return { id, snapshot: await context.statuses.load(id) };
  } catch (error) {
    if (error instanceof PolytomicError) {
      context
        .log()
        .warn({ syncId: id, cause: error.code, reason: error.message }, 'bulk sync unreadable');
    }
    throw toClientError(error, id);
  }
}

builder.subscriptionType({ description: 'Live bulk sync status, pushed when it changes.' });

builder.subscriptionFields((t) => ({
  bulkSync: t.field({
    type: BulkSyncRef,
    nullable: false,
    description:
      'Live view of one sync: emitted once on subscribe, then each time the data this subscriber selected changes.',
    args: { id: t.arg.id({ required: true, description: 'The bulk sync id (a UUID).' }) },
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
    throw createGraphQLError(message, { extensions: { ...extensions, syncId: id } });
  }
  return { id, snapshot: event.snapshot };
}
