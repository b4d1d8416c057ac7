import { randomUUID } from 'node:crypto';
import type { LiveEvent } from '../events.js';
import type { FanOut, Hint } from '../fan-out.js';
import type { RedisLink } from './connection.js';

interface Envelope {
  /** The publishing replica, so it can skip its own echo (it delivered locally already). */
  from: string;
  event: LiveEvent;
}

/**
 * Fan-out through Redis pub/sub: a replica delivers its own poller's events to its own watchers
 * at once and publishes them on the topic's channel; every other replica with watchers of the
 * topic subscribes to that channel once, so each event reaches each replica exactly once.
 *
 * The latest event of a topic is kept (`SET … PX`, refreshed on every poll, changed or not), so a
 * watcher joining on a replica that does not poll gets the current status at once; it is read
 * only after the channel subscription is confirmed, so nothing falls between the two. A poll that
 * finds the stored status gone republishes it, for watchers that joined while it was missing. After a
 * reconnect every channel is subscribed again and its latest event re-read. While Redis is down
 * events stay local, and each replica polls for itself (see leadership.ts).
 */
export function createRedisFanOut(
  redis: RedisLink,
  { namespace, latestTtlMs }: { namespace: string; latestTtlMs: number },
): FanOut {
  const me = randomUUID();
  const listeners = new Map<string, Set<(event: LiveEvent) => void>>();
  const subscribed = new Map<string, Promise<unknown>>();
  const prefix = `${namespace}:events:`;
  const latestKey = (topic: string) => `${namespace}:latest:${topic}`;

  /** When the newest status delivered per topic was fetched, for the catch-up below. */
  const deliveredAt = new Map<string, number>();
  const deliver = (topic: string, event: LiveEvent) => {
    if ('snapshot' in event) {
      deliveredAt.set(topic, Math.max(deliveredAt.get(topic) ?? 0, event.snapshot.fetchedAt));
    }
    for (const listener of [...(listeners.get(topic) ?? [])]) listener(event);
  };
  const subscribe = (topic: string) => {
    const confirmed = redis.subscriber.subscribe(`${prefix}${topic}`).catch(() => undefined);
    subscribed.set(topic, confirmed);
    return confirmed;
  };
  const latest = async (topic: string): Promise<LiveEvent | undefined> => {
    await subscribed.get(topic);
    if (!redis.isUp()) return undefined;
    const json = await redis.commands.get(latestKey(topic)).catch(() => null);
    return json ? (JSON.parse(json) as Envelope).event : undefined;
  };

  // Hints (an action changed a sync: whoever polls it, poll now) travel on one channel for all.
  const hints = `${namespace}:hints`;
  const hintListeners = new Set<(syncId: string, hint?: Hint) => void>();
  void redis.subscriber.subscribe(hints).catch(() => undefined);

  redis.subscriber.on('message', (name: string, message: string) => {
    if (name === hints) {
      try {
        const { from, syncId, hint } = JSON.parse(message) as {
          from: string;
          syncId: string;
          hint?: Hint;
        };
        if (from !== me && typeof syncId === 'string') {
          for (const listener of hintListeners) listener(syncId, hint);
        }
      } catch {
        // Not ours to crash on: a malformed hint is dropped.
      }
      return;
    }
    if (!name.startsWith(prefix)) return;
    try {
      const { from, event } = JSON.parse(message) as Envelope;
      const topic = name.slice(prefix.length);
      // Older than what this replica already delivered: a publish that reached Redis late (from
      // the socket of a connection dropped in an outage) would be served as news.
      const stale = 'snapshot' in event && event.snapshot.fetchedAt < (deliveredAt.get(topic) ?? 0);
      if (from !== me && !stale) deliver(topic, event);
    } catch {
      // Not ours to crash on: a malformed message on our channel is dropped.
    }
  });
  // Subscriptions queued while Redis was away may have been dropped: renew them all, and catch
  // up on anything published meanwhile (watchers drop repeats, so re-delivery is harmless).
  redis.subscriber.on('ready', () => {
    void redis.subscriber.subscribe(hints).catch(() => undefined);
    for (const topic of listeners.keys()) {
      subscribe(topic);
      // Only news: while pub/sub was away this replica may have polled something newer itself.
      latest(topic)
        .then((event) => {
          const newer =
            event &&
            'snapshot' in event &&
            event.snapshot.fetchedAt > (deliveredAt.get(topic) ?? 0);
          if (newer) deliver(topic, event);
        })
        // A stored value that is not ours to read (another release's, a corrupted one): skipped.
        .catch(() => {});
    }
  });

  const envelope = (event: LiveEvent) => JSON.stringify({ from: me, event } satisfies Envelope);

  return {
    publish(topic, event) {
      deliver(topic, event);
      if (!redis.isUp()) return;
      const json = envelope(event);
      redis.commands
        .multi()
        .set(latestKey(topic), json, 'PX', latestTtlMs)
        .publish(`${prefix}${topic}`, json)
        .exec()
        .catch(() => {});
    },
    keep(topic, event) {
      if (!redis.isUp()) return;
      const json = envelope(event);
      // Refresh the stored status; if it had gone (expired or evicted), publish it again for
      // any watcher that joined meanwhile and found nothing (repeats are dropped downstream).
      redis.commands
        .set(latestKey(topic), json, 'PX', latestTtlMs, 'GET')
        .then((previous) =>
          previous === null ? redis.commands.publish(`${prefix}${topic}`, json) : undefined,
        )
        .catch(() => {});
    },
    subscribe(topic, listener) {
      let set = listeners.get(topic);
      if (!set) {
        set = new Set();
        listeners.set(topic, set);
        subscribe(topic);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) {
          listeners.delete(topic);
          subscribed.delete(topic);
          deliveredAt.delete(topic);
          redis.subscriber.unsubscribe(`${prefix}${topic}`).catch(() => {});
        }
      };
    },
    latest,
    hint(syncId, hint) {
      if (!redis.isUp()) return;
      redis.commands.publish(hints, JSON.stringify({ from: me, syncId, hint })).catch(() => {});
    },
    onHint(listener) {
      hintListeners.add(listener);
    },
  };
}
