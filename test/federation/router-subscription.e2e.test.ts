import type { IncomingMessage } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SIM_SYNCS } from '../../tools/simulator/index.js';
import { envelope } from '../fixtures/status.js';
import {
  BULK_SYNC_SUBGRAPH,
  composeApollo,
  fetchSdl,
  PIPELINE_SUBGRAPH,
  type PipelineRow,
  pipelineResolvers,
  serveSubgraph,
} from '../utils/federation.js';
import { leftover } from '../utils/leftovers.js';
import { expectPollingStopped, round, startLive } from '../utils/live.js';
import { metric } from '../utils/metrics.js';
import { until } from '../utils/wait.js';
import { sentinel, type Watch, watch, wsClient } from '../utils/ws.js';
import { type RunningRouter, startRouter } from './router/router.mjs';

// A real federation router in front of this subgraph: Hive Gateway's runtime (./router, see
// router.mjs; its packages are devDependencies), on a real port, composed with Apollo's
// composition from what both running subgraphs serve. Clients subscribe to the router; the router subscribes to this
// subgraph (over graphql-ws or SSE) and, per event, fetches `pipelineCount` from the Pipeline
// subgraph by the entity key.

/** Poll interval of the subgraph under test; its timers only fire when the test advances them. */
const POLL_MS = 500;
/** Past one running-interval poll timer, jitter (≤ 5%) included. */
const POLL_ROUND_MS = Math.round(POLL_MS * 1.1);

/**
 * The Pipeline subgraph as in `federation-helpers`, except that it resolves `BulkSync` and adds
 * `pipelineCount` to it: how many of its pipelines reference that sync.
 */
const PIPELINE_WITH_COUNT_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type Pipeline @key(fields: "id") {
    id: ID!
    name: String!
    bulkSync: BulkSync
  }

  type BulkSync @key(fields: "id") {
    id: ID!
    "How many pipelines reference this sync."
    pipelineCount: Int!
  }

  type Query {
    pipelines: [Pipeline!]!
  }
`;

interface CountingPipelineSubgraph {
  url: string;
  rows: PipelineRow[];
  /** `BulkSync` representations it was asked to resolve, in order. */
  resolvedSyncs: string[];
  close(): Promise<void>;
}

async function startCountingPipelineSubgraph(
  rows: PipelineRow[],
): Promise<CountingPipelineSubgraph> {
  const subgraph: CountingPipelineSubgraph = {
    url: '',
    rows,
    resolvedSyncs: [],
    close: async () => {},
  };
  const countFor = (id: string) => subgraph.rows.filter((row) => row.bulkSyncId === id).length;
  const schema = buildSubgraphSchema({
    typeDefs: parse(PIPELINE_WITH_COUNT_SDL),
    resolvers: {
      ...pipelineResolvers(subgraph),
      BulkSync: {
        __resolveReference: (reference: { id: string }) => {
          subgraph.resolvedSyncs.push(reference.id);
          return { id: reference.id };
        },
        pipelineCount: (sync: { id: string }) => countFor(sync.id),
      },
    },
  });
  Object.assign(subgraph, await serveSubgraph(schema));
  return subgraph;
}

const ORDERS = SIM_SYNCS.orders;

const SELECTION = 'id status { currentExecution { status recordCount } }';
const DIRECT_QUERY = /* GraphQL */ `
  query Direct($id: ID!) { bulkSync(id: $id) { ${SELECTION} } }
`;
const THROUGH_ROUTER = /* GraphQL */ `
  subscription Orders { bulkSync(id: "${ORDERS}") { ${SELECTION} pipelineCount } }
`;

const pipeline = (n: number, bulkSyncId: string | null): PipelineRow => ({
  id: `pipeline-${n}`,
  name: `Pipeline ${n}`,
  bulkSyncId,
});

/**
 * This subgraph (manual poll timers, the simulator's clock frozen so the built-in `orders` sync
 * holds still), the Pipeline subgraph, and the router on the supergraph composed from both.
 */
async function startFederation(upstream: 'ws' | 'sse') {
  const live = await startLive({ POLL_INTERVAL_MS: String(POLL_MS) });
  const { t } = live;
  const frozen = t.sim.now();
  t.sim.setNow(() => frozen);
  const url = `${await t.app.start()}/graphql`;
  // How the router reaches this subgraph: WebSocket upgrades, and event-stream requests (SSE).
  const upgrades: string[] = [];
  const eventStreams: string[] = [];
  t.app.server.on('upgrade', (request: IncomingMessage) => upgrades.push(request.url ?? ''));
  t.app.server.on('request', (request: IncomingMessage) => {
    if (request.headers.accept?.includes('text/event-stream')) {
      eventStreams.push(`${request.method} ${request.url?.split('?')[0]}`);
    }
  });

  const pipelines = await startCountingPipelineSubgraph([pipeline(0, ORDERS), pipeline(1, ORDERS)]);
  const composed = composeApollo([
    { name: BULK_SYNC_SUBGRAPH, sdl: await fetchSdl(url), url },
    { name: PIPELINE_SUBGRAPH, sdl: await fetchSdl(pipelines.url), url: pipelines.url },
  ]);
  if (!composed.supergraphSdl) throw new Error('composition failed');
  const router = await startRouter(composed.supergraphSdl, { upstream });
  leftover('router', () => router.close());
  return { live, t: live.t, pipelines, router, upgrades, eventStreams };
}

const executionsBy = (r: RunningRouter) =>
  r.executions.map(({ subgraph, operationType }) => `${subgraph} ${operationType}`);

describe.each([
  { upstream: 'ws', subgraphUpgrades: ['/graphql'], subgraphStreams: [] },
  { upstream: 'sse', subgraphUpgrades: [], subgraphStreams: ['GET /graphql'] },
] as const)(
  'a subscription through Hive Gateway (router → subgraph over $upstream)',
  ({ upstream, subgraphUpgrades, subgraphStreams }) => {
    it('first event as the subgraph serves it, then the change, each joined with pipelineCount', async () => {
      const { live, t, pipelines, router, upgrades, eventStreams } =
        await startFederation(upstream);

      // What this subgraph answers for the sync right now, asked directly.
      const direct = await t.query(DIRECT_QUERY, { id: ORDERS });
      expect(direct.body.errors).toBeUndefined();
      expect(direct.body.data?.['bulkSync']).toMatchObject({
        id: ORDERS,
        status: {
          currentExecution: { status: expect.any(String), recordCount: expect.any(Number) },
        },
      });
      const served = direct.body.data?.['bulkSync'] as Record<string, unknown>;
      expect(t.sim.statusCalls()).toBe(1);
      t.sim.resetRequests();
      upgrades.length = 0;
      eventStreams.length = 0;

      const client = wsClient(router.url);
      const w: Watch = watch(client, THROUGH_ROUTER, {});
      await until(() => w.events.length === 1);
      expect(w.events[0]).toEqual({ data: { bulkSync: { ...served, pipelineCount: 2 } } });
      // One upstream call for the subscription's first event; one poll loop now waits.
      expect(t.sim.statusCalls()).toBe(1);
      expect(t.sim.statusCalls(ORDERS)).toBe(1);
      expect(live.scheduler.pending()).toHaveLength(1);
      expect(await metric(t, 'gateway_active_subscriptions')).toBe(1);
      expect(upgrades).toEqual(subgraphUpgrades);
      expect(eventStreams).toEqual(subgraphStreams);
      expect(executionsBy(router)).toEqual([
        `${BULK_SYNC_SUBGRAPH} subscription`,
        `${PIPELINE_SUBGRAPH} query`,
      ]);
      expect(router.executions[1]?.variables).toEqual({
        representations: [{ __typename: 'BulkSync', id: ORDERS }],
      });
      expect(pipelines.resolvedSyncs).toEqual([ORDERS]);

      // The sync moves.
      t.sim.setStatus(ORDERS, envelope({ status: 'exporting', recordCount: 4242 }));
      await round(live, 2, 1, POLL_ROUND_MS);
      await until(() => w.events.length === 2);
      // Nothing more on its way from the router to this client.
      await sentinel(client);

      expect(w.events).toEqual([
        { data: { bulkSync: { ...served, pipelineCount: 2 } } },
        {
          data: {
            bulkSync: {
              id: ORDERS,
              status: { currentExecution: { status: 'EXPORTING', recordCount: 4242 } },
              pipelineCount: 2,
            },
          },
        },
      ]);
      expect(t.sim.statusCalls()).toBe(2);
      expect(t.sim.statusCalls(ORDERS)).toBe(2);
      // Still one upstream subscription, and still the one entity fetch: Hive Gateway resolves an
      // entity once per subscription (its batch-delegate loader lives on the operation's context,
      // which spans every event), so later events reuse the first `pipelineCount`. A change in the
      // Pipeline subgraph's data would not reach this subscriber; this subgraph's own fields do.
      expect(executionsBy(router)).toEqual([
        `${BULK_SYNC_SUBGRAPH} subscription`,
        `${PIPELINE_SUBGRAPH} query`,
      ]);
      expect(pipelines.resolvedSyncs).toEqual([ORDERS]);
      expect(upgrades).toEqual(subgraphUpgrades);
      expect(eventStreams).toEqual(subgraphStreams);
      expect(w.completed).toBe(false);
      expect(w.error).toBeUndefined();

      // The subgraph agrees with what the router delivered.
      const after = await t.query(DIRECT_QUERY, { id: ORDERS });
      expect(after.body).toEqual({
        data: {
          bulkSync: {
            id: ORDERS,
            status: { currentExecution: { status: 'EXPORTING', recordCount: 4242 } },
          },
        },
      });
      expect(t.sim.statusCalls()).toBe(3);

      // The client leaves: the router ends its upstream subscription and the poll loop stops.
      w.stop();
      await expectPollingStopped(live, POLL_ROUND_MS * 10);
      expect(t.sim.statusCalls()).toBe(3);
    });
  },
);
