import { createGraphQLError } from 'graphql-yoga';
import type { Context } from '../context.js';
import { watchSyncs } from '../datasources/live/channel.js';
import type { LiveEvent } from '../datasources/live/events.js';
import { LiveCapacityError } from '../datasources/live/registry.js';
import { PolytomicError, UpstreamHttpError } from '../datasources/polytomic/errors.js';
import type { Snapshot } from '../datasources/polytomic/types.js';
import { builder } from './builder.js';
import { BulkSyncStatusRef } from './bulk-sync-status.js';
import { clientError, ErrorCode, toClientError, unauthenticated } from './errors.js';

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Rejects a whole id list before any upstream call: empty, too long, or with a malformed id.
 * Bad input never costs an upstream call.
 */
export function checkIds(ids: readonly string[], max: number): void {
  if (ids.length === 0) throw clientError(ErrorCode.BAD_USER_INPUT, 'ids must not be empty.');
  if (ids.length > max) {
    throw clientError(
      ErrorCode.BAD_USER_INPUT,
      `ids may hold at most ${max} ids; got ${ids.length}.`,
    );
  }
  for (const id of ids) checkId(id);
}

/** Whether {@link checkIds} accepts `ids`: the early fetch starts calls only for such lists. */
export function idsAcceptable(ids: readonly string[], max: number): boolean {
  try {
    checkIds(ids, max);
    return true;
  } catch {
    return false;
  }
}

/** Whether `id` has the form of a bulk sync id (a UUID). */
export function isSyncId(id: string): boolean {
  return UUID.test(id);
}

function checkId(id: unknown): asserts id is string {
  // An `_entities` representation is whatever JSON the router sent: its id may be no string.
  if (typeof id !== 'string') {
    throw clientError(ErrorCode.BAD_USER_INPUT, 'A bulk sync id must be a string (a UUID).');
  }
  if (!isSyncId(id)) {
    throw clientError(
      ErrorCode.BAD_USER_INPUT,
      `"${id.slice(0, 64)}" is not a bulk sync id (a UUID).`,
      {
        argumentValue: id.slice(0, 64),
      },
    );
  }
}

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
    const snapshot = await context.statuses.load(id);
    context.oldestFetchedAt = Math.min(
      context.oldestFetchedAt ?? snapshot.fetchedAt,
      snapshot.fetchedAt,
    );
    return { id, snapshot };
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
    resolve: (event, { id }, context) => fromEvent(event, [id], context),
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
    resolve: (event, { ids }, context) => fromEvent(event, ids, context),
  }),
}));

/** Validates before anything is watched, then joins (or starts) one poller per sync. */
function subscribeTo(context: Context, ids: readonly string[]): AsyncIterable<LiveEvent> {
  if (!context.authorization) throw unauthenticated();
  checkIds(ids, context.maxIdsPerRequest);
  try {
    return watchSyncs(context.live, ids, context.authorization);
  } catch (error) {
    if (!(error instanceof LiveCapacityError)) throw error;
    throw clientError(ErrorCode.UPSTREAM_UNAVAILABLE, `${error.message}.`);
  }
}

/** One event → the subscriber's BulkSync, or the error that ends that sync's watch. */
function fromEvent(event: LiveEvent, asked: readonly string[], context: Context): BulkSyncShape {
  context.liveSyncId = event.syncId;
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
