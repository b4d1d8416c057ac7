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

// Node fires a longer delay after 1 ms, so a very long wait is a wait of ~24.8 days.
const MAX_TIMER_MS = 2 ** 31 - 1;

export const realScheduler: Scheduler = {
  setTimeout: (run, ms) => setTimeout(run, Math.min(ms, MAX_TIMER_MS)),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
