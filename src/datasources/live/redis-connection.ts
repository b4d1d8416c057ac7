import { Redis } from 'ioredis';
import type { Logger } from '../../logger.js';

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
  // The subscriber keeps its offline queue: SUBSCRIBE must be replayed after a reconnect.
  const subscriber = new Redis(url, { ...options, enableOfflineQueue: true });
  let up = false;
  const report = (next: boolean) => {
    if (next === up) return;
    up = next;
    if (next) log.info('redis reachable: sharing pollers with the other replicas');
    else log.warn('redis unreachable: polling locally until it returns');
    onState?.(next);
  };
  commands.on('ready', () => report(true));
  commands.on('close', () => report(false));
  // ioredis emits 'error' on every failed reconnect; the state change above is the signal.
  commands.on('error', () => {});
  subscriber.on('error', () => {});
  return {
    commands,
    subscriber,
    isUp: () => up && commands.status === 'ready',
    async close() {
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}
