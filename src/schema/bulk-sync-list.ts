import { z } from 'zod';
import { MAX_LIST_PAGES } from '../datasources/catalogue-store.js';
import { clientError, ErrorCode, unauthenticated } from '../errors.js';
import { builder } from './builder.js';
import { BulkSyncRef } from './bulk-sync.js';
import { cost } from './costs.js';
import { cursors, pageSize, relayConnection } from './pagination.js';
import { toClientError } from './upstream-errors.js';

const BulkSyncConnectionRef = relayConnection(
  'BulkSync',
  BulkSyncRef,
  {
    connection: 'v2. A page of the syncs a credential can see.',
    edge: 'v2. One sync of a listing, with the cursor just after it.',
    node: 'The sync.',
  },
  // Each sync of a listing arrives with its own record.
  cost({ provides: ['record'] }),
);

/** Where a listing's page ends: the last sync, and where it was, in case it is gone next time. */
const listCursor = cursors(
  'syncs',
  z.object({ active: z.boolean().nullable(), id: z.string(), index: z.number().int().min(0) }),
);

builder.queryFields((t) => ({
  allBulkSyncs: t.field({
    type: BulkSyncConnectionRef,
    nullable: false,
    description:
      'v2. Every bulk sync the credential can see, most recently updated first (Relay connection). active: true = running on schedule only, false = paused only, omitted = both.',
    args: {
      active: t.arg.boolean({ description: 'true: active only; false: paused only.' }),
      first: t.arg.int({ defaultValue: 50, description: 'Page size, 1 to 100.' }),
      after: t.arg.string({ description: 'The endCursor of the previous page.' }),
    },
    // One listing, at most MAX_LIST_PAGES calls (cached per credential for CATALOG_TTL_MS); each
    // sync arrives with its own record.
    extensions: cost({ calls: MAX_LIST_PAGES, items: ({ first }) => Number(first ?? 50) }),
    resolve: async (_root, { active, first, after }, context) => {
      const size = pageSize(first, 50);
      const filter = active ?? null;
      const from = listCursor.decode(after);
      if (from && from.active !== filter) {
        throw clientError(ErrorCode.BAD_USER_INPUT, 'after is a cursor of another filter.');
      }
      if (!context.catalogue) throw unauthenticated();
      const records = await context.catalogue.list(active ?? undefined).catch((error: unknown) => {
        throw toClientError(error, '', { what: 'the list of bulk syncs', request: 'request' });
      });
      // Resume after the sync the last page ended with; if it is gone, where it was.
      const found = from ? records.findIndex((record) => record.id === from.id) : -1;
      const start = from ? (found >= 0 ? found + 1 : Math.min(from.index, records.length)) : 0;
      const edges = records.slice(start, start + size).map((record, offset) => ({
        cursor: listCursor.encode({ active: filter, id: record.id, index: start + offset + 1 }),
        node: { id: record.id, record },
      }));
      return {
        edges,
        pageInfo: {
          hasNextPage: start + size < records.length,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
}));
