/**
 * Timers of everything that runs on its own (poll loops, Redis leases and heartbeat), injectable
 * so tests drive them without waiting in real time.
 */
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
