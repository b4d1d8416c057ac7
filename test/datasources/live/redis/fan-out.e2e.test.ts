import { expect, it } from 'vitest';
import type { LiveEvent } from '../../../../src/datasources/live/events.js';
import { createRedisFanOut } from '../../../../src/datasources/live/redis/fan-out.js';
import { EMPTY_STATUS } from '../../../fixtures/dtos.js';
import { createManualScheduler } from '../../../utils/manual-scheduler.js';
import { adminClient, describeWithRedis, redisLink, testNamespace } from '../../../utils/redis.js';
import { until } from '../../../utils/wait.js';

const event = (syncId: string, fetchedAt: number): LiveEvent => ({
  syncId,
  snapshot: { status: EMPTY_STATUS, fetchedAt, stale: false },
});

await describeWithRedis('Redis fan-out', (gate) => {
  it('drops a published status older than one already delivered (a publish that arrived late)', async () => {
    // The links' heartbeats never fire: nothing here waits on our own timers.
    const scheduler = createManualScheduler();
    const namespace = testNamespace(gate.url);
    const options = { namespace, latestTtlMs: 60_000 };
    const [publisher, listener] = [
      createRedisFanOut(await redisLink(gate.url, scheduler), options),
      createRedisFanOut(await redisLink(gate.url, scheduler), options),
    ];
    const heard: number[] = [];
    listener.subscribe('t', (e) => heard.push('snapshot' in e ? e.snapshot.fetchedAt : -1));
    // A second topic on the same connections, for the sentinel below.
    const sentinels: number[] = [];
    listener.subscribe('sentinel', (e) => sentinels.push('snapshot' in e ? 1 : 0));
    const admin = adminClient(gate.url);
    const subscribers = async (topic: string) =>
      ((await admin.pubsub('NUMSUB', `${namespace}:events:${topic}`)) as [string, number])[1];
    await until(
      async () => (await subscribers('t')) === 1 && (await subscribers('sentinel')) === 1,
      5000,
      'listener subscribed',
    );
    publisher.publish('t', event('s', 200));
    await until(() => heard.length === 1);
    publisher.publish('t', event('s', 100));
    publisher.publish('t', event('s', 300));
    // Redis delivers what one connection published to one subscriber connection in order, so
    // once the sentinel published after them has arrived, so has everything before it.
    publisher.publish('sentinel', event('x', 0));
    await until(() => sentinels.length === 1);
    expect(heard).toEqual([200, 300]);
  });
});
