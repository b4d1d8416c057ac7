import { describe, expect, it } from 'vitest';
import { createRedisLeadership } from '../../src/datasources/live/redis/leadership.js';
import { until } from '../utils/manual-scheduler.js';
import {
  LEASE_MS,
  namespaceKeys,
  probeRedis,
  sleep,
  useRedisLinks,
} from '../utils/redis-replicas.js';

const gate = await probeRedis();

describe.skipIf(gate.skip)('Redis poll leadership (lease per key)', () => {
  const redis = useRedisLinks(gate);
  const link = () => redis.link();

  it('elects exactly one of two campaigners; the other takes over when it withdraws', async () => {
    const namespace = redis.namespace();
    const elected: string[] = [];
    const deposed: string[] = [];
    const a = createRedisLeadership(await link(), { namespace, leaseMs: LEASE_MS });
    const b = createRedisLeadership(await link(), { namespace, leaseMs: LEASE_MS });
    const withdrawA = a.campaign(
      'k',
      () => elected.push('a'),
      () => deposed.push('a'),
    );
    await until(() => elected.length === 1);
    const withdrawB = b.campaign(
      'k',
      () => elected.push('b'),
      () => deposed.push('b'),
    );
    // B retries every half lease; A renews every third: A stays the only leader.
    await sleep(LEASE_MS * 2);
    expect(elected).toEqual(['a']);

    const withdrawnAt = Date.now();
    withdrawA();
    expect(deposed).toEqual(['a']);
    await until(() => elected.length === 2, LEASE_MS);
    expect(elected).toEqual(['a', 'b']);
    // The lease was released, so B waited at most one retry (half a lease), not for expiry.
    expect(Date.now() - withdrawnAt).toBeLessThanOrEqual(LEASE_MS / 2 + 100);
    withdrawB();
    expect(deposed).toEqual(['a', 'b']);
    await sleep(50);
    expect(await namespaceKeys(redis.admin(), namespace)).toEqual([]);
  });

  // BUG (src/datasources/live/redis-leadership.ts, `step` and the withdraw function): a campaign
  // withdrawn while its `SET NX` is in flight still takes the lease; `lead()` then ignores the
  // election (withdrawn) and nothing releases it. A subscriber that comes and goes quickly
  // leaves a lease that blocks every other replica for a full lease (REDIS_LEASE_MS, 5 s by
  // default) while nobody polls.
  it('leaves no lease behind when withdrawn before its first answer from Redis', async () => {
    const namespace = redis.namespace();
    const leadership = createRedisLeadership(await link(), { namespace, leaseMs: LEASE_MS });
    let elected = 0;
    const withdraw = leadership.campaign(
      'k',
      () => elected++,
      () => {},
    );
    withdraw();
    await sleep(100);
    expect(elected).toBe(0);
    expect(await namespaceKeys(redis.admin(), namespace)).toEqual([]);
  });
});
