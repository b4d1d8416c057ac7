import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/datasources/live/events.js';
import { createRedisFanOut } from '../../src/datasources/live/redis/fan-out.js';
import { EMPTY_STATUS } from '../fixtures/dtos.js';
import { until } from '../utils/manual-scheduler.js';
import { probeRedis, sleep, useRedisLinks } from '../utils/redis-replicas.js';

const gate = await probeRedis();

const event = (syncId: string, fetchedAt: number): LiveEvent => ({
  syncId,
  snapshot: { status: EMPTY_STATUS, fetchedAt, stale: false },
});

describe.skipIf(gate.skip)('Redis fan-out', () => {
  const redis = useRedisLinks(gate);

  it('drops a published status older than one already delivered (a publish that arrived late)', async () => {
    const options = { namespace: redis.namespace(), latestTtlMs: 60_000 };
    const [publisher, listener] = [
      createRedisFanOut(await redis.link(), options),
      createRedisFanOut(await redis.link(), options),
    ];
    const heard: number[] = [];
    listener.subscribe('t', (e) => heard.push('snapshot' in e ? e.snapshot.fetchedAt : -1));
    await sleep(100);
    publisher.publish('t', event('s', 200));
    await until(() => heard.length === 1);
    publisher.publish('t', event('s', 100));
    publisher.publish('t', event('s', 300));
    await until(() => heard.length >= 2);
    await sleep(100);
    expect(heard).toEqual([200, 300]);
  });
});
