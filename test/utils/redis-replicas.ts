import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { connectRedis, type RedisLink } from '../../src/datasources/live/redis/connection.js';
import { createLogger } from '../../src/observability/logger.js';
import { createSimulator, type Simulator } from '../../tools/simulator/index.js';
import { until } from './manual-scheduler.js';
import { captureLogs, testEnv } from './test-app.js';

/** The Redis the tests share: `REDIS_TEST_URL`, else the local default. Never flushed or stopped. */
export const REDIS_TEST_URL = process.env['REDIS_TEST_URL'] ?? 'redis://127.0.0.1:6379';

/** Shared by every replica of a test, so they hash credentials to the same keys. */
export const TEST_SECRET = 'test-secret-0123456789abcdef';

/** Poll period and lease of the Redis tests: small, because leadership runs on real timers. */
export const POLL_MS = 200;
export const LEASE_MS = 600;

/** Whether a Redis answers PING at `url` (one attempt, no retries). */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** What a Redis test file decides once, at its top. */
export interface RedisGate {
  url: string;
  available: boolean;
  /** Skip only when nothing answers and `CI` is unset; under CI the tests run and fail. */
  skip: boolean;
  /** Throws (for a `beforeAll`) when Redis is missing, so CI fails with the reason. */
  require(): void;
}

/**
 * Probes Redis with a real PING. `needsServerBinary` also requires `redis-server` on PATH (the
 * outage test runs a private one). Prints the one-line skip reason when skipping.
 */
export async function probeRedis(
  options: { needsServerBinary?: boolean } = {},
): Promise<RedisGate> {
  const url = REDIS_TEST_URL;
  let reason: string | undefined;
  if (!(await redisAnswers(url))) reason = `no Redis at ${url}`;
  else if (options.needsServerBinary && !hasRedisServerBinary()) {
    reason = 'no redis-server binary on PATH';
  }
  const available = reason === undefined;
  const skip = !available && !process.env['CI'];
  if (skip) console.warn(`Redis tests skipped: ${reason}`);
  return {
    url,
    available,
    skip,
    require() {
      if (!available) throw new Error(`Redis tests need Redis (CI is set): ${reason}`);
    },
  };
}

function hasRedisServerBinary(): boolean {
  const result = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return result.status === 0;
}

/** A plain ioredis client for assertions (scan keys, PTTL, PSUBSCRIBE). */
export function adminClient(url: string = REDIS_TEST_URL): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  return client;
}

/** A fresh namespace per test, so parallel files and tests never see each other's keys. */
export function freshNamespace(): string {
  return `test-${randomUUID()}`;
}

/** Every key under `<namespace>:`. */
export async function namespaceKeys(redis: Redis, namespace: string): Promise<string[]> {
  return scanKeys(redis, `${namespace}:*`);
}

/** Every key matching `pattern` (SCAN, never KEYS). */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return [...new Set(keys)].sort();
}

/** Deletes the namespace's keys (cleanup of a test; the shared Redis is never flushed). */
export async function dropNamespace(redis: Redis, namespace: string): Promise<void> {
  const keys = await namespaceKeys(redis, namespace);
  if (keys.length > 0) await redis.del(...keys);
}

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

/** N gateways sharing ONE simulator (and, through REDIS_URL, one Redis namespace). */
export interface ReplicaSet {
  sim: Simulator;
  namespace: string;
  replicas: Replica[];
  /** The replicas not stopped yet. */
  running(): Replica[];
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
  /** An existing simulator (not closed by the set). @default a fresh one */
  sim?: Simulator;
}

/**
 * Starts one simulator and `count` gateways on it (as test-app.ts does for one), each with
 * REDIS_URL, the same CREDENTIAL_HASH_SECRET and one fresh REDIS_NAMESPACE, the cache off (so
 * every upstream call is a poll) and POLL_MS / LEASE_MS.
 */
export async function startReplicas(
  count: number,
  options: ReplicaOptions = {},
): Promise<ReplicaSet> {
  const ownSim = options.sim === undefined;
  const sim = options.sim ?? createSimulator();
  if (ownSim) await sim.start();
  const namespace = freshNamespace();
  const replicas: Replica[] = [];
  const set: ReplicaSet = {
    sim,
    namespace,
    replicas,
    running: () => replicas.filter((r) => !r.stopped),
    async close() {
      await Promise.all(replicas.map((r) => r.stop()));
      if (ownSim) await sim.close();
    },
  };
  try {
    for (let index = 0; index < count; index++) {
      const env = {
        ...testEnv(sim.url),
        POLL_INTERVAL_MS: String(POLL_MS),
        REDIS_URL: REDIS_TEST_URL,
        REDIS_NAMESPACE: namespace,
        REDIS_LEASE_MS: String(LEASE_MS),
        CREDENTIAL_HASH_SECRET: TEST_SECRET,
        SHUTDOWN_TIMEOUT_MS: '1000',
        ...options.env,
        ...options.envOf?.(index),
      };
      replicas.push(await startReplica(index, env));
    }
    if (options.waitForRedis ?? true) {
      for (const replica of replicas) await untilMetric(replica, 'gateway_redis_up', 1);
    }
  } catch (error) {
    await set.close();
    throw error;
  }
  return set;
}

async function startReplica(index: number, env: Record<string, string | undefined>) {
  const { logs, sink } = captureLogs();
  const config = loadConfig(env);
  const app = createApp(config, { logger: createLogger(config.logLevel, sink) });
  const url = await app.start();
  const replica: Replica = {
    index,
    app,
    url,
    logs,
    stopped: false,
    metric: async (name) => sumSeries(await app.metrics.registry.metrics(), name),
    polls: () => replica.metric('gateway_polls_total'),
    async stop() {
      replica.stopped = true;
      await app.stop();
    },
  };
  return replica;
}

/** Sum of every sample of `name` in Prometheus text (labelled or not). */
export function sumSeries(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

/** Waits until `replica`'s series `name` reads `value`. */
export async function untilMetric(replica: Replica, name: string, value: number, timeoutMs = 5000) {
  await untilAsync(async () => (await replica.metric(name)) === value, timeoutMs);
}

/** Like `until`, for an async condition, polling every 10 ms. */
export async function untilAsync(condition: () => Promise<boolean>, timeoutMs = 5000) {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Upstream status calls for `syncId` the simulator received at or after `since` (sim clock). */
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
 * Watches the upstream calls of `syncId` for `windowMs` and returns them with each replica's poll
 * count over the same window. The per-replica counts are read when no poll is in flight (the
 * sum of the replicas' completed polls equals the simulator's count), so they are exact.
 */
export async function pollWindow(
  set: ReplicaSet,
  syncId: string,
  windowMs: number,
): Promise<{ times: number[]; perReplica: number[] }> {
  const before = await settledPolls(set, syncId);
  await sleep(windowMs);
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
  await untilAsync(async () => {
    const calls = set.sim.statusCalls(syncId);
    const perReplica = await Promise.all(set.replicas.map((r) => r.polls()));
    const settled = perReplica.reduce((a, b) => a + b, 0) === calls;
    if (settled && set.sim.statusCalls(syncId) === calls) result = { calls, perReplica };
    return result !== undefined;
  });
  return result as { calls: number; perReplica: number[] };
}

/** The replica whose poll count grows (the leader of the only watched sync). */
export async function findPoller(set: ReplicaSet, syncId: string, windowMs = POLL_MS * 3) {
  const { perReplica } = await pollWindow(set, syncId, windowMs);
  const pollers = set.replicas.filter((_, i) => (perReplica[i] ?? 0) > 0);
  if (pollers.length !== 1) throw new Error(`expected one polling replica, got ${perReplica}`);
  return pollers[0] as Replica;
}

/** A free TCP port on 127.0.0.1 (closed again, so a later listener may take it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A redis-server child process of this test only: it may be killed and restarted at will. */
export interface PrivateRedis {
  port: number;
  url: string;
  /** SIGKILL (a crash: nothing is persisted, every connection drops). */
  kill(): Promise<void>;
  /** Starts again on the same port, empty. */
  restart(): Promise<void>;
  /** SIGSTOP: connections stay open and nothing answers (a hung or partitioned Redis). */
  pause(): void;
  /** SIGCONT: answers again, with everything still there. */
  resume(): void;
  close(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const launch = async () => {
    const started = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--enable-debug-command',
        'local',
      ],
      { stdio: 'ignore' },
    );
    child = started;
    await until(() => started.exitCode === null, 1000);
    const deadline = Date.now() + 5000;
    while (!(await redisAnswers(url))) {
      if (started.exitCode !== null) throw new Error(`redis-server on ${port} exited`);
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer`);
      await sleep(20);
    }
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    port,
    url,
    kill,
    restart: launch,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    close: kill,
  };
}

/**
 * For a describe block of tests on bare Redis links (no app): an admin client, links that are
 * closed and a namespace that is dropped after each test. Under CI a missing Redis fails every
 * test rather than skipping it.
 */
export function useRedisLinks(gate: RedisGate) {
  let admin: Redis | undefined;
  const links: RedisLink[] = [];
  let namespace = '';
  beforeAll(() => {
    admin = adminClient(gate.url);
  });
  beforeEach(() => gate.require());
  afterEach(async () => {
    for (const l of links.splice(0)) await l.close();
    if (namespace) await dropNamespace(admin as Redis, namespace);
    namespace = '';
  });
  afterAll(() => {
    admin?.disconnect();
  });
  return {
    admin: () => admin as Redis,
    /** A link that is up. */
    async link(): Promise<RedisLink> {
      const l = connectRedis(gate.url, createLogger('silent'));
      links.push(l);
      await until(() => l.isUp());
      return l;
    },
    /** This test's namespace, fresh. */
    namespace(): string {
      namespace = freshNamespace();
      return namespace;
    },
  };
}
