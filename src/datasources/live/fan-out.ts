import type { LiveEvent } from './events.js';

/**
 * Publish/subscribe of live events by topic (one topic per credential hash and sync). The
 * in-memory one serves a single process; a Redis one lets replicas share pollers.
 */
export interface FanOut {
  publish(topic: string, event: LiveEvent): void;
  /** Returns the unsubscribe function. */
  subscribe(topic: string, listener: (event: LiveEvent) => void): () => void;
  /** The last event published on a topic anywhere, for a watcher joining where nobody polls. */
  latest?(topic: string): Promise<LiveEvent | undefined>;
  /** Says a poll found the topic unchanged: keeps its latest event from expiring. */
  keep?(topic: string, event: LiveEvent): void;
  /**
   * Tells every other replica that an action changed `syncId`, so whichever polls it polls now.
   * Without replicas there is no other: the registry polls its own at once.
   */
  hint?(syncId: string, hint?: Hint): void;
  /** Listens for other replicas' hints. */
  onHint?(listener: (syncId: string, hint?: Hint) => void): void;
}

/**
 * What a hint says besides its sync: nothing (an action: poll now, re-read the sync), that an
 * event (of the credential with this hash) or a webhook says the sync changed (poll soon), or,
 * after each read of the replica leading a credential's event watcher, whether it reads well
 * (the sync id is then empty).
 */
export type Hint =
  | { kind: 'event'; credential: string; createdAt: number }
  | { kind: 'webhook' }
  | { kind: 'events-health'; credential: string; healthy: boolean };

export function createLocalFanOut(): FanOut {
  const topics = new Map<string, Set<(event: LiveEvent) => void>>();
  return {
    publish(topic, event) {
      for (const listener of topics.get(topic) ?? []) listener(event);
    },
    subscribe(topic, listener) {
      let listeners = topics.get(topic);
      if (!listeners) {
        listeners = new Set();
        topics.set(topic, listeners);
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) topics.delete(topic);
      };
    },
  };
}
