import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { createCredentialHasher } from '../../src/datasources/credential.js';
import { redisPrefix } from '../../src/datasources/live/redis/connection.js';
import { SIM_CATALOGUE_SYNCS, SIM_KEY } from '../../tools/simulator/index.js';
import { envelope } from '../fixtures/status.js';
import { executionOf } from '../utils/operations.js';
import {
  adminClient,
  describeWithRedis,
  dropNamespace,
  LEASE_MS,
  namespaceKeys,
  scanKeys,
} from '../utils/redis.js';
import {
  countsBeforeSentinel,
  expectCleanStop,
  findPoller,
  MAX_POLLS,
  MIN_POLLS,
  POLL_MS,
  pollWindow,
  type Replica,
  type ReplicaSet,
  recordCounts,
  SENTINEL_COUNT,
  settledPolls,
  smallestGap,
  spread,
  startReplicas,
  TEST_SECRET,
  WINDOW_MS,
} from '../utils/replicas.js';
import { until } from '../utils/wait.js';
import { type Watch, watch, wsClient } from '../utils/ws.js';

// Replicas sharing the shared test Redis, their polls, leases and heartbeats on one manual clock.

const hashOf = createCredentialHasher(TEST_SECRET);

/** A raw subscriber on every event channel of the namespace: [channel, message] pairs. */
async function monitor(url: string, namespace: string) {
  const m = adminClient(url);
  const messages: [string, string][] = [];
  m.on('pmessage', (_pattern: string, channel: string, message: string) => {
    messages.push([channel, message]);
  });
  await m.psubscribe(`${redisPrefix(namespace)}:events:*`);
  return messages;
}

/** recordCount of a monitored message. */
const countIn = ([, message]: [string, string]) =>
  JSON.parse(message).event.snapshot.status.currentExecution.recordCount as number;

await describeWithRedis('replicas sharing Redis', (gate) => {
  /** `count` replicas; once they are stopped, no lease may be left and the namespace is dropped. */
  async function begin(count: number): Promise<ReplicaSet> {
    const set = await startReplicas(count);
    expectCleanStop(set, gate.url, { drop: true });
    return set;
  }

  it('three replicas with subscribers spread over them make one upstream poll per interval in total', async () => {
    const set = await begin(3);
    const { sim, replicas } = set;
    const id = randomUUID();
    sim.addSync(id, envelope({ recordCount: 0 }));
    const subscribers = spread(replicas, id, 2);
    await until(() => subscribers.every(({ w }) => w.events.length === 1));

    const { times, perReplica } = await pollWindow(set, id, WINDOW_MS);
    // Every upstream call of the window came from one replica, and the replicas' own counts add
    // up to the simulator's (so none of them polled without the simulator seeing it).
    expect(perReplica.filter((n) => n > 0)).toHaveLength(1);
    expect(perReplica.reduce((a, b) => a + b, 0)).toBe(times.length);
    expect(times.length).toBeLessThanOrEqual(MAX_POLLS);
    expect(times.length).toBeGreaterThanOrEqual(MIN_POLLS);
    // Two pollers of the same period always leave some gap of at most half a period between
    // them; one poller's gaps are a whole period (minus timer slop, hence POLL_MS / 2).
    expect(smallestGap(times)).toBeGreaterThanOrEqual(POLL_MS / 2);
    for (const { w } of subscribers) expect(w.error).toBeUndefined();
  });

  it('a change reaches the subscribers on every replica exactly once, in order', async () => {
    const set = await begin(3);
    const { sim, replicas, namespace, clock } = set;
    const messages = await monitor(gate.url, namespace);
    const id = randomUUID();
    sim.addSync(id, envelope({ recordCount: 0 }));
    const subscribers = spread(replicas, id, 2);
    await until(() => subscribers.every(({ w }) => w.events.length === 1));

    for (let n = 1; n <= 4; n++) {
      sim.setStatus(id, envelope({ recordCount: n }));
      await clock.runUntil(() => subscribers.every(({ w }) => w.events.length === n + 1), 3000);
    }
    // Several more polls with nothing new: nobody hears anything more.
    await clock.run(POLL_MS * 3);
    // And each replica sent each of its two subscribers each status once, executed once for
    // both (they share a group, whether the status was polled there or came through Redis).
    for (const replica of replicas) {
      expect(await replica.metric('gateway_subscription_events_total')).toBe(2 * 5);
      expect(await replica.metric('gateway_subscription_executions_total')).toBe(5);
    }

    const before = await countsBeforeSentinel(set, id, subscribers);
    for (const [i, { w }] of subscribers.entries()) {
      expect(w.error).toBeUndefined();
      expect(before[i]).toEqual([0, 1, 2, 3, 4]);
    }
    // Each status went through Redis once (one publisher), whatever the number of replicas: the
    // messages before the sentinel's, which Redis delivered after them.
    await until(() => messages.some((m) => countIn(m) === SENTINEL_COUNT));
    const through = messages.slice(
      0,
      messages.findIndex((m) => countIn(m) === SENTINEL_COUNT),
    );
    expect(through.map(([, message]) => JSON.parse(message).event.snapshot.status)).toHaveLength(5);
    expect(through.map(countIn)).toEqual([0, 1, 2, 3, 4]);
  });

  it('two replicas with subscribers of one credential run one event watcher between them', async () => {
    const set = await startReplicas(2, { env: { POLYTOMIC_EVENTS: 'poll' } });
    expectCleanStop(set, gate.url, { drop: true });
    const { sim, replicas, clock } = set;
    const ids = [randomUUID(), randomUUID()];
    for (const id of ids) sim.addSync(id, envelope({ status: 'completed' }));
    const subscribers = ids.flatMap((id) => spread(replicas, id, 1));
    await until(() => subscribers.every(({ w }) => w.events.length === 1));
    await clock.runUntil(
      async () =>
        (
          await Promise.all(
            replicas.map((r) => r.metric('gateway_event_watchers{state="healthy"}')),
          )
        ).reduce((a, b) => a + b, 0) === 1,
      3000,
    );
    const before = sim.eventsCalls();
    await clock.run(WINDOW_MS);
    // One watcher reads once per interval (POLL_MS here): two would read twice as often.
    const calls = sim.eventsCalls() - before;
    expect(calls).toBeLessThanOrEqual(MAX_POLLS);
    expect(calls).toBeGreaterThanOrEqual(MIN_POLLS);
    const leading = await Promise.all(
      replicas.map((r) => r.metric('gateway_event_watchers{state="healthy"}')),
    );
    expect([...leading].sort()).toEqual([0, 1]);
  });

  it('when the polling replica stops, another takes over within two lease periods', async () => {
    const set = await begin(3);
    const { sim, replicas, clock } = set;
    const id = randomUUID();
    sim.addSync(id, envelope({ recordCount: 0 }));
    const subscribers = spread(replicas, id, 2);
    await until(() => subscribers.every(({ w }) => w.events.length === 1));

    const leader = await findPoller(set, id);
    const others = replicas.filter((r) => r !== leader);
    const before = await Promise.all(others.map((r) => r.polls()));
    const stoppedAt = clock.now;
    await leader.stop();
    // Fails unless another replica polls within two leases (of virtual time) of the stop.
    await clock.runUntil(async () => {
      const now = await Promise.all(others.map((r) => r.polls()));
      return now.some((n, i) => n > (before[i] ?? 0));
    }, 2 * LEASE_MS);
    expect(clock.now - stoppedAt).toBeLessThanOrEqual(2 * LEASE_MS);

    const remaining = subscribers.filter(({ replica }) => replica !== leader);
    sim.setStatus(id, envelope({ recordCount: 1 }));
    await clock.runUntil(() => remaining.every(({ w }) => w.events.length === 2), 3000);
    for (const { w } of remaining) expect(recordCounts(w)).toEqual([0, 1]);

    // Again one poller in all.
    const { times, perReplica } = await pollWindow(set, id, WINDOW_MS);
    expect(perReplica.filter((n) => n > 0)).toHaveLength(1);
    expect(perReplica[leader.index]).toBe(0);
    expect(times.length).toBeLessThanOrEqual(MAX_POLLS);
    expect(smallestGap(times)).toBeGreaterThanOrEqual(POLL_MS / 2);
  });

  it('keeps every key under its namespace, leases short-lived, latest statuses expiring', async () => {
    const set = await begin(2);
    const { sim, replicas, namespace, clock } = set;
    const id = randomUUID();
    sim.addSync(id, envelope({ recordCount: 0 }));
    const subscribers = spread(replicas, id, 2);
    await until(() => subscribers.every(({ w }) => w.events.length === 1));
    sim.setStatus(id, envelope({ recordCount: 1 }));
    await clock.runUntil(() => subscribers.every(({ w }) => w.events.length === 2), 3000);

    const redis = adminClient(gate.url);
    const topic = `${hashOf(`Bearer ${SIM_KEY}`)}:${id}`;
    // Anywhere in Redis (other tests' namespaces included), only these keys mention the sync.
    expect(await scanKeys(redis, `*${id}*`)).toEqual([
      `${redisPrefix(namespace)}:latest:${topic}`,
      `${redisPrefix(namespace)}:lease:${topic}`,
    ]);
    expect(await namespaceKeys(redis, namespace)).toEqual([
      `${redisPrefix(namespace)}:latest:${topic}`,
      `${redisPrefix(namespace)}:lease:${topic}`,
    ]);
    const leaseTtl = await redis.pttl(`${redisPrefix(namespace)}:lease:${topic}`);
    expect(leaseTtl).toBeGreaterThan(0);
    expect(leaseTtl).toBeLessThanOrEqual(LEASE_MS);
    const latestTtl = await redis.pttl(`${redisPrefix(namespace)}:latest:${topic}`);
    expect(latestTtl).toBeGreaterThan(0);
    // max(60 s, 3 × POLL_IDLE_INTERVAL_MS) with the default idle interval of 30 s.
    expect(latestTtl).toBeLessThanOrEqual(90_000);
    // One channel, subscribed once per replica however many subscribers each has.
    const channel = `${redisPrefix(namespace)}:events:${topic}`;
    expect(await redis.pubsub('CHANNELS', `*${id}*`)).toEqual([channel]);
    expect(await redis.pubsub('NUMSUB', channel)).toEqual([channel, 2]);

    await set.close();
    // The lease is released at stop (not left to expire); the latest status expires on its own.
    expect(await namespaceKeys(redis, namespace)).toEqual([
      `${redisPrefix(namespace)}:latest:${topic}`,
    ]);
    expect(await redis.pttl(`${redisPrefix(namespace)}:latest:${topic}`)).toBeGreaterThan(0);
    expect(await redis.pubsub('NUMSUB', channel)).toEqual([channel, 0]);
    await dropNamespace(redis, namespace);
  });

  it('sends only the HMAC of a client credential through Redis, never the key', async () => {
    const set = await begin(2);
    const { sim, replicas, namespace, clock } = set;
    const messages = await monitor(gate.url, namespace);
    const key = `client-key-${randomUUID()}`;
    const id = randomUUID();
    sim.addSync(id, envelope({ recordCount: 0 }), { keys: [key] });
    const subscribers = spread(replicas, id, 1, `Bearer ${key}`);
    await until(() => subscribers.every(({ w }) => w.events.length === 1));
    sim.setStatus(id, envelope({ recordCount: 1 }));
    await clock.runUntil(() => subscribers.every(({ w }) => w.events.length === 2), 3000);
    // The upstream saw the client's own credential (it is the one polled with).
    expect(
      sim.requests.filter((r) => r.syncId === id).map((r) => r.headers['authorization']),
    ).toContain(`Bearer ${key}`);

    const redis = adminClient(gate.url);
    const topic = `${hashOf(`Bearer ${key}`)}:${id}`;
    const keys = await namespaceKeys(redis, namespace);
    expect(keys).toEqual([
      `${redisPrefix(namespace)}:latest:${topic}`,
      `${redisPrefix(namespace)}:lease:${topic}`,
    ]);
    const stored = await Promise.all(keys.map((k) => redis.get(k)));
    const channels = await redis.pubsub('CHANNELS', `${namespace}:*`);
    // The sync's events, and the one channel of hints (poll now: an action changed a sync).
    expect([...(channels as string[])].sort()).toEqual(
      [`${redisPrefix(namespace)}:events:${topic}`, `${redisPrefix(namespace)}:hints`].sort(),
    );
    expect(messages.length).toBe(2);
    const everything = [
      ...keys,
      ...stored.map(String),
      ...(channels as string[]),
      ...messages.flat(),
    ];
    for (const text of everything) {
      expect(text).not.toContain(key);
      expect(text).not.toMatch(/bearer/i);
    }
  });

  it('a replica with no local subscriber of a sync never polls it', async () => {
    const { sim, replicas, clock } = await begin(3);
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    const x = randomUUID();
    const y = randomUUID();
    sim.addSync(x, envelope({ recordCount: 0 }));
    sim.addSync(y, envelope({ recordCount: 0 }));
    const onX = spread([a], x, 2);
    const onY = spread([b], y, 2);
    await until(() => [...onX, ...onY].every(({ w }) => w.events.length === 1));
    await clock.run(WINDOW_MS);

    // Read when no poll is in flight: each replica's polls are exactly its own sync's calls.
    await until(async () => {
      const [pa, pb, pc] = await Promise.all([a.polls(), b.polls(), c.polls()]);
      return pa === sim.statusCalls(x) && pb === sim.statusCalls(y) && pc === 0;
    });
    expect(sim.statusCalls(x)).toBeGreaterThanOrEqual(MIN_POLLS);
    expect(sim.statusCalls(y)).toBeGreaterThanOrEqual(MIN_POLLS);
    expect(await c.metric('polytomic_upstream_requests_total')).toBe(0);
    expect(await c.metric('gateway_active_pollers')).toBe(0);
  });

  it('a subscriber joining a replica that does not poll gets the current status at once', async () => {
    const set = await begin(2);
    const { sim, replicas } = set;
    const [a, b] = replicas as [Replica, Replica];
    const id = randomUUID();
    sim.addSync(id, envelope({ recordCount: 7 }));
    const [first] = spread([a], id, 1);
    await until(() => first?.w.events.length === 1);
    const calls = await settledPolls(set, id);

    // From the status the polling replica last published (Redis), not from another upstream call.
    const [late] = spread([b], id, 1);
    await until(() => late?.w.events.length === 1, 1000);
    expect(recordCounts(late?.w as Watch)).toEqual([7]);
    expect(calls.perReplica[b.index]).toBe(0);
    expect(await b.polls()).toBe(0);
  });

  // BUG (src/datasources/live/redis/fan-out.ts publish + poller.ts): `latest` is written only
  // when a status changes and expires after max(60 s, 3 × POLL_IDLE_INTERVAL_MS). A sync that has
  // not changed for that long (any idle or completed sync) has no `latest`, the leader never
  // republishes an unchanged status, so a subscriber joining a non-polling replica gets no first
  // event at all until the sync changes (hours, for a daily sync). Deleting the key stands in
  // for its expiry, which would take 90 s here.
  it('a subscriber joining a non-polling replica gets a first event after `latest` expired', async () => {
    const { sim, replicas, namespace, clock } = await begin(2);
    const [a, b] = replicas as [Replica, Replica];
    const id = randomUUID();
    sim.addSync(id, envelope({ recordCount: 7 }));
    const [first] = spread([a], id, 1);
    await until(() => first?.w.events.length === 1);
    const redis = adminClient(gate.url);
    const latest = `${redisPrefix(namespace)}:latest:${hashOf(`Bearer ${SIM_KEY}`)}:${id}`;
    expect(await redis.exists(latest)).toBe(1);
    await redis.del(latest);

    const [late] = spread([b], id, 1);
    // Two leases and four polls: ample for any way of getting the current status.
    await clock
      .runUntil(() => (late?.w.events.length ?? 0) > 0, 2 * LEASE_MS + 4 * POLL_MS)
      .catch(() => {});
    expect(recordCounts(late?.w as Watch)).toEqual([7]);
  });

  it('an action on a replica that does not poll the sync makes the one that does poll it now', async () => {
    const set = await begin(2);
    const [acting, polling] = set.replicas as [Replica, Replica];
    const sync = SIM_CATALOGUE_SYNCS.hubspotSnowflake;
    const [watcher] = spread([polling], sync, 1);
    await until(() => watcher?.w.events.length === 1);
    expect(executionOf(watcher?.w.events[0])).toBeNull();
    const polls = await polling.polls();
    const started = await fetch(`${acting.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SIM_KEY}` },
      body: JSON.stringify({
        query: 'mutation ($id: ID!) { startBulkSync(id: $id) { execution { id } } }',
        variables: { id: sync },
      }),
    });
    expect(((await started.json()) as { errors?: unknown }).errors).toBeUndefined();
    // The clock stands still: only the hint through Redis can make the polling replica look.
    await until(() => watcher?.w.events.length === 2);
    expect(executionOf(watcher?.w.events[1])).toEqual({ recordCount: 0 });
    expect(await polling.polls()).toBe(polls + 1);
    expect(await acting.polls()).toBe(0);
  });

  it('an action on another replica reaches a watcher there with the sync’s own fields re-read', async () => {
    const set = await begin(2);
    const [acting, polling] = set.replicas as [Replica, Replica];
    const sync = SIM_CATALOGUE_SYNCS.hubspotSnowflake;
    const query = 'subscription ($id: ID!) { bulkSync(id: $id) { active } }';
    const watcher = watch(wsClient(polling.url), query, { id: sync });
    await until(() => watcher.events.length === 1);
    expect(watcher.events[0]?.data).toEqual({ bulkSync: { active: true } });
    const paused = await fetch(`${acting.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SIM_KEY}` },
      body: JSON.stringify({
        query:
          'mutation ($id: ID!) { setBulkSyncActive(id: $id, active: false) { bulkSync { id } } }',
        variables: { id: sync },
      }),
    });
    expect(((await paused.json()) as { errors?: unknown }).errors).toBeUndefined();
    // The polling replica had the record cached (CATALOG_TTL_MS): only the hint can drop it.
    await until(() => watcher.events.length === 2);
    expect(watcher.events[1]?.data).toEqual({ bulkSync: { active: false } });
  });
});
