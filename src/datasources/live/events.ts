import type { Snapshot } from '../polytomic/types.js';

/**
 * What a poller tells its watchers: a new status, or that the sync can no longer be watched
 * (Polytomic answered 401, 403 or 404). Plain data, so it can cross a process boundary.
 */
export type LiveEvent =
  | { syncId: string; snapshot: Snapshot }
  | { syncId: string; endedWith: { statusCode: number } };
