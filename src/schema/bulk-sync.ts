import type { Context } from '../context.js';
import type { BulkSyncRecord } from '../datasources/polytomic/types.js';
import { ActorRef } from './actor.js';
import { builder } from './builder.js';
import { BulkSyncStatusRef } from './bulk-sync-status.js';
import { cost } from './costs.js';
import { DataConnectionRef } from './data-connection.js';
import { SyncMode } from './enums.js';
import { ScheduleRef } from './schedule.js';
import { checkIds, distinct } from './sync-ids.js';
import {
  asEntry,
  type BulkSyncShape,
  connectionOf,
  loadSync,
  recordOf,
  statusOf,
} from './sync-loading.js';
import { readableTime } from './upstream-values.js';

export type { BulkSyncShape } from './sync-loading.js';

/** Each of a sync's own fields is read from its one record, and fails alone when it can't be. */
const fromRecord =
  <T>(read: (record: BulkSyncRecord, context: Context) => T) =>
  async (sync: BulkSyncShape, _args: object, context: Context) =>
    read(await recordOf(sync, context), context);

const RECORD = { extensions: cost({ group: 'record' }) };
const RECORD_NOTE =
  "; this and the sync's other own fields come from GET /api/bulk/syncs/{id}, and each is null, with an error, where it can't be read.";

export const BulkSyncRef = builder.objectRef<BulkSyncShape>('BulkSync').implement({
  description:
    'A Polytomic bulk sync (a source-to-destination ELT pipeline). Entity: other subgraphs may reference it by id.',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false, description: "The bulk sync's id (a UUID)." }),
    status: t.field({
      type: BulkSyncStatusRef,
      description: "Status from the status endpoint; null, with an error, where it can't be read.",
      extensions: cost({ group: 'status' }),
      resolve: (sync, _args, context) => statusOf(sync, context),
    }),
    name: t.string({
      ...RECORD,
      description: `v2. The sync's name in Polytomic${RECORD_NOTE}`,
      resolve: fromRecord((record) => record.name),
    }),
    active: t.boolean({
      ...RECORD,
      description: 'v2. false when paused: a paused sync does not run on its schedule.',
      resolve: fromRecord((record) => record.active),
    }),
    mode: t.field({
      ...RECORD,
      type: SyncMode.ref,
      description: 'v2. Snapshot or replicate; UNKNOWN for a value this gateway does not know yet.',
      resolve: fromRecord(({ mode }) => (mode === null ? null : SyncMode.toValue(mode))),
    }),
    rawMode: t.string({
      ...RECORD,
      description: 'v2. The mode exactly as Polytomic sent it.',
      resolve: fromRecord((record) => record.mode),
    }),
    schedule: t.field({
      ...RECORD,
      type: ScheduleRef,
      description: "v2. The sync's main schedule.",
      resolve: fromRecord((record) => record.schedule),
    }),
    source: t.field({
      type: DataConnectionRef,
      description: 'v2. Where the data comes from.',
      extensions: cost({ group: 'record', calls: 1, provides: ['connection'] }),
      resolve: async (sync, _args, context) => {
        const { sourceConnectionId } = await recordOf(sync, context);
        return sourceConnectionId ? connectionOf(sourceConnectionId, context) : null;
      },
    }),
    destination: t.field({
      type: DataConnectionRef,
      description: 'v2. Where the data goes.',
      extensions: cost({ group: 'record', calls: 1, provides: ['connection'] }),
      resolve: async (sync, _args, context) => {
        const { destinationConnectionId } = await recordOf(sync, context);
        return destinationConnectionId ? connectionOf(destinationConnectionId, context) : null;
      },
    }),
    createdAt: t.field({
      ...RECORD,
      type: 'DateTime',
      description: 'v2. When the sync was created.',
      resolve: fromRecord((record, context) => readableTime(record, 'createdAt', context)),
    }),
    updatedAt: t.field({
      ...RECORD,
      type: 'DateTime',
      description: 'v2. When the sync was last changed.',
      resolve: fromRecord((record, context) => readableTime(record, 'updatedAt', context)),
    }),
    createdBy: t.field({
      ...RECORD,
      type: ActorRef,
      description: 'v2. Who created the sync.',
      resolve: fromRecord((record) => record.createdBy),
    }),
    updatedBy: t.field({
      ...RECORD,
      type: ActorRef,
      description: 'v2. Who last changed the sync.',
      resolve: fromRecord((record) => record.updatedBy),
    }),
  }),
});

builder.asEntity(BulkSyncRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, context) => asEntry(loadSync(context, id)),
});

builder.queryFields((t) => ({
  bulkSync: t.field({
    type: BulkSyncRef,
    description:
      'One bulk sync by id. null, with a NOT_FOUND error, when Polytomic does not know it.',
    args: { id: t.arg.id({ required: true, description: 'The bulk sync id (a UUID).' }) },
    extensions: cost({ calls: 1, provides: ['status'] }),
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
    extensions: cost({
      calls: ({ ids }) => distinct(ids),
      items: ({ ids }) => (Array.isArray(ids) ? ids.length : 1),
      provides: ['status'],
    }),
    resolve: (_root, { ids }, context) => {
      checkIds(ids, context.maxIdsPerRequest);
      return ids.map((id) => asEntry(loadSync(context, id)));
    },
  }),
}));
