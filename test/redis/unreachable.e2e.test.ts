import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { envelope } from '../fixtures/status.js';
import { untilMetric } from '../utils/metrics.js';
import { freePort } from '../utils/net.js';
import { executionOf, SUB_COUNT } from '../utils/operations.js';
import { startReplicas } from '../utils/replicas.js';
import { sleep, until } from '../utils/wait.js';
import { watch, wsClient } from '../utils/ws.js';

// No Redis needed: REDIS_URL points at a port nothing listens on.

const QUERY = /* GraphQL */ `
  query One($id: ID!) {
    bulkSync(id: $id) { id status { currentExecution { recordCount } } }
  }
`;

describe('Redis unreachable at start', () => {
  it('starts, serves queries and subscriptions by polling locally, and logs the fallback once', async () => {
    const closed = await freePort();
    const { sim, replicas, clock } = await startReplicas(2, {
      env: { REDIS_URL: `redis://127.0.0.1:${closed}` },
      waitForRedis: false,
    });
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

    const watches = replicas.map((replica) => watch(wsClient(replica.url), SUB_COUNT, { id }));
    await until(() => watches.every((w) => w.events.length === 1));
    sim.setStatus(id, envelope({ recordCount: 2 }));
    await clock.runUntil(() => watches.every((w) => w.events.length === 2), 3000);
    for (const w of watches) {
      expect(w.events.map(executionOf)).toEqual([{ recordCount: 1 }, { recordCount: 2 }]);
    }
    // Each replica polls for itself: both count polls.
    for (const replica of replicas) {
      expect(await replica.polls()).toBeGreaterThan(0);
      await untilMetric(replica, 'gateway_redis_up', 0);
    }

    // Three reconnect attempts later (at 200, 600 and 1200 ms), still one line per replica: a
    // real wait, as ioredis's reconnect schedule runs on the real clock.
    await sleep(1300);
    for (const replica of replicas) {
      const fallback = replica.logs.filter((line) => line.includes('redis unreachable'));
      expect(fallback).toHaveLength(1);
    }
  });
});
