import type { LiveEvent } from './events.js';
import type { FanOut } from './fan-out.js';
import type { RedisLink } from './redis-connection.js';

/**
 * Fan-out through Redis pub/sub: every replica with watchers of a topic subscribes to its channel
 * once, so each published event reaches each such replica exactly once (the publisher included,
 * through Redis). The latest event of a topic is also kept (`SET … PX`), so a watcher joining on a
 * replica that does not poll gets the current status at once. While Redis is down, events are
 * delivered locally, and each replica polls for itself (see redis-leadership.ts).
 */
export function createRedisFanOut(
  redis: RedisLink,
  { namespace, latestTtlMs }: { namespace: string; latestTtlMs: number },
): FanOut & { latest(topic: string): Promise<LiveEvent | undefined> } {
  const listeners = new Map<string, Set<(event: LiveEvent) => void>>();
  const channel = (topic: string) => `${namespace}:events:${topic}`;
  const prefix = `${namespace}:events:`;

  const deliver = (topic: string, event: LiveEvent) => {
    for (const listener of listeners.get(topic) ?? []) listener(event);
  };

  redis.subscriber.on('message', (name: string, message: string) => {
    if (!name.startsWith(prefix)) return;
    try {
      deliver(name.slice(prefix.length), JSON.parse(message) as LiveEvent);
    } catch {
      // Not ours to crash on: a malformed message on our channel is dropped.
    }
  });

  return {
    publish(topic, event) {
      if (!redis.isUp()) {
        deliver(topic, event);
        return;
      }
      const json = JSON.stringify(event);
      redis.commands
        .multi()
        .set(`${namespace}:latest:${topic}`, json, 'PX', latestTtlMs)
        .publish(channel(topic), json)
        .exec()
        .catch(() => deliver(topic, event));
    },
    subscribe(topic, listener) {
      let set = listeners.get(topic);
      if (!set) {
        set = new Set();
        listeners.set(topic, set);
        redis.subscriber.subscribe(channel(topic)).catch(() => {});
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) {
          listeners.delete(topic);
          redis.subscriber.unsubscribe(channel(topic)).catch(() => {});
        }
      };
    },
    async latest(topic) {
      if (!redis.isUp()) return undefined;
      const json = await redis.commands.get(`${namespace}:latest:${topic}`).catch(() => null);
      return json ? (JSON.parse(json) as LiveEvent) : undefined;
    },
  };
}
