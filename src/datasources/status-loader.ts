import DataLoader from 'dataloader';
import type { Snapshot } from './polytomic/types.js';
import type { StatusStore } from './status-store.js';

/** One operation's view of sync statuses, keyed by id (case-insensitive, as UUIDs are). */
export interface StatusLoader {
  load(id: string): Promise<Snapshot>;
  /**
   * When the oldest status this loader handed out was fetched (undefined before the first): a
   * response built from them must not be reused past that plus CACHE_TTL_MS.
   */
  readonly oldestFetchedAt: number | undefined;
}

/**
 * One upstream call per distinct id per operation, all issued in parallel (the store and the
 * client's concurrency cap decide how many run at once). Made fresh for every operation, so a
 * result never outlives it; what is shared across operations lives in the store.
 */
export function createStatusLoader(
  store: StatusStore,
  authorization: string,
  requestId?: string,
): StatusLoader {
  let oldestFetchedAt: number | undefined;
  const loader = new DataLoader<string, Snapshot, string>(
    (ids) =>
      Promise.all(
        ids.map((id) =>
          store.get(id, authorization, { requestId }).then(
            (snapshot) => {
              oldestFetchedAt = Math.min(oldestFetchedAt ?? snapshot.fetchedAt, snapshot.fetchedAt);
              return snapshot;
            },
            (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
          ),
        ),
      ),
    { cacheKeyFn: (id) => id.toLowerCase() },
  );
  return {
    load: (id) => loader.load(id),
    get oldestFetchedAt() {
      return oldestFetchedAt;
    },
  };
}
