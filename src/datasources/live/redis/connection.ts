import { Redis } from 'ioredis';
import type { Logger } from '../../../observability/logger.js';
import { SNAPSHOT_FORMAT } from '../../polytomic/types.js';
import { realScheduler, type Scheduler } from '../scheduler.js';

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
export function connectRedis(
  url: string,
  log: Logger,
  {
    onState,
    scheduler = realScheduler,
  }: { onState?: (up: boolean) => void; scheduler?: Scheduler } = {},
): RedisLink {
  const options = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // No command waits for ever. A connection the heartbeat below drops keeps its unanswered
    // commands until this timeout, so a replica may wait up to this long before it falls back
    // to polling on its own. Ours are O(1); a busy Redis answers them in time.
    commandTimeout: 10_000,
    // A command given up on is not sent again on the next connection: replayed after the
    // replicas polled locally, an old SET of the latest status would be served as news.
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  };
  const commands = new Redis(url, options);
  // The fan-out renews every subscription itself on 'ready' (see fan-out.ts).
  const subscriber = new Redis(url, options);
  // Unknown until the first connection attempt settles, so "unreachable at start" is reported.
  let up: boolean | undefined;
  const state = () => commands.status === 'ready' && subscriber.status === 'ready';
  const settled = new Set<Redis>();
  let closing = false;
  const report = (connection: Redis) => {
    // Closing is no outage: nothing to log or report.
    if (closing) return;
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
  const heartbeat = startHeartbeat([commands, subscriber], scheduler);
  return {
    commands,
    subscriber,
    // Both: a replica that can command Redis but not hear it must poll for its own watchers.
    isUp: state,
    async close() {
      closing = true;
      heartbeat.stop();
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

const HEARTBEAT_MS = 1000;
const SILENT_BEATS = 5;

/**
 * A Redis that stops answering without closing its sockets (paused, a network that drops
 * packets) would never be noticed: ioredis waits for ever, the replicas that do not poll hear
 * nothing, and `gateway_redis_up` stays 1. Each connection is pinged every second; one whose ping
 * has gone unanswered for five beats is dropped and reconnected, which reports Redis down until
 * it answers again (a reconnect is 'ready' only once Redis replies). A stall of a few seconds (a
 * slow script, a fork on a big dataset) is no outage: sending every replica to local polling
 * at once would multiply the upstream calls.
 */
function startHeartbeat(connections: Redis[], scheduler: Scheduler): { stop(): void } {
  // Beats since each connection's unanswered ping was sent.
  const waiting = new Map<Redis, number>();
  let stopped = false;
  let timer: unknown;
  const beat = () => {
    for (const connection of connections) {
      const beats = waiting.get(connection);
      if (beats !== undefined) {
        if (beats + 1 >= SILENT_BEATS) {
          waiting.delete(connection);
          connection.disconnect(true);
        } else waiting.set(connection, beats + 1);
        continue;
      }
      if (connection.status !== 'ready') continue;
      waiting.set(connection, 0);
      // Any answer, an error included, is a Redis that answers.
      const answered = () => waiting.delete(connection);
      connection.ping().then(answered, answered);
    }
    if (!stopped) timer = scheduler.setTimeout(beat, HEARTBEAT_MS);
  };
  timer = scheduler.setTimeout(beat, HEARTBEAT_MS);
  return {
    stop() {
      stopped = true;
      scheduler.clearTimeout(timer);
    },
  };
}

/** The prefix of every key and channel: the operator's namespace, then the snapshot format. */
export function redisPrefix(namespace: string): string {
  return `${namespace}:f${SNAPSHOT_FORMAT}`;
}
