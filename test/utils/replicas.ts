import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { redisPrefix } from '../../src/datasources/live/redis/connection.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Simulator } from '../../tools/simulator/index.js';
import { envelope } from '../fixtures/status.js';
import { leftover } from './leftovers.js';
import { type Clock, createClock, createManualScheduler } from './manual-scheduler.js';
import { scrape, sumSeries, untilMetric } from './metrics.js';
import { executionOf, SUB_COUNT } from './operations.js';
import {
  adminClient,
  dropNamespace,
  freshNamespace,
  LEASE_MS,
  namespaceKeys,
  type PrivateRedis,
  REDIS_TEST_URL,
} from './redis.js';
import { captureLogs, startSimulator, testEnv } from './test-app.js';
import { until } from './wait.js';
import { type Watch, watch, wsClient } from './ws.js';

/** Shared by every replica of a test, so they hash credentials to the same keys. */
export const TEST_SECRET = 'test-secret-0123456789abcdef';

/** POLL_INTERVAL_MS of the replicas (virtual time: small only to keep the numbers small). */
export const POLL_MS = 200;

/** A measuring window of 6 poll intervals. */
export const WINDOW_MS = POLL_MS * 6;
/**
 * Most polls one poller can make in WINDOW_MS: one per interval, plus one because a window of
 * whole intervals can hold a poll at each edge. Two pollers would make about twice as many.
 */
export const MAX_POLLS = WINDOW_MS / POLL_MS + 1;
/**
 * Fewest polls one live poller makes in WINDOW_MS. Tolerance: each period is POLL_MS plus the
 * poller's jitter (≤ 5 %) plus the upstream round trip (none in virtual time; 25 ms allowed), and
 * the window may cut the first and last period: minus one.
 */
export const MIN_POLLS = Math.floor(WINDOW_MS / (POLL_MS * 1.05 + 25)) - 1;

/** One gateway of a replica set, on a real port, with its log lines captured. */
export interface Replica {
  index: number;
  app: App;
  /** Base URL (`http://127.0.0.1:<port>`). */
  url: string;
  logs: string[];
  stopped: boolean;
  /** Sum of every series of `name` (all label values) in this replica's registry. */
  metric(name: string): Promise<number>;
  /** `gateway_polls_total` over all outcomes: upstream polls this replica made. */
  polls(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * N gateways sharing ONE simulator and, through REDIS_URL, one Redis namespace; their timers
 * (polls, leases, heartbeats) on one manual clock, which is also the simulator's clock (so the
 * simulator records each request at its virtual time).
 */
export interface ReplicaSet {
  sim: Simulator;
  namespace: string;
  replicas: Replica[];
  clock: Clock;
  /** The replicas not stopped yet. */
  running(): Replica[];
  /** Stops every replica (also done with the leftovers). */
  close(): Promise<void>;
}

/** Options of {@link startReplicas}. */
export interface ReplicaOptions {
  /** Environment of every replica, over the defaults. */
  env?: Record<string, string | undefined>;
  /** Per-replica environment, over `env`. */
  envOf?: (index: number) => Record<string, string | undefined>;
  /** Wait until each replica reports `gateway_redis_up 1`. @default true */
  waitForRedis?: boolean;
  /** A private redis-server to use instead of the shared one (its pauses stop the clock's waits). */
  redis?: PrivateRedis;
}

/**
 * Starts one simulator and `count` gateways on it, each with REDIS_URL, the same
 * CREDENTIAL_HASH_SECRET and one fresh REDIS_NAMESPACE, the cache off (so every upstream call is
 * a poll), POLL_MS and LEASE_MS. Everything is closed with the leftovers.
 */
export async function startReplicas(
  count: number,
  options: ReplicaOptions = {},
): Promise<ReplicaSet> {
  const scheduler = createManualScheduler();
  const epoch = Date.now();
  const sim = await startSimulator({ now: () => epoch + scheduler.now });
  const redisUrl = options.redis?.url ?? options.env?.['REDIS_URL'] ?? REDIS_TEST_URL;
  const { redis } = options;
  const clock = createClock(scheduler, {
    flush: flushThrough(redisUrl),
    answering: () => redis?.answering() ?? true,
  });
  const namespace = freshNamespace();
  const replicas: Replica[] = [];
  for (let index = 0; index < count; index++) {
    const env = {
      ...testEnv(sim.url),
      POLL_INTERVAL_MS: String(POLL_MS),
      REDIS_URL: redisUrl,
      REDIS_NAMESPACE: namespace,
      REDIS_LEASE_MS: String(LEASE_MS),
      CREDENTIAL_HASH_SECRET: TEST_SECRET,
      SHUTDOWN_TIMEOUT_MS: '1000',
      ...options.env,
      ...options.envOf?.(index),
    };
    replicas.push(await startReplica(index, env, clock));
  }
  if (options.waitForRedis ?? true) {
    for (const replica of replicas) await untilMetric(replica, 'gateway_redis_up', 1);
  }
  return {
    sim,
    namespace,
    replicas,
    clock,
    running: () => replicas.filter((r) => !r.stopped),
    async close() {
      await Promise.all(replicas.map((r) => r.stop()));
    },
  };
}

/**
 * A round trip of our own through the replicas' Redis after each firing: the heartbeat sends its
 * PING without waiting, and one left unanswered when the next beat fires counts as a silent
 * Redis. Redis answers its clients in the order their commands came, so once ours is answered,
 * the beat's PING (sent before it) has been too.
 */
function flushThrough(url: string): () => Promise<void> {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  client.on('error', () => {});
  leftover('Redis client', () => client.disconnect());
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    // A Redis that is down fails the PING at once; the timeout is a backstop only.
    const backstop = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 1000);
    });
    await Promise.race([client.ping().catch(() => undefined), backstop]);
    clearTimeout(timer);
  };
}

async function startReplica(
  index: number,
  env: Record<string, string | undefined>,
  clock: Clock,
): Promise<Replica> {
  const { logs, sink } = captureLogs();
  const config = loadConfig(env);
  const app = createApp(config, {
    logger: createLogger(config.logLevel, sink),
    scheduler: clock.scheduler,
  });
  const url = await app.start();
  const stop = leftover(`replica ${index}`, () => app.stop());
  const replica: Replica = {
    index,
    app,
    url,
    logs,
    stopped: false,
    metric: async (name) => sumSeries(await scrape(replica), name),
    polls: () => replica.metric('gateway_polls_total'),
    async stop() {
      replica.stopped = true;
      await stop();
    },
  };
  return replica;
}

/**
 * Checks, once `set` is closed (with the leftovers, or earlier by the test), that the replicas
 * released every lease at stop and that whatever they left expires on its own; with `drop`, then
 * deletes the namespace and checks it is empty.
 */
export function expectCleanStop(set: ReplicaSet, redisUrl: string, { drop = false } = {}): void {
  const admin = adminClient(redisUrl);
  leftover('lease check', async () => {
    await set.close();
    const keys = await namespaceKeys(admin, set.namespace);
    expect(keys.filter((key) => key.startsWith(`${redisPrefix(set.namespace)}:lease:`))).toEqual(
      [],
    );
    for (const key of keys) expect(await admin.pttl(key)).toBeGreaterThan(0);
    if (drop) {
      await dropNamespace(admin, set.namespace);
      expect(await namespaceKeys(admin, set.namespace)).toEqual([]);
    }
  });
}

/** Upstream status calls for `syncId` the simulator received at or after `since` (virtual time). */
export function pollTimes(sim: Simulator, syncId: string, since = 0): number[] {
  const id = syncId.toLowerCase();
  return sim.requests
    .filter((r) => r.syncId === id && r.path.endsWith('/status') && r.at >= since)
    .map((r) => r.at);
}

/** Smallest gap between consecutive times (Infinity with fewer than two). */
export function smallestGap(times: readonly number[]): number {
  let gap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++) {
    gap = Math.min(gap, (times[i] as number) - (times[i - 1] as number));
  }
  return gap;
}

/**
 * Runs `windowMs` of virtual time and returns the upstream calls of `syncId` in it, with each
 * replica's poll count over the same window. The per-replica counts are read when no poll is in
 * flight (the sum of the replicas' completed polls equals the simulator's count), so they are
 * exact.
 */
export async function pollWindow(
  set: ReplicaSet,
  syncId: string,
  windowMs: number,
): Promise<{ times: number[]; perReplica: number[] }> {
  const before = await settledPolls(set, syncId);
  await set.clock.run(windowMs);
  const after = await settledPolls(set, syncId);
  const times = pollTimes(set.sim, syncId).slice(before.calls, after.calls);
  return { times, perReplica: after.perReplica.map((n, i) => n - (before.perReplica[i] ?? 0)) };
}

/**
 * Every replica's poll count at a moment when no poll is in flight: retried until the sum of
 * the counts equals the simulator's status calls for `syncId`. Only valid when every poll of the
 * set is for `syncId` (one watched sync).
 */
export async function settledPolls(
  set: ReplicaSet,
  syncId: string,
): Promise<{ calls: number; perReplica: number[] }> {
  let result: { calls: number; perReplica: number[] } | undefined;
  await until(
    async () => {
      const calls = set.sim.statusCalls(syncId);
      const perReplica = await Promise.all(set.replicas.map((r) => r.polls()));
      const settled = perReplica.reduce((a, b) => a + b, 0) === calls;
      if (settled && set.sim.statusCalls(syncId) === calls) result = { calls, perReplica };
      return result !== undefined;
    },
    5000,
    'no poll in flight',
  );
  return result as { calls: number; perReplica: number[] };
}

/** The replica whose poll count grows (the leader of the only watched sync). */
export async function findPoller(set: ReplicaSet, syncId: string, windowMs = POLL_MS * 3) {
  const { perReplica } = await pollWindow(set, syncId, windowMs);
  const pollers = set.replicas.filter((_, i) => (perReplica[i] ?? 0) > 0);
  if (pollers.length !== 1) throw new Error(`expected one polling replica, got ${perReplica}`);
  return pollers[0] as Replica;
}

/** `recordCount` of each `SUB_COUNT` event a subscriber received, in order. */
export function recordCounts(w: Watch): number[] {
  return w.events.map((event) => (executionOf(event) as { recordCount: number }).recordCount);
}

/** The `recordCount` of a sentinel change: far from any a test sets. */
export const SENTINEL_COUNT = 999_999;

/**
 * Shows that nothing more is on its way to the subscribers of `syncId`: one more change, which
 * every `SUB_COUNT` subscriber selects, run on the clock until each has it. The leader publishes
 * in poll order and Redis delivers in publish order, so whatever was on its way to a subscriber
 * arrived before the sentinel. Returns, per subscriber, the counts it had received before it.
 */
export async function countsBeforeSentinel(
  set: ReplicaSet,
  syncId: string,
  subscribers: readonly { w: Watch }[],
  withinMs = 3000,
): Promise<number[][]> {
  set.sim.setStatus(syncId, envelope({ recordCount: SENTINEL_COUNT }));
  const arrived = ({ w }: { w: Watch }) => recordCounts(w).includes(SENTINEL_COUNT);
  await set.clock.runUntil(() => subscribers.every(arrived), withinMs);
  return subscribers.map(({ w }) => {
    const counts = recordCounts(w);
    return counts.slice(0, counts.indexOf(SENTINEL_COUNT));
  });
}

/**
 * `perReplica` `SUB_COUNT` subscribers of `syncId` on every given replica, each on its own
 * WebSocket (with `authorization` as connectionParams when given).
 */
export function spread(
  replicas: readonly Replica[],
  syncId: string,
  perReplica: number,
  authorization?: string,
): { replica: Replica; w: Watch }[] {
  return replicas.flatMap((replica) =>
    Array.from({ length: perReplica }, () => {
      const client = wsClient(
        replica.url,
        authorization ? { connectionParams: { authorization } } : {},
      );
      return { replica, w: watch(client, SUB_COUNT, { id: syncId }) };
    }),
  );
}
