import type { BulkSyncExecution } from './wire-types.js';

/** One execution a sync ran on its own (not started through the API). */
export interface BaseRun {
  id: string;
  /** Creation time: where it sorts by start, and what a block is checked against. */
  start: number;
  /** How it looks at `now`. */
  view(now: number): BulkSyncExecution;
}

/** A span in which a sync starts nothing on its own: paused, or busy with a started run. */
export interface Block {
  from: number;
  /** `Infinity` while still paused. */
  to: number;
}

/** The block that holds a start at this time, if any. */
export type Blocker = (start: number) => Block | undefined;

/** The executions a sync runs on its own. */
export interface RunSource {
  /** Runs started at or before `now` and not blocked, newest first, at most `max`. */
  runs(now: number, blocked: Blocker, max: number): BaseRun[];
  /** The next start after `now` that is not blocked, or null when none is scheduled. */
  next(now: number, blocked: Blocker): number | null;
}

/** A run every `periodMs` from `anchor` (run 0); runs before `firstK` never happened. */
export interface SeriesPlan {
  anchor: number;
  periodMs: number;
  firstK: number;
  run(k: number, start: number): BaseRun;
}

/** The next start of a periodic schedule after `now` that is not blocked. */
export function periodicNext(
  anchor: number,
  periodMs: number,
  now: number,
  blocked: Blocker,
): number | null {
  let k = Math.floor((now - anchor) / periodMs) + 1;
  // A handful of blocks at most stand in the way; the bound only guards against a loop.
  for (let tries = 0; tries < 10_000; tries++) {
    const start = anchor + k * periodMs;
    const block = blocked(start);
    if (block === undefined) return start;
    if (block.to === Number.POSITIVE_INFINITY) return null;
    k = Math.max(k + 1, Math.ceil((block.to - anchor) / periodMs));
  }
  return null;
}

/** Runs on a fixed period, skipping the starts that fall in a block. */
export function seriesSource(plan: SeriesPlan): RunSource {
  const { anchor, periodMs, firstK } = plan;
  return {
    runs(now, blocked, max) {
      const out: BaseRun[] = [];
      let k = Math.floor((now - anchor) / periodMs);
      while (k >= firstK && out.length < max) {
        const start = anchor + k * periodMs;
        const block = blocked(start);
        if (block === undefined) {
          out.push(plan.run(k, start));
          k -= 1;
        } else {
          // Jump to the last start before the block rather than walk a long pause slot by slot.
          k = Math.min(k - 1, Math.ceil((block.from - anchor) / periodMs) - 1);
        }
      }
      return out;
    },
    next: (now, blocked) => periodicNext(anchor, periodMs, now, blocked),
  };
}

/**
 * A fixed set of runs (given oldest first) and a schedule of its own. The runs already happened
 * when the simulator started, so no block hides them.
 */
export function fixedSource(
  runs: readonly BaseRun[],
  next: (now: number, blocked: Blocker) => number | null = () => null,
): RunSource {
  return {
    runs(now, _blocked, max) {
      return runs
        .filter((run) => run.start <= now)
        .reverse()
        .slice(0, max);
    },
    next,
  };
}

/** A run that looks the same at any time. */
export function constantRun(execution: BulkSyncExecution): BaseRun {
  const start = Date.parse(execution.created_at);
  return { id: execution.id, start: Number.isNaN(start) ? 0 : start, view: () => execution };
}
