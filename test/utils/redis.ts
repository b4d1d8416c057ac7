import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { beforeEach, describe } from 'vitest';
import { connectRedis, type RedisLink } from '../../src/datasources/live/redis/connection.js';
import type { Scheduler } from '../../src/datasources/live/scheduler.js';
import { createLogger } from '../../src/observability/logger.js';
import { leftover } from './leftovers.js';
import { freePort } from './net.js';
import { sleep, until } from './wait.js';

/** The Redis the tests share: `REDIS_TEST_URL`, else the local default. Never flushed or stopped. */
export const REDIS_TEST_URL = process.env['REDIS_TEST_URL'] ?? 'redis://127.0.0.1:6379';

/**
 * REDIS_LEASE_MS of the tests. Renewals and campaigns run on the manual clock, so a lease costs
 * no real time; only the key's PX runs on Redis's own clock, and no test waits for it: it is long
 * enough that a lease never expires while a test waits for something in real time.
 */
export const LEASE_MS = 5000;

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
  /** Skip only when nothing answers and `CI` is unset; under CI the tests run and fail. */
  skip: boolean;
  /** Throws when Redis is missing, so each test fails with the reason under CI. */
  require(): void;
}

/**
 * Probes Redis with a real PING. `needsServerBinary` also requires `redis-server` on PATH (for
 * tests that run a private one). Warns with the reason when the tests will be skipped.
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
  const skip = reason !== undefined && !process.env['CI'];
  if (skip) console.warn(`Redis tests skipped: ${reason} (set CI to make this a failure)`);
  return {
    url,
    skip,
    require() {
      if (reason !== undefined) throw new Error(`Redis tests need Redis (CI is set): ${reason}`);
    },
  };
}

/**
 * The one way a file declares tests that need Redis: skipped with a console warning when no
 * Redis answers and `CI` is unset; with `CI` set, every test fails with the reason instead.
 */
export async function describeWithRedis(
  name: string,
  body: (gate: RedisGate) => void,
  options: { needsServerBinary?: boolean } = {},
): Promise<void> {
  const gate = await probeRedis(options);
  describe.skipIf(gate.skip)(name, () => {
    beforeEach(() => gate.require());
    body(gate);
  });
}

function hasRedisServerBinary(): boolean {
  const result = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return result.status === 0;
}

/** A plain ioredis client for assertions (scan keys, PTTL, PSUBSCRIBE), closed with the leftovers. */
export function adminClient(url: string = REDIS_TEST_URL): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  leftover('Redis client', () => client.disconnect());
  return client;
}

/** A fresh namespace, so parallel files and tests never see each other's keys. */
export function freshNamespace(): string {
  return `test-${randomUUID()}`;
}

/** Every key matching `pattern` (SCAN, never KEYS), sorted. */
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

/** Every key under `<namespace>:`. */
export function namespaceKeys(redis: Redis, namespace: string): Promise<string[]> {
  return scanKeys(redis, `${namespace}:*`);
}

/** Deletes the namespace's keys (the shared Redis is never flushed). */
export async function dropNamespace(redis: Redis, namespace: string): Promise<void> {
  const keys = await namespaceKeys(redis, namespace);
  if (keys.length > 0) await redis.del(...keys);
}

/** A fresh namespace whose keys are deleted with the leftovers. */
export function testNamespace(url: string = REDIS_TEST_URL): string {
  const namespace = freshNamespace();
  const admin = adminClient(url);
  leftover('Redis namespace', () => dropNamespace(admin, namespace));
  return namespace;
}

/**
 * The gateway's own Redis link (no app), its heartbeat on `scheduler`; closed with the leftovers.
 * Resolves once it is up.
 */
export async function redisLink(url: string, scheduler: Scheduler): Promise<RedisLink> {
  const link = connectRedis(url, createLogger('silent'), { scheduler });
  leftover('Redis link', () => link.close());
  await until(() => link.isUp(), 5000, 'Redis link up');
  return link;
}

/**
 * Resolves once every command the link's command connection was given, and every command sent
 * in answer to those replies (a lease released after a late SET), has been executed: a PING, a
 * turn of the event loop for the replies' continuations, then a PING behind whatever they sent.
 */
export async function commandsExecuted(link: RedisLink): Promise<void> {
  await link.commands.ping();
  await new Promise((resolve) => setImmediate(resolve));
  await link.commands.ping();
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
  /** Blocks the server for `seconds` (DEBUG SLEEP, as a slow script does); resolves after. */
  stall(seconds: number): Promise<void>;
  /** False while paused or stalled. */
  answering(): boolean;
}

/** Starts a private redis-server on a free port; killed with the leftovers. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let paused = false;
  let stalls = 0;
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
  leftover('private redis-server', kill);
  // Connected now, so a stall begins the moment it is asked for.
  const staller = new Redis(url, { maxRetriesPerRequest: 1 });
  staller.on('error', () => {});
  leftover('Redis client', () => staller.disconnect());
  return {
    port,
    url,
    kill,
    restart: launch,
    pause: () => {
      paused = true;
      child?.kill('SIGSTOP');
    },
    resume: () => {
      paused = false;
      child?.kill('SIGCONT');
    },
    async stall(seconds) {
      stalls++;
      try {
        await staller.call('DEBUG', 'SLEEP', String(seconds));
      } finally {
        stalls--;
      }
    },
    answering: () => !paused && stalls === 0,
  };
}
