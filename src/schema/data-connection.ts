import type { DataConnectionRecord } from '../datasources/polytomic/types.js';
import { builder } from './builder.js';
import { cost } from './costs.js';
import { checkId } from './sync-ids.js';
import { asEntry, connectionOf } from './sync-loading.js';

const CONNECTION = { extensions: cost({ group: 'connection' }) };

export const DataConnectionRef = builder
  .objectRef<DataConnectionRecord>('DataConnection')
  .implement({
    description:
      'v2. A Polytomic connection: a configured source or destination system (called DataConnection here so that it is not taken for a Relay connection). Entity: other subgraphs may reference it by id.',
    fields: (t) => ({
      id: t.exposeID('id', { nullable: false, description: "The connection's id." }),
      name: t.exposeString('name', { ...CONNECTION, description: 'Its name in Polytomic.' }),
      type: t.exposeString('type', {
        ...CONNECTION,
        description:
          "The kind of system: Polytomic's connection type id (e.g. postgresql, snowflake).",
      }),
      typeName: t.exposeString('typeName', {
        ...CONNECTION,
        description: 'The kind of system as Polytomic displays it (e.g. PostgreSQL).',
      }),
      logoUrl: t.exposeString('logoUrl', {
        ...CONNECTION,
        description: "Polytomic's logo URL for the kind of system.",
      }),
      status: t.exposeString('status', {
        ...CONNECTION,
        description: "The connection's health as Polytomic sends it (free text upstream).",
      }),
      statusError: t.exposeString('statusError', {
        ...CONNECTION,
        description: 'Why the connection is unhealthy, when it is.',
      }),
    }),
  });

builder.asEntity(DataConnectionRef, {
  key: builder.selection<{ id: string }>('id'),
  // Every failure is this entry's own (asEntry), never the whole `_entities` list's; a copy,
  // because @apollo/subgraph marks each entity with its __typename and records are frozen.
  resolveReference: ({ id }, context) =>
    asEntry(
      (async () => {
        checkId(id, 'connection');
        return { ...(await connectionOf(id, context)) };
      })(),
    ),
});

builder.queryFields((t) => ({
  dataConnection: t.field({
    type: DataConnectionRef,
    description: 'v2. One Polytomic connection (a configured source or destination system) by id.',
    args: { id: t.arg.id({ required: true, description: 'The connection id (a UUID).' }) },
    extensions: cost({ calls: 1, provides: ['connection'] }),
    resolve: (_root, { id }, context) => {
      checkId(id, 'connection');
      return connectionOf(id, context);
    },
  }),
}));
