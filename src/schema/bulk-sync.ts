import type { Context } from '../context.js';
import type { SyncStatus } from '../datasources/polytomic/types.js';
import { builder } from './builder.js';
import { BulkSyncStatusRef } from './bulk-sync-status.js';
import { clientError, ErrorCode, toClientError, unauthenticated } from './errors.js';

/** A sync as the schema sees it: its id and the status it was loaded with. */
export interface BulkSyncShape {
  id: string;
  status: SyncStatus;
}

export const BulkSyncRef = builder.objectRef<BulkSyncShape>('BulkSync').implement({
  description:
    'A Polytomic bulk sync (a source-to-destination ELT pipeline). Entity: other subgraphs may reference it by id.',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false, description: "The bulk sync's id (a UUID)." }),
    status: t.expose('status', {
      type: BulkSyncStatusRef,
      description: "Status from the status endpoint; null, with an error, where it can't be read.",
    }),
  }),
});

builder.asEntity(BulkSyncRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, context) => loadSync(context, id),
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
      return ids.map((id) => loadSync(context, id));
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

function checkId(id: string): void {
  if (!UUID.test(id)) {
    throw clientError(
      ErrorCode.BAD_USER_INPUT,
      `"${id.slice(0, 64)}" is not a bulk sync id (a UUID).`,
      {
        argumentValue: id.slice(0, 64),
      },
    );
  }
}

/** Loads one sync through the operation's loader; every failure leaves with a contract code. */
export async function loadSync(context: Context, id: string): Promise<BulkSyncShape> {
  if (!context.statuses) throw unauthenticated();
  checkId(id);
  try {
    return { id, status: await context.statuses.load(id) };
  } catch (error) {
    throw toClientError(error, id);
  }
}
