import { Client, fetchExchange, gql, type OperationResult } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { envelope, syncId } from '../fixtures/status.js';
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
import { createUrqlSseClient } from './recipes/urql-sse.js';
import { createUrqlClient } from './recipes/urql-ws.js';

// The urql recipes of docs/frontend.md (@urql/core 6: fetchExchange for queries, a
// subscriptionExchange over graphql-ws or graphql-sse) against a listening gateway with no
// service credential, every request carrying a localhost page's Origin.

const SYNC = syncId(1);
const EXECUTION = '0c0c0c0c-0000-4000-8000-000000000001';

const SYNC_QUERY = gql`
  query Sync($id: ID!) {
    bulkSync(id: $id) { id name status { currentExecution { id status recordCount } } }
  }
`;
const WATCH = gql`
  subscription Watch($id: ID!) {
    bulkSync(id: $id) { id status { currentExecution { recordCount } } }
  }
`;

/** The data of a WATCH event at `recordCount`. */
const counted = (recordCount: number) => ({
  bulkSync: { id: SYNC, status: { currentExecution: { recordCount } } },
});

/**
 * A query, then a subscription's first event and a change the simulator makes, then leaving:
 * the same steps over either transport; `sockets` is how many WebSockets are open meanwhile.
 */
async function queryThenWatch(
  gateway: FrontendGateway,
  client: Client,
  sockets: number,
): Promise<void> {
  const { sim } = gateway.t;
  const answer = await client.query(SYNC_QUERY, { id: SYNC }).toPromise();
  expect(answer.error).toBeUndefined();
  expect(answer.data).toEqual({
    bulkSync: {
      __typename: 'BulkSync',
      id: SYNC,
      name: `Sync ${SYNC}`,
      status: {
        __typename: 'BulkSyncStatus',
        currentExecution: {
          __typename: 'Execution',
          id: EXECUTION,
          status: 'RUNNING',
          recordCount: 1,
        },
      },
    },
  });
  expect([sim.calls('status'), sim.calls('sync'), sim.calls()]).toEqual([1, 1, 2]);

  const results: OperationResult[] = [];
  const subscription = client
    .subscription(WATCH, { id: SYNC })
    .subscribe((result) => results.push(result));
  leftover('urql subscription', () => subscription.unsubscribe());
  await until(() => results.length === 1);
  expect(results[0]?.data).toEqual(counted(1));
  expect(await metric(gateway.t, 'gateway_active_subscriptions')).toBe(1);
  expect(await metric(gateway.t, 'gateway_websocket_connections')).toBe(sockets);

  sim.setStatus(SYNC, envelope({ recordCount: 2 }));
  await round(gateway, 3, 1);
  await until(() => results.length === 2);
  expect(results[1]?.data).toEqual(counted(2));
  expect(results.map((result) => result.error)).toEqual([undefined, undefined]);

  // Leaving ends the subscription on the gateway (and its poller), and closes the lazy socket.
  subscription.unsubscribe();
  await untilMetric(gateway.t, 'gateway_websocket_connections', 0);
  await expectPollingStopped(gateway, 60_000);
  expect([sim.calls('status'), sim.calls()]).toEqual([3, 4]);
  expect(everyCallHadUserKey(gateway)).toBe(true);
}

describe('urql', () => {
  it('queries over HTTP and subscribes over WebSocket; leaving closes the socket and stops the poller', async () => {
    const gateway = await startFrontendGateway();
    gateway.t.sim.addSync(SYNC, envelope({ recordCount: 1 }));
    const client = createUrqlClient({ url: gateway.url, ...USER });
    await queryThenWatch(gateway, client, 1);
  });

  it('queries over HTTP and subscribes over SSE; leaving ends the stream and stops the poller', async () => {
    const gateway = await startFrontendGateway();
    gateway.t.sim.addSync(SYNC, envelope({ recordCount: 1 }));
    const client = createUrqlSseClient({ url: gateway.url, token: USER.token });
    await queryThenWatch(gateway, client, 0);
  });

  it('without preferGetMethod: false, a query from a browser page is refused (CSRF)', async () => {
    const gateway = await startFrontendGateway();
    gateway.t.sim.addSync(SYNC, envelope({ recordCount: 1 }));
    const client = new Client({
      url: gateway.url,
      fetchOptions: { headers: { authorization: `Bearer ${USER.token}` } },
      exchanges: [fetchExchange],
    });
    const answer = await client.query(SYNC_QUERY, { id: SYNC }).toPromise();
    expect(answer.error?.graphQLErrors.map((e) => [e.message, e.extensions['code']])).toEqual([
      ['Required CSRF header(s) not present', 'BAD_USER_INPUT'],
    ]);
    expect(gateway.t.sim.calls()).toBe(0);
  });
});
