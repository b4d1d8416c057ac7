import { format } from 'node:util';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { SIM_CATALOGUE_SYNCS } from '../../tools/simulator/index.js';
import { envelope, syncId } from '../fixtures/status.js';
import { leftover } from '../utils/leftovers.js';
import {
  everyCallHadUserKey,
  type FrontendGateway,
  startFrontendGateway,
  USER,
} from './gateway.js';
import { createCache } from './recipes/apollo-cache.js';

// The two type policies of docs/frontend.md, with the real ApolloClient and InMemoryCache against
// a listening gateway: what goes wrong without each, and that each fixes it.

/** What Apollo warns on the console during this test, each warning's first line. */
function warnings(): () => string[] {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  onTestFinished(() => warn.mockRestore());
  return () => warn.mock.calls.map((args) => format(...args).split('\n')[0] ?? '');
}

/** An Apollo client over HTTP only, with `cache`. */
function apollo(gateway: FrontendGateway, cache: InMemoryCache): ApolloClient {
  const client = new ApolloClient({
    link: new HttpLink({ uri: gateway.url, headers: { authorization: `Bearer ${USER.token}` } }),
    cache,
  });
  leftover('Apollo client', () => client.stop());
  return client;
}

const SYNC = syncId(1);
const NEXT = '2026-05-01T12:00:00Z';
const EXECUTION = '0c0c0c0c-0000-4000-8000-000000000001';

// Two components of one page, each selecting its own fields of the same sync's status.
const SCHEDULE = gql`
  query Schedule($id: ID!) {
    bulkSync(id: $id) { id status { nextExecutionTime } }
  }
`;
const RUN = gql`
  query Run($id: ID!) {
    bulkSync(id: $id) { id status { currentExecution { id status recordCount } } }
  }
`;

describe('BulkSync.status { merge: true }', () => {
  it('without it, a second query selecting other status fields wipes the first one’s', async () => {
    const gateway = await startFrontendGateway();
    gateway.t.sim.addSync(SYNC, envelope({ recordCount: 1200, nextExecutionTime: NEXT }));
    const cache = new InMemoryCache();
    const client = apollo(gateway, cache);
    const warned = warnings();

    const first = await client.query({ query: SCHEDULE, variables: { id: SYNC } });
    expect(first.data).toEqual({
      bulkSync: {
        __typename: 'BulkSync',
        id: SYNC,
        status: { __typename: 'BulkSyncStatus', nextExecutionTime: NEXT },
      },
    });
    await client.query({ query: RUN, variables: { id: SYNC } });
    // Apollo says so in development, once.
    expect(warned()).toEqual([
      'Cache data may be lost when replacing the status field of a BulkSync object.',
    ]);

    // The status object was replaced: nextExecutionTime is gone from the cache.
    expect(cache.extract()[`BulkSync:${SYNC}`]).toEqual({
      __typename: 'BulkSync',
      id: SYNC,
      status: {
        __typename: 'BulkSyncStatus',
        currentExecution: { __ref: `Execution:${EXECUTION}` },
      },
    });
    expect(client.readQuery({ query: SCHEDULE, variables: { id: SYNC } })).toBeNull();
    // So the first component's next cache-first read goes back to the network.
    expect(gateway.t.sim.calls('status')).toBe(2);
    await client.query({ query: SCHEDULE, variables: { id: SYNC } });
    expect(gateway.t.sim.calls('status')).toBe(3);
  });

  it('with it, both queries’ fields stay, with the simulator’s values, and are read from the cache', async () => {
    const gateway = await startFrontendGateway();
    gateway.t.sim.addSync(SYNC, envelope({ recordCount: 1200, nextExecutionTime: NEXT }));
    const cache = createCache();
    const client = apollo(gateway, cache);
    const warned = warnings();

    await client.query({ query: SCHEDULE, variables: { id: SYNC } });
    await client.query({ query: RUN, variables: { id: SYNC } });
    expect(warned()).toEqual([]);

    expect(cache.extract()[`BulkSync:${SYNC}`]).toEqual({
      __typename: 'BulkSync',
      id: SYNC,
      status: {
        __typename: 'BulkSyncStatus',
        nextExecutionTime: NEXT,
        currentExecution: { __ref: `Execution:${EXECUTION}` },
      },
    });
    expect(client.readQuery({ query: SCHEDULE, variables: { id: SYNC } })).toEqual({
      bulkSync: {
        __typename: 'BulkSync',
        id: SYNC,
        status: { __typename: 'BulkSyncStatus', nextExecutionTime: NEXT },
      },
    });
    const again = await client.query({ query: RUN, variables: { id: SYNC } });
    expect(again.data).toEqual({
      bulkSync: {
        __typename: 'BulkSync',
        id: SYNC,
        status: {
          __typename: 'BulkSyncStatus',
          currentExecution: {
            __typename: 'Execution',
            id: EXECUTION,
            status: 'RUNNING',
            recordCount: 1200,
          },
        },
      },
    });
    await client.query({ query: SCHEDULE, variables: { id: SYNC } });
    expect(gateway.t.sim.calls('status')).toBe(2);
    expect(everyCallHadUserKey(gateway)).toBe(true);
  });
});

const DASHBOARD = gql`
  query Dashboard {
    allBulkSyncs(first: 20) {
      nodes { id name status { nextExecutionTime } }
    }
  }
`;
const DETAIL = gql`
  query Detail($id: ID!) {
    bulkSync(id: $id) { id name status { nextExecutionTime } }
  }
`;
const PICKED = SIM_CATALOGUE_SYNCS.hubspotSnowflake;

describe('the Query.bulkSync read redirect', () => {
  it('answers bulkSync(id) after allBulkSyncs from the cache, with no upstream call', async () => {
    const gateway = await startFrontendGateway();
    const { sim } = gateway.t;
    const client = apollo(gateway, createCache());

    const list = await client.query<{ allBulkSyncs: { nodes: { id: string }[] } }>({
      query: DASHBOARD,
    });
    const listed = list.data?.allBulkSyncs.nodes.find((node) => node.id === PICKED);
    expect(listed).toEqual({
      __typename: 'BulkSync',
      id: PICKED,
      name: 'HubSpot → Snowflake',
      status: { __typename: 'BulkSyncStatus', nextExecutionTime: null },
    });
    const afterList = sim.calls();
    expect([sim.calls('list'), sim.calls('status'), afterList]).toEqual([1, 14, 15]);

    const detail = await client.query({ query: DETAIL, variables: { id: PICKED } });
    expect(detail.data).toEqual({ bulkSync: listed });
    expect(sim.calls()).toBe(afterList);
  });

  it('without it, the same bulkSync(id) goes upstream again', async () => {
    const gateway = await startFrontendGateway();
    const { sim } = gateway.t;
    const client = apollo(gateway, new InMemoryCache());

    await client.query({ query: DASHBOARD });
    expect(sim.calls()).toBe(15);
    await client.query({ query: DETAIL, variables: { id: PICKED } });
    // One status call; the name comes from the listing the gateway cached (CATALOG_TTL_MS).
    expect([sim.calls('status'), sim.calls('sync'), sim.calls()]).toEqual([15, 0, 16]);
  });
});
