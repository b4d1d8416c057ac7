import type { Scheduler } from '../../src/datasources/live/scheduler.js';

/** A timer the gateway asked for. */
export interface ManualTimer {
  id: number;
  /** The delay asked for, jitter included. */
  ms: number;
  /** Virtual time at which it fires. */
  at: number;
}

/**
 * Poll timers under the test's control: nothing fires until the test says so, so poll counts per
 * interval are exact and no test waits for real intervals. Network I/O stays real.
 */
export interface ManualScheduler extends Scheduler {
  /** Virtual now, in ms since creation. */
  readonly now: number;
  /** Timers waiting to fire. */
  pending(): ManualTimer[];
  /** Every delay ever asked for, in order. */
  readonly requested: number[];
  /** Moves virtual time by `ms` and fires every timer that falls due, in time order. */
  advance(ms: number): number;
}

export function createManualScheduler(): ManualScheduler {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, ManualTimer & { run: () => void }>();
  const requested: number[] = [];
  return {
    get now() {
      return now;
    },
    requested,
    setTimeout(run, ms) {
      const id = nextId++;
      timers.set(id, { id, ms, at: now + ms, run });
      requested.push(ms);
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    pending() {
      return [...timers.values()].map(({ id, ms, at }) => ({ id, ms, at }));
    },
    advance(ms) {
      now += ms;
      const due = [...timers.values()].filter((t) => t.at <= now).sort((a, b) => a.at - b.at);
      for (const timer of due) {
        timers.delete(timer.id);
        timer.run();
      }
      return due.length;
    },
  };
}

/** Polls `condition` on the real event loop until it holds (fails after `timeoutMs`). */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
