import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  addSyncs,
  BULK_SYNC_SUBGRAPH,
  composeApollo,
  fetchSdl,
  PIPELINE_SUBGRAPH,
  type PipelineRow,
  type PipelineSubgraph,
  type Router,
  SYNC_IDS,
  startApolloGateway,
  startPipelineSubgraph,
  syncEntity,
} from '../utils/federation.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

// Both subgraphs on real ports; @apollo/gateway in this process plans each operation and fetches
// from them over HTTP. The supergraph is composed from what the two running subgraphs serve.

const PIPELINES = /* GraphQL */ `
  query Pipelines {
    pipelines { name bulkSync { id status { currentExecution { status recordCount } } } }
  }
`;

/** The fetch the gateway plans for `PIPELINES` against the Pipeline subgraph. */
const PIPELINE_FETCH = 'query Pipelines__pipelines__0{pipelines{name bulkSync{__typename id}}}';
/** …and the entity fetch it sends this subgraph, with one representation per pipeline. */
const ENTITY_FETCH =
  'query Pipelines__polytomic__1($representations:[_Any!]!){_entities(representations:$representations){...on BulkSync{status{currentExecution{status recordCount}}}}}';

let t: TestApp | undefined;
let pipelines: PipelineSubgraph | undefined;
let router: Router | undefined;

beforeAll(async () => {
  t = await startTestApp();
  addSyncs(t.sim);
  const url = await t.app.start();
  pipelines = await startPipelineSubgraph();
  const composed = composeApollo([
    { name: BULK_SYNC_SUBGRAPH, sdl: await fetchSdl(`${url}/graphql`), url: `${url}/graphql` },
    { name: PIPELINE_SUBGRAPH, sdl: await fetchSdl(pipelines.url), url: pipelines.url },
  ]);
  if (!composed.supergraphSdl) throw new Error('composition failed');
  router = await startApolloGateway(composed.supergraphSdl);
});

beforeEach(() => {
  parts().t.sim.resetRequests();
  parts().router.fetches.length = 0;
});

function parts() {
  if (!t || !pipelines || !router) throw new Error('not started');
  return { t, pipelines, router };
}

/** A pipeline referencing `bulkSyncId`. */
const row = (n: number, bulkSyncId: string | null): PipelineRow => ({
  id: `pipeline-${n}`,
  name: `Pipeline ${n}`,
  bulkSyncId,
});

/** The representation the gateway sends for a referenced sync. */
const representation = (id: string | null) => ({ __typename: 'BulkSync', id });

describe('queries across both subgraphs through @apollo/gateway', () => {
  it('100 pipelines over 10 syncs: one entity fetch of 100 representations, 10 upstream calls', async () => {
    const { t, pipelines, router } = parts();
    // Duplicates spread across the list, not adjacent: syncs 0, 7, 4, 1, 8, 5, …
    const order = Array.from({ length: 100 }, (_, i) => (i * 7) % 10);
    pipelines.rows = order.map((n, i) => row(i, SYNC_IDS[n] ?? null));

    const result = await router.execute(PIPELINES);

    expect(result).toEqual({
      data: {
        pipelines: order.map((n, i) => ({ name: `Pipeline ${i}`, bulkSync: syncEntity(n) })),
      },
    });
    expect(router.fetches).toEqual([
      { subgraph: PIPELINE_SUBGRAPH, query: PIPELINE_FETCH, variables: {} },
      {
        subgraph: BULK_SYNC_SUBGRAPH,
        query: ENTITY_FETCH,
        variables: { representations: order.map((n) => representation(SYNC_IDS[n] ?? null)) },
      },
    ]);
    expect(t.sim.statusCalls()).toBe(10);
    for (const id of SYNC_IDS) expect(t.sim.statusCalls(id)).toBe(1);
    expect(router.logged).toEqual([]);
  });

  it('an invalid id fails only its own pipeline’s sync, with BAD_USER_INPUT', async () => {
    const { t, pipelines, router } = parts();
    const [a, b, c] = SYNC_IDS as [string, string, string];
    pipelines.rows = [
      row(0, a),
      row(1, b),
      row(2, 'not-a-uuid'),
      row(3, a),
      row(4, null),
      row(5, c),
    ];

    const result = await router.execute(PIPELINES);

    expect(result).toEqual({
      data: {
        pipelines: [
          { name: 'Pipeline 0', bulkSync: syncEntity(0) },
          { name: 'Pipeline 1', bulkSync: syncEntity(1) },
          // The id is the Pipeline subgraph's; only the status, this subgraph's part, is null.
          { name: 'Pipeline 2', bulkSync: { id: 'not-a-uuid', status: null } },
          { name: 'Pipeline 3', bulkSync: syncEntity(0) },
          { name: 'Pipeline 4', bulkSync: null },
          { name: 'Pipeline 5', bulkSync: syncEntity(2) },
        ],
      },
      errors: [
        {
          message: '"not-a-uuid" is not a bulk sync id (a UUID).',
          path: ['pipelines', 2, 'bulkSync'],
          extensions: {
            code: 'BAD_USER_INPUT',
            argumentValue: 'not-a-uuid',
            serviceName: BULK_SYNC_SUBGRAPH,
          },
        },
      ],
    });
    // No representation for the pipeline without a sync; one upstream call per valid id.
    expect(router.fetches[1]?.variables).toEqual({
      representations: [a, b, 'not-a-uuid', a, c].map(representation),
    });
    expect(t.sim.statusCalls()).toBe(3);
  });

  // Fails today (src bug, see test/federation/entities.test.ts): when the invalid id is the last
  // representation, the subgraph answers one `_entities` entry short, and the gateway throws the
  // whole entity fetch away, so every pipeline loses its sync status, not only the invalid one.
  it('an invalid id in the last pipeline fails only that pipeline’s sync', async () => {
    const { t, pipelines, router } = parts();
    const [a, b] = SYNC_IDS as [string, string];
    pipelines.rows = [row(0, a), row(1, b), row(2, 'not-a-uuid')];

    const result = await router.execute(PIPELINES);

    expect(result).toEqual({
      data: {
        pipelines: [
          { name: 'Pipeline 0', bulkSync: syncEntity(0) },
          { name: 'Pipeline 1', bulkSync: syncEntity(1) },
          { name: 'Pipeline 2', bulkSync: { id: 'not-a-uuid', status: null } },
        ],
      },
      errors: [
        {
          message: '"not-a-uuid" is not a bulk sync id (a UUID).',
          path: ['pipelines', 2, 'bulkSync'],
          extensions: {
            code: 'BAD_USER_INPUT',
            argumentValue: 'not-a-uuid',
            serviceName: BULK_SYNC_SUBGRAPH,
          },
        },
      ],
    });
    expect(t.sim.statusCalls()).toBe(2);
  });

  it('root fields of both subgraphs in one operation: one fetch each', async () => {
    const { t, pipelines, router } = parts();
    const [a, b] = SYNC_IDS as [string, string];
    pipelines.rows = [row(0, null)];

    const result = await router.execute(
      /* GraphQL */ `
        query Both($ids: [ID!]!) {
          bulkSyncs(ids: $ids) { id status { currentExecution { status recordCount } } }
          pipelines { name }
        }
      `,
      { ids: [a, b, a] },
    );

    expect(result).toEqual({
      data: {
        bulkSyncs: [syncEntity(0), syncEntity(1), syncEntity(0)],
        pipelines: [{ name: 'Pipeline 0' }],
      },
    });
    expect(router.fetches.map((f) => f.subgraph).sort()).toEqual(
      [BULK_SYNC_SUBGRAPH, PIPELINE_SUBGRAPH].sort(),
    );
    expect(t.sim.statusCalls()).toBe(2);
  });
});

describe('v2 fields through @apollo/gateway', () => {
  it('a pipeline’s sync with its own fields and connections: one entity fetch, one call per distinct record', async () => {
    const { t, pipelines, router } = parts();
    const [a, b] = SYNC_IDS as [string, string];
    pipelines.rows = [row(0, a), row(1, b), row(2, a)];
    const result = await router.execute(/* GraphQL */ `
      query Named {
        pipelines {
          name
          bulkSync { id name active source { typeName } status { latestExecution { recordCount } } }
        }
      }
    `);
    const sync = (n: number) => ({
      id: SYNC_IDS[n],
      name: `Sync ${SYNC_IDS[n]}`,
      active: true,
      source: { typeName: 'PostgreSQL' },
      status: { latestExecution: { recordCount: 1000 + n } },
    });
    expect(result).toEqual({
      data: {
        pipelines: [
          { name: 'Pipeline 0', bulkSync: sync(0) },
          { name: 'Pipeline 1', bulkSync: sync(1) },
          { name: 'Pipeline 2', bulkSync: sync(0) },
        ],
      },
    });
    expect(router.fetches.filter((f) => f.subgraph === BULK_SYNC_SUBGRAPH)).toHaveLength(1);
    // Two syncs: two statuses, two records; both read from the same Postgres connection.
    expect([t.sim.calls('status'), t.sim.calls('sync'), t.sim.calls('connection')]).toEqual([
      2, 2, 1,
    ]);
  });

  it('the catalogue and a connection as root fields, beside the other subgraph’s', async () => {
    const { t, pipelines, router } = parts();
    pipelines.rows = [row(0, null)];
    const result = (await router.execute(/* GraphQL */ `
      query Catalogue {
        allBulkSyncs(first: 3) { nodes { id name } pageInfo { hasNextPage } }
        pipelines { name }
      }
    `)) as { data: { allBulkSyncs: { nodes: unknown[]; pageInfo: { hasNextPage: boolean } } } };
    expect(result.data.allBulkSyncs.nodes).toHaveLength(3);
    expect(result.data.allBulkSyncs.pageInfo.hasNextPage).toBe(true);
    expect(t.sim.calls()).toBe(1);
  });
});

describe('subscriptions through @apollo/gateway', () => {
  // @apollo/gateway has no subscription support at all; subscriptions through a router are
  // proven with Hive Gateway's runtime in router-subscription.e2e.test.ts.
  it('are refused by the gateway itself, before any subgraph is asked', async () => {
    const { t, router } = parts();
    const [a] = SYNC_IDS as [string];

    await expect(
      router.execute(/* GraphQL */ `subscription Sub($id: ID!) { bulkSync(id: $id) { id } }`, {
        id: a,
      }),
    ).rejects.toThrow('Execution of subscriptions not supported by gateway');
    expect(router.fetches).toEqual([]);
    expect(t.sim.statusCalls()).toBe(0);
  });
});
