import { LRUCache } from 'lru-cache';
import type { CredentialHasher } from './credential.js';
import type { CallOptions, PolytomicClient } from './polytomic/client.js';
import { PolytomicError } from './polytomic/errors.js';
import type { Snapshot } from './polytomic/types.js';

/** Options of {@link createStatusStore}. */
export interface StatusStoreOptions {
  client: PolytomicClient;
  hashCredential: CredentialHasher;
  /** How long a fetched status is reused; 0 turns reuse off (in-flight calls are still shared). */
  ttlMs: number;
  /** Most statuses kept at once, least recently used dropped first. @default 10000 */
  maxEntries?: number;
  /**
   * How old a last good snapshot may be to stand in when a fetch fails with an upstream fault
   * (5xx, timeout, 429, open breaker…; never 401/403/404). 0 turns it off. @default 0
   */
  staleIfErrorMs?: number;
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
}

/**
 * Shares in-flight calls and keeps a bounded TTL cache, both keyed by (credential hash, sync id)
 * so one key's data is never served to another. Failures are never cached.
 */
export function createStatusStore(options: StatusStoreOptions): StatusStore {
  const { client, hashCredential, ttlMs, onLookup } = options;
  const staleIfErrorMs = options.staleIfErrorMs ?? 0;
  const lastGood =
    staleIfErrorMs > 0
      ? new LRUCache<string, Snapshot>({ max: options.maxEntries ?? 10_000, ttl: staleIfErrorMs })
      : undefined;
  const inFlight = new Map<string, Promise<Snapshot>>();
  const cache =
    ttlMs > 0
      ? new LRUCache<string, Snapshot>({ max: options.maxEntries ?? 10_000, ttl: ttlMs })
      : undefined;

  function load(key: string, id: string, authorization: string, call?: CallOptions) {
    const pending = inFlight.get(key);
    if (pending) {
      onLookup?.('shared');
      return pending;
    }
    onLookup?.('miss');
    const fetching = client
      .getSyncStatus(id.toLowerCase(), authorization, call)
      .then((status) => {
        const snapshot = { status, fetchedAt: Date.now(), stale: false };
        cache?.set(key, snapshot);
        lastGood?.set(key, snapshot);
        return snapshot;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, fetching);
    return fetching;
  }

  return {
    get(id, authorization, call) {
      const key = `${hashCredential(authorization)}:${id.toLowerCase()}`;
      const cached = cache?.get(key);
      if (cached) {
        onLookup?.('hit');
        return Promise.resolve(cached);
      }
      return load(key, id, authorization, call).catch((error: unknown) => {
        const standIn =
          call?.allowStale !== false &&
          error instanceof PolytomicError &&
          error.staleMayServe &&
          lastGood?.get(key);
        if (!standIn) throw error;
        onLookup?.('stale');
        return { ...standIn, stale: true };
      });
    },
    refresh(id, authorization, call) {
      return load(`${hashCredential(authorization)}:${id.toLowerCase()}`, id, authorization, call);
    },
  };
}
