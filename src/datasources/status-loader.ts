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
  early?: EarlyCalls,
): StatusLoader {
  return new DataLoader<string, Snapshot, string>(
    (ids) =>
      Promise.all(
        ids.map((id) =>
          (early?.get(id.toLowerCase()) ?? store.get(id, authorization, { requestId })).catch(
            (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
          ),
        ),
      ),
    { cacheKeyFn: (id) => id.toLowerCase() },
  );
}

/** Status calls started for a request before its operation ran, by lowercased id. */
export type EarlyCalls = Map<string, Promise<Snapshot>>;

/**
 * Starts the calls of `ids` ahead of execution (useEarlyFetch), one per distinct id, exactly as
 * the loader would; the operation's loader then takes them over instead of calling again.
 */
export function startEarlyCalls(
  store: StatusStore,
  authorization: string,
  ids: readonly string[],
  requestId?: string,
): EarlyCalls {
  const calls: EarlyCalls = new Map();
  for (const id of ids) {
    const key = id.toLowerCase();
    if (calls.has(key)) continue;
    const call = store.get(id, authorization, { requestId });
    // Its outcome is read by the loader; until then, a failure is not unhandled.
    call.catch(() => {});
    calls.set(key, call);
  }
  return calls;
}
