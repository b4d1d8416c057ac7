import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import { envelope, executionOf, SUB_COUNT, watch, wsClient } from '../utils/live-helpers.js';
import { until } from '../utils/manual-scheduler.js';
import {
  freePort,
  type ReplicaSet,
  sleep,
  startReplicas,
  untilMetric,
} from '../utils/redis-replicas.js';

// No Redis needed: REDIS_URL points at a port nothing listens on.

let set: ReplicaSet | undefined;
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await set?.close();
  set = undefined;
});

const QUERY = /* GraphQL */ `
  query One($id: ID!) {
    bulkSync(id: $id) { id status { currentExecution { recordCount } } }
  }
`;

describe('Redis unreachable at start', () => {
  it('starts, serves queries and subscriptions by polling locally, and logs the fallback once', async () => {
    const closed = await freePort();
    set = await startReplicas(2, {
      env: { REDIS_URL: `redis://127.0.0.1:${closed}` },
      waitForRedis: false,
    });
    const { sim, replicas } = set;
    const id = randomUUID();
    sim.addSync(id, envelope({ recordCount: 1 }));

    for (const replica of replicas) {
      expect((await fetch(`${replica.url}/ready`)).status).toBe(200);
      const response = await fetch(`${replica.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: QUERY, variables: { id } }),
      });
      expect(await response.json()).toEqual({
        data: { bulkSync: { id, status: { currentExecution: { recordCount: 1 } } } },
      });
    }

    const watches = replicas.map((replica) => {
      const client = wsClient(replica.url);
      clients.push(client);
      return watch(client, SUB_COUNT, { id });
    });
    await until(() => watches.every((w) => w.events.length === 1));
    sim.setStatus(id, envelope({ recordCount: 2 }));
    await until(() => watches.every((w) => w.events.length === 2), 3000);
    for (const w of watches) {
      expect(w.events.map(executionOf)).toEqual([{ recordCount: 1 }, { recordCount: 2 }]);
    }
    // Each replica polls for itself: both count polls.
    for (const replica of replicas) {
      expect(await replica.polls()).toBeGreaterThan(0);
      await untilMetric(replica, 'gateway_redis_up', 0);
    }

    // Three reconnect attempts later (at 200, 600 and 1200 ms), still one line per replica.
    await sleep(1300);
    for (const replica of replicas) {
      const fallback = replica.logs.filter((line) => line.includes('redis unreachable'));
      expect(fallback).toHaveLength(1);
    }
  });
});
