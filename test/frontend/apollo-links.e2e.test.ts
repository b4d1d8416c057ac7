import { type ApolloClient, CombinedGraphQLErrors, gql } from '@apollo/client';
import { describe, expect, it } from 'vitest';
import { SIM_CATALOGUE_SYNCS, SIM_MANUAL_RUN } from '../../tools/simulator/index.js';
import { syncId } from '../fixtures/status.js';
import { leftover } from '../utils/leftovers.js';
import { expectPollingStopped, round } from '../utils/live.js';
import { metric, untilMetric } from '../utils/metrics.js';
import { until } from '../utils/wait.js';
import {
  everyCallHadUserKey,
  type FrontendGateway,
  startFrontendGateway,
  USER,
} from './gateway.js';
import { createApolloHttpClient } from './recipes/apollo-http.js';
import { createApolloClient } from './recipes/apollo-ws.js';

// The Apollo Client recipes of docs/frontend.md against a listening gateway with no service
// credential (the user's key does it all), every request carrying a localhost page's Origin:
// HttpLink + GraphQLWsLink split by operation type, and HttpLink alone (subscriptions in
// Apollo's multipart protocol).

const SYNC = SIM_CATALOGUE_SYNCS.hubspotSnowflake;

const WATCH = gql`
  subscription Watch($ids: [ID!]!) {
    bulkSyncChanges(ids: $ids) { id status { currentExecution { id status recordCount } } }
  }
`;
const NAMES = gql`
  query Names($ids: [ID!]!) {
    bulkSyncs(ids: $ids) { id name }
  }
`;
const RUN_NOW = gql`
  mutation RunNow($id: ID!) {
    startBulkSync(id: $id) { execution { id status } }
  }
`;

/** A WATCH event's data: the sync idle (`null`), or running `execution`. */
const watched = (execution: { id: string | undefined; status: string } | null) => ({
  bulkSyncChanges: {
    __typename: 'BulkSync',
    id: SYNC,
    status: {
      __typename: 'BulkSyncStatus',
      currentExecution: execution && { __typename: 'Execution', recordCount: 0, ...execution },
    },
  },
});

/**
 * Subscribes to an idle sync, runs it now, hears the run start and then run, and leaves; the
 * same steps over either transport. `sockets` is how many WebSockets are open meanwhile.
 */
async function runNowAndWatch(
  gateway: FrontendGateway,
  client: ApolloClient,
  sockets: number,
): Promise<void> {
  const { sim } = gateway.t;
  leftover('Apollo client', () => client.stop());
  const events: unknown[] = [];
  const subscription = client
    .subscribe({ query: WATCH, variables: { ids: [SYNC] } })
    .subscribe({ next: (result) => events.push(result.data) });
  leftover('Apollo subscription', () => subscription.unsubscribe());
  await until(() => events.length === 1);
  expect(events[0]).toEqual(watched(null));
  expect(await metric(gateway.t, 'gateway_active_subscriptions')).toBe(1);
  expect(await metric(gateway.t, 'gateway_websocket_connections')).toBe(sockets);

  const started = await client.mutate<{ startBulkSync: { execution: { id: string } } }>({
    mutation: RUN_NOW,
    variables: { id: SYNC },
  });
  const execution = started.data?.startBulkSync.execution;
  expect(execution).toEqual({
    __typename: 'Execution',
    id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
    status: 'CREATED',
  });
  // The action makes the sync's poller poll at once: the new run reaches the subscriber.
  await until(() => events.length === 2);
  expect(events[1]).toEqual(watched({ id: execution?.id, status: 'CREATED' }));
  expect([sim.calls('start', SYNC), sim.calls('status', SYNC), sim.calls()]).toEqual([1, 2, 3]);

  // The run leaves `created` on the simulator; the next (busy) poll brings it.
  sim.advance(SIM_MANUAL_RUN.createdMs);
  await round(gateway, 3, 1);
  await until(() => events.length === 3);
  expect(events[2]).toEqual(watched({ id: execution?.id, status: 'RUNNING' }));

  // Leaving ends the subscription on the gateway, stops the sync's poller, closes any socket.
  subscription.unsubscribe();
  await untilMetric(gateway.t, 'gateway_websocket_connections', 0);
  await expectPollingStopped(gateway, 60_000);
  expect(sim.calls()).toBe(4);
  expect(everyCallHadUserKey(gateway)).toBe(true);
}

describe('Apollo Client', () => {
  it('runs a mutation over HTTP and hears its effect over WebSocket (GraphQLWsLink)', async () => {
    const gateway = await startFrontendGateway();
    await runNowAndWatch(gateway, createApolloClient({ url: gateway.url, ...USER }), 1);
  });

  it('runs a mutation and hears its effect over HTTP alone (multipart subscriptions)', async () => {
    const gateway = await startFrontendGateway();
    await runNowAndWatch(
      gateway,
      createApolloHttpClient({ url: gateway.url, token: USER.token }),
      0,
    );
  });

  it('keeps data beside errors only with errorPolicy: all', async () => {
    const gateway = await startFrontendGateway();
    const client = createApolloHttpClient({ url: gateway.url, token: USER.token });
    leftover('Apollo client', () => client.stop());
    const gone = syncId(1);
    const options = { query: NAMES, variables: { ids: [SYNC, gone] } };

    // The default errorPolicy ('none'): the query fails, and the sync that loaded is dropped.
    const strict = client.query(options);
    await expect(strict).rejects.toSatisfy(CombinedGraphQLErrors.is);
    const { sim } = gateway.t;
    expect([sim.calls('status'), sim.calls('sync'), sim.calls()]).toEqual([2, 1, 3]);

    const all = await client.query({ ...options, errorPolicy: 'all', fetchPolicy: 'network-only' });
    expect(all.data).toEqual({
      bulkSyncs: [{ __typename: 'BulkSync', id: SYNC, name: 'HubSpot → Snowflake' }, null],
    });
    const errors = CombinedGraphQLErrors.is(all.error) ? all.error.errors : [];
    expect(errors.map((e) => [e.path, e.extensions?.['code']])).toEqual([
      [['bulkSyncs', 1], 'NOT_FOUND'],
    ]);
    // Statuses again (CACHE_TTL_MS is 0 here); the name from the gateway's catalogue cache.
    expect([sim.calls('status'), sim.calls('sync'), sim.calls()]).toEqual([4, 1, 5]);
  });
});
