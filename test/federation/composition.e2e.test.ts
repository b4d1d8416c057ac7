import { composeServices as composeGuild } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BULK_SYNC_SUBGRAPH,
  committedSdl,
  composeApollo,
  fetchSdl,
  PIPELINE_SDL,
  PIPELINE_SUBGRAPH,
  type SupergraphSummary,
  summarizeSupergraph,
} from '../utils/federation.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

const BULK_SYNC_URL = 'http://polytomic.test/graphql';
const PIPELINE_URL = 'http://pipelines.test/graphql';

/** What both composers must say about the types the two subgraphs share or own. */
const EXPECTED: SupergraphSummary = {
  graphs: {
    PIPELINES: `"${PIPELINE_SUBGRAPH}" "${PIPELINE_URL}"`,
    POLYTOMIC: `"${BULK_SYNC_SUBGRAPH}" "${BULK_SYNC_URL}"`,
  },
  types: {
    BulkSync: {
      // Owned (resolvable) by this subgraph; only referenced by the Pipeline one.
      joins: [
        '@join__type(graph: PIPELINES, key: "id", resolvable: false)',
        '@join__type(graph: POLYTOMIC, key: "id")',
      ],
      fields: {
        id: 'ID!',
        status: 'BulkSyncStatus @join__field(graph: POLYTOMIC)',
        // v2: the sync's own fields, its connections and history.
        name: 'String @join__field(graph: POLYTOMIC)',
        active: 'Boolean @join__field(graph: POLYTOMIC)',
        mode: 'SyncMode @join__field(graph: POLYTOMIC)',
        rawMode: 'String @join__field(graph: POLYTOMIC)',
        schedule: 'Schedule @join__field(graph: POLYTOMIC)',
        source: 'DataConnection @join__field(graph: POLYTOMIC)',
        destination: 'DataConnection @join__field(graph: POLYTOMIC)',
        createdAt: 'DateTime @join__field(graph: POLYTOMIC)',
        updatedAt: 'DateTime @join__field(graph: POLYTOMIC)',
        createdBy: 'Actor @join__field(graph: POLYTOMIC)',
        updatedBy: 'Actor @join__field(graph: POLYTOMIC)',
        executions: 'ExecutionConnection @join__field(graph: POLYTOMIC)',
        execution: 'Execution @join__field(graph: POLYTOMIC)',
      },
    },
    DataConnection: {
      joins: ['@join__type(graph: POLYTOMIC, key: "id")'],
      fields: {
        id: 'ID!',
        name: 'String',
        type: 'String',
        typeName: 'String',
        logoUrl: 'String',
        status: 'String',
        statusError: 'String',
      },
    },
    Pipeline: {
      joins: ['@join__type(graph: PIPELINES, key: "id")'],
      fields: { id: 'ID!', name: 'String!', bulkSync: 'BulkSync' },
    },
    Query: {
      joins: ['@join__type(graph: PIPELINES)', '@join__type(graph: POLYTOMIC)'],
      fields: {
        pipelines: '[Pipeline!]! @join__field(graph: PIPELINES)',
        bulkSync: 'BulkSync @join__field(graph: POLYTOMIC)',
        bulkSyncs: '[BulkSync]! @join__field(graph: POLYTOMIC)',
        allBulkSyncs: 'BulkSyncConnection! @join__field(graph: POLYTOMIC)',
        dataConnection: 'DataConnection @join__field(graph: POLYTOMIC)',
      },
    },
    Mutation: {
      joins: ['@join__type(graph: POLYTOMIC)'],
      fields: {
        startBulkSync: 'StartBulkSyncPayload!',
        cancelBulkSync: 'CancelBulkSyncPayload!',
        setBulkSyncActive: 'SetBulkSyncActivePayload!',
      },
    },
    Subscription: {
      joins: ['@join__type(graph: POLYTOMIC)'],
      fields: { bulkSync: 'BulkSync!', bulkSyncChanges: 'BulkSync!' },
    },
  },
};
const TYPES = Object.keys(EXPECTED.types);

let t: TestApp | undefined;
let servedSdl = '';

beforeAll(async () => {
  t = await startTestApp();
  const url = await t.app.start();
  servedSdl = await fetchSdl(`${url}/graphql`);
});

function subgraphs(sdl: string) {
  return [
    { name: BULK_SYNC_SUBGRAPH, sdl, url: BULK_SYNC_URL },
    { name: PIPELINE_SUBGRAPH, sdl: PIPELINE_SDL, url: PIPELINE_URL },
  ];
}

describe('the subgraph SDL', () => {
  it('served over HTTP (_service.sdl) is the committed schema.graphql, at no upstream cost', () => {
    expect(`${servedSdl.trim()}\n`).toBe(committedSdl());
    expect(t?.sim.statusCalls()).toBe(0);
  });
});

describe.each([
  ['served over HTTP', () => servedSdl],
  ['committed (schema.graphql)', () => committedSdl()],
])('composition with another team’s Pipeline subgraph, SDL %s', (_source, sdlOf) => {
  it('@apollo/composition: no errors, no hints, both subgraphs’ fields in the supergraph', () => {
    const result = composeApollo(subgraphs(sdlOf()));
    expect(result.errors).toBeUndefined();
    expect(result.hints).toEqual([]);
    expect(summarizeSupergraph(result.supergraphSdl ?? '', TYPES)).toEqual(EXPECTED);
  });

  it('@theguild/federation-composition: no errors, the same supergraph joins', () => {
    const result = composeGuild(
      subgraphs(sdlOf()).map(({ name, sdl, url }) => ({ name, typeDefs: parse(sdl), url })),
    );
    expect(result.errors).toBeUndefined();
    expect(summarizeSupergraph(result.supergraphSdl ?? '', TYPES)).toEqual(EXPECTED);
    // The API schema clients see: both teams' root fields, none of the federation plumbing.
    const api = summarizeSupergraph(result.publicSdl ?? '', ['Query', 'Subscription']).types;
    expect(api).toEqual({
      Query: {
        joins: [],
        fields: {
          pipelines: '[Pipeline!]!',
          bulkSync: 'BulkSync',
          bulkSyncs: '[BulkSync]!',
          allBulkSyncs: 'BulkSyncConnection!',
          dataConnection: 'DataConnection',
        },
      },
      Subscription: { joins: [], fields: { bulkSync: 'BulkSync!', bulkSyncChanges: 'BulkSync!' } },
    });
  });
});

describe('the composition check has teeth', () => {
  it('a subgraph that redefines BulkSync.status does not compose, with either library', () => {
    const conflicting = /* GraphQL */ `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
      type BulkSync @key(fields: "id") { id: ID! status: String }
      type Query { other: Int }
    `;
    const services = [
      { name: BULK_SYNC_SUBGRAPH, sdl: committedSdl() },
      { name: 'other', sdl: conflicting },
    ];
    const apollo = composeApollo(services);
    expect(apollo.errors?.map((e) => [e.extensions['code'], e.message])).toEqual([
      [
        'FIELD_TYPE_MISMATCH',
        'Type of field "BulkSync.status" is incompatible across subgraphs: it has type "String" in subgraph "other" but type "BulkSyncStatus" in subgraph "polytomic"',
      ],
      [
        'INVALID_FIELD_SHARING',
        'Non-shareable field "BulkSync.status" is resolved from multiple subgraphs: it is resolved from subgraphs "other" and "polytomic" and defined as non-shareable in all of them',
      ],
    ]);
    const guild = composeGuild(services.map(({ name, sdl }) => ({ name, typeDefs: parse(sdl) })));
    expect(guild.errors?.map((e) => e.extensions['code'])).toEqual([
      'FIELD_TYPE_MISMATCH',
      'INVALID_FIELD_SHARING',
    ]);
  });
});
