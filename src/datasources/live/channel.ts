import type { LiveEvent } from './events.js';
import type { LiveRegistry } from './registry.js';

/**
 * One subscriber's stream over one or more syncs. Written by hand because it must do two things
 * no stream library does together: hold at most one pending event per sync (a newer status
 * replaces an undelivered older one, so a slow client costs bounded memory and still ends up
 * current), and unwatch at once when the client leaves, even while waiting for the next event.
 * It completes when every sync has ended (401/403/404) or the registry closes.
 */
export function watchSyncs(
  registry: LiveRegistry,
  syncIds: readonly string[],
  authorization: string,
): AsyncIterableIterator<LiveEvent> {
  const pending = new Map<string, LiveEvent>();
  const unwatchers = new Map<string, () => void>();
  let waiting: ((result: IteratorResult<LiveEvent>) => void) | undefined;
  let finished = false;

  const finish = (): IteratorResult<LiveEvent> => {
    finished = true;
    for (const unwatch of unwatchers.values()) unwatch();
    unwatchers.clear();
    pending.clear();
    const wake = waiting;
    waiting = undefined;
    wake?.({ done: true, value: undefined });
    return { done: true, value: undefined };
  };

  const offer = (event: LiveEvent) => {
    if (finished) return;
    if ('endedWith' in event) {
      unwatchers.get(event.syncId)?.();
      unwatchers.delete(event.syncId);
    }
    if (waiting) {
      const wake = waiting;
      waiting = undefined;
      wake({ done: false, value: event });
    } else {
      pending.delete(event.syncId);
      pending.set(event.syncId, event);
    }
  };

  registry.checkRoom(syncIds, authorization);
  try {
    for (const id of new Set(syncIds.map((s) => s.toLowerCase()))) {
      // Registered before watching: a known status is delivered during watch(), and may end it.
      unwatchers.set(id, () => {});
      const unwatch = registry.watch(id, authorization, { onEvent: offer, onClose: finish });
      if (unwatchers.has(id)) unwatchers.set(id, unwatch);
      else unwatch();
    }
  } catch (error) {
    finish();
    throw error;
  }

  return {
    next() {
      const [first] = pending.values();
      if (first) {
        pending.delete(first.syncId);
        return Promise.resolve({ done: false, value: first });
      }
      if (finished || unwatchers.size === 0) return Promise.resolve(finish());
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return() {
      return Promise.resolve(finish());
    },
    throw(error?: unknown) {
      finish();
      return Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
