import type { Snapshot } from '../polytomic/types.js';

/**
 * What a poller tells its watchers: a new status, or that the sync can no longer be watched
 * (Polytomic answered 401, 403 or 404). Plain data, so it can cross a process boundary.
 */
export type LiveEvent =
  | { syncId: string; snapshot: Snapshot }
  | { syncId: string; endedWith: { statusCode: number } };

/** Timers, injectable so tests can drive poll cadence without waiting. */
export interface Scheduler {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
