import { LRUCache } from 'lru-cache';
import type { CredentialHasher } from './credential.js';
import { InFlight } from './in-flight.js';
import type { CallOptions, PolytomicClient } from './polytomic/client.js';
import { staleMayServe } from './polytomic/errors.js';
import type { Snapshot } from './polytomic/types.js';

/** Options of {@link createStatusStore}. */
export interface StatusStoreOptions {
  client: PolytomicClient;
  hashCredential: CredentialHasher;
  /** How long a fetched status is reused; 0 turns reuse off (in-flight calls are still shared). */
  ttlMs: number;
  /** Most statuses kept at once, least recently used dropped first. */
  maxEntries: number;
  /**
   * How old a last good snapshot may be to stand in when a fetch fails with an upstream fault
   * (5xx, timeout, 429, open breaker…; never 401/403/404). 0 turns it off.
   */
  staleIfErrorMs: number;
  /** Told how each lookup was served, for metrics. */
  onLookup?: (result: 'hit' | 'miss' | 'shared' | 'stale') => void;
}

/** The one cross-request view of sync statuses, used by queries, entity references and pollers. */
export interface StatusStore {
  /** The status of `id` as `authorization` sees it: cached, joined to a call in flight, or fetched. */
  get(
    id: string,
    authorization: string,
    call?: CallOptions & { allowStale?: boolean },
  ): Promise<Snapshot>;
  /**
   * Like `get` but never answers from the TTL cache (a poll tick wants news) nor with a stale
   * snapshot (a poller must not announce old data as a change); refills both caches.
   */
  refresh(id: string, authorization: string, call?: CallOptions): Promise<Snapshot>;
  /** Forgets the cached status of `id` for `authorization` (an action just changed it). */
  invalidate(id: string, authorization: string): void;
}

/**
 * Shares in-flight calls and keeps recent snapshots in one bounded LRU, keyed by (credential hash,
 * sync id) so one key's data is never served to another. A snapshot younger than `ttlMs` answers
 * `get`; one younger than `staleIfErrorMs` may stand in when a fetch fails. Failures are never
 * cached.
 */
export function createStatusStore(options: StatusStoreOptions): StatusStore {
  const { client, hashCredential, ttlMs, staleIfErrorMs, onLookup } = options;
  const keepMs = Math.max(ttlMs, staleIfErrorMs);
  const recent =
    keepMs > 0
      ? new LRUCache<string, Snapshot>({ max: options.maxEntries, ttl: keepMs })
      : undefined;
  const inFlight = new InFlight<Snapshot>();
  const keyOf = (id: string, authorization: string) =>
    `${hashCredential(authorization)}:${id.toLowerCase()}`;

  function load(key: string, id: string, authorization: string, call?: CallOptions) {
    const pending = inFlight.get(key);
    if (pending) {
      onLookup?.('shared');
      return pending;
    }
    onLookup?.('miss');
    const fetching = client
      .getSyncStatus(id.toLowerCase(), authorization, call)
      .then((status): Snapshot => ({ status, fetchedAt: Date.now(), stale: false }));
    return inFlight.start(key, fetching, (snapshot) => recent?.set(key, snapshot));
  }

  return {
    get(id, authorization, call) {
      const key = keyOf(id, authorization);
      const known = recent?.get(key);
      if (known && Date.now() - known.fetchedAt < ttlMs) {
        onLookup?.('hit');
        return Promise.resolve(known);
      }
      return load(key, id, authorization, call).catch((error: unknown) => {
        const standIn = call?.allowStale !== false && staleMayServe(error) && recent?.get(key);
        if (!standIn || Date.now() - standIn.fetchedAt > staleIfErrorMs) throw error;
        onLookup?.('stale');
        return { ...standIn, stale: true };
      });
    },
    refresh(id, authorization, call) {
      return load(keyOf(id, authorization), id, authorization, call);
    },
    invalidate(id, authorization) {
      const key = keyOf(id, authorization);
      recent?.delete(key);
      inFlight.forget(key);
    },
  };
}
