import { Redis } from 'ioredis';
import type { Logger } from '../../logger.js';
import { SNAPSHOT_FORMAT } from '../polytomic/types.js';

/** The two connections a replica needs (pub/sub takes one over), and whether Redis answers. */
export interface RedisLink {
  commands: Redis;
  subscriber: Redis;
  /** True while the command connection is ready; false sends replicas to local polling. */
  isUp(): boolean;
  close(): Promise<void>;
}

/**
 * Connects to REDIS_URL. Commands fail fast while disconnected (no offline queue): a replica
 * that cannot reach Redis falls back to polling on its own rather than waiting. Reconnection is
 * automatic; each transition is logged once and reported through `onState`.
 */
export function connectRedis(url: string, log: Logger, onState?: (up: boolean) => void): RedisLink {
  const options = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // A Redis that stops answering must not hold a lease campaign (or anything) for ever: the
    // campaign then falls back to leading locally, as for a Redis that refuses connections.
    commandTimeout: HEARTBEAT_TIMEOUT_MS,
    // A command given up on is not sent again on the next connection: replayed after the
    // replicas polled locally, an old SET of the latest status was served as news (0 after 1).
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  };
  const commands = new Redis(url, options);
  // The fan-out renews every subscription itself on 'ready' (see redis-fan-out.ts).
  const subscriber = new Redis(url, options);
  // Unknown until the first connection attempt settles, so "unreachable at start" is reported.
  let up: boolean | undefined;
  const state = () => commands.status === 'ready' && subscriber.status === 'ready';
  const settled = new Set<Redis>();
  const report = (connection: Redis) => {
    settled.add(connection);
    // Wait for both first outcomes: one connection ready before the other is not "down".
    if (settled.size < 2) return;
    const next = state();
    if (next === up) return;
    up = next;
    if (next) log.info('redis reachable: sharing pollers with the other replicas');
    else log.warn('redis unreachable: polling locally until it returns');
    onState?.(next);
  };
  for (const connection of [commands, subscriber]) {
    connection.on('ready', () => report(connection));
    connection.on('close', () => report(connection));
  }
  // ioredis emits 'error' on every failed reconnect; the state change above is the signal.
  commands.on('error', () => {});
  subscriber.on('error', () => {});
  const heartbeat = startHeartbeat([commands, subscriber]);
  return {
    commands,
    subscriber,
    // Both: a replica that can command Redis but not hear it must poll for its own watchers.
    isUp: state,
    async close() {
      heartbeat.stop();
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

const HEARTBEAT_MS = 1000;
const HEARTBEAT_TIMEOUT_MS = 2000;

/**
 * A Redis that stops answering without closing its sockets (paused, overloaded, a network that
 * drops packets) would never be noticed: ioredis waits for ever, the replicas that do not poll
 * hear nothing, and `gateway_redis_up` stays 1. Each connection is pinged every second; one that
 * has not answered within two is dropped and reconnected, which reports Redis down until it
 * answers again (a reconnect is 'ready' only once Redis replies).
 */
function startHeartbeat(connections: Redis[]): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const beat = async () => {
    await Promise.all(
      connections.map(async (connection) => {
        if (connection.status !== 'ready') return;
        if (!(await answersWithin(connection, HEARTBEAT_TIMEOUT_MS)) && !stopped) {
          connection.disconnect(true);
        }
      }),
    );
    if (!stopped) timer = setTimeout(beat, HEARTBEAT_MS).unref();
  };
  timer = setTimeout(beat, HEARTBEAT_MS).unref();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** Whether `connection` answers a PING (or fails it: an error is an answer) within `ms`. */
function answersWithin(connection: Redis, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const late = setTimeout(() => resolve(false), ms).unref();
    const answered = () => {
      clearTimeout(late);
      resolve(true);
    };
    connection.ping().then(answered, answered);
  });
}

/** The prefix of every key and channel: the operator's namespace, then the snapshot format. */
export function redisPrefix(namespace: string): string {
  return `${namespace}:f${SNAPSHOT_FORMAT}`;
}
