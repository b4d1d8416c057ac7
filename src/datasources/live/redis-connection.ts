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
  return {
    commands,
    subscriber,
    // Both: a replica that can command Redis but not hear it must poll for its own watchers.
    isUp: state,
    async close() {
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

/** The prefix of every key and channel: the operator's namespace, then the snapshot format. */
export function redisPrefix(namespace: string): string {
  return `${namespace}:f${SNAPSHOT_FORMAT}`;
}
