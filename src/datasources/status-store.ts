import { LRUCache } from 'lru-cache';
import type { CredentialHasher } from './credential.js';
import type { CallOptions, PolytomicClient } from './polytomic/client.js';
import type { Snapshot } from './polytomic/types.js';

/** Options of {@link createStatusStore}. */
export interface StatusStoreOptions {
  client: PolytomicClient;
  hashCredential: CredentialHasher;
  /** How long a fetched status is reused; 0 turns reuse off (in-flight calls are still shared). */
  ttlMs: number;
  /** Most statuses kept at once, least recently used dropped first. @default 10000 */
  maxEntries?: number;
  /** Told how each lookup was served, for metrics. */
  onLookup?: (result: 'hit' | 'miss' | 'shared') => void;
}

/** The one cross-request view of sync statuses, used by queries, entity references and pollers. */
export interface StatusStore {
  /** The status of `id` as `authorization` sees it: cached, joined to a call in flight, or fetched. */
  get(id: string, authorization: string, call?: CallOptions): Promise<Snapshot>;
  /** Like `get` but never answers from the TTL cache (a poll tick wants news); refills it. */
  refresh(id: string, authorization: string, call?: CallOptions): Promise<Snapshot>;
}

/**
 * Shares in-flight calls and keeps a bounded TTL cache, both keyed by (credential hash, sync id)
 * so one key's data is never served to another. Failures are never cached.
 */
export function createStatusStore(options: StatusStoreOptions): StatusStore {
  const { client, hashCredential, ttlMs, onLookup } = options;
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
        const snapshot = { status, fetchedAt: Date.now() };
        cache?.set(key, snapshot);
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
      return load(key, id, authorization, call);
    },
    refresh(id, authorization, call) {
      return load(`${hashCredential(authorization)}:${id.toLowerCase()}`, id, authorization, call);
    },
  };
}
