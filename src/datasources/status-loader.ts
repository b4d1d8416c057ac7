import DataLoader from 'dataloader';
import type { Snapshot } from './polytomic/types.js';
import type { StatusStore } from './status-store.js';

/** Per-operation loader of sync statuses, keyed by id (case-insensitive, as UUIDs are). */
export type StatusLoader = DataLoader<string, Snapshot>;

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
  return new DataLoader<string, Snapshot, string>(
    (ids) =>
      Promise.all(
        ids.map((id) =>
          store
            .get(id, authorization, { requestId })
            .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
        ),
      ),
    { cacheKeyFn: (id) => id.toLowerCase() },
  );
}
