/**
 * When a sync's executions change state, in the terms of Polytomic's `bulk_sync.*` events.
 *
 * Two sources of change, two rules:
 * - The timeline (built-in cycles, catalogue schedules, runs started and cancelled through the
 *   API) is a function of the clock, so a change is found by looking at the sync at two times:
 *   an execution whose `started_at` is set now but was not then (or which did not exist then)
 *   started running; one whose `completed_at` is set now but was not then ended, and its status
 *   says how. See `timelineTransitions`.
 * - A `setStatus` (or `clearStatus`) body replaces the sync's status at one instant, so the old
 *   and the new body are compared. See `bodyTransitions`.
 */
import { envelopeOf, type StatusBody } from './sync-definition.js';
import { HISTORY_LIMIT, type SyncState, type TimelineEntry, timeline } from './timeline.js';
import type { BulkSyncExecution, PolytomicEventType } from './wire-types.js';

/** One state change of one execution, at a time on the simulator clock. */
export interface Transition {
  type: PolytomicEventType;
  at: number;
  execution: BulkSyncExecution;
}

/**
 * The event an execution's final status announces. `errors` is taken to mean "completed with
 * errors" (polytomic-api.md leaves it open); `interrupted` and unknown statuses announce nothing,
 * as no event type is documented for them.
 */
const TERMINAL = new Map<string, PolytomicEventType>([
  ['completed', 'bulk_sync.completed'],
  ['completed_with_errors', 'bulk_sync.completed_with_error'],
  ['completed_with_error', 'bulk_sync.completed_with_error'],
  ['errors', 'bulk_sync.completed_with_error'],
  ['failed', 'bulk_sync.failed'],
  ['canceled', 'bulk_sync.canceled'],
]);

/** Statuses of an execution that has not started running yet. */
const WAITING = new Set(['created', 'scheduled', 'queued']);

/** The terminal event type of an execution status, if it is one. */
export function terminalType(status: string): PolytomicEventType | undefined {
  return TERMINAL.get(status);
}

/** A timestamp of the execution as the transition time, kept inside the window `(from, to]`. */
function within(stamp: string, from: number, to: number): number {
  const at = Date.parse(stamp);
  // Wire timestamps have whole seconds; a change seen late or early by that rounding is dated
  // when it was seen.
  return at > from && at <= to ? at : to;
}

/** How many of a timeline's entries had already finished by `at`. */
function finishedBy(entries: readonly TimelineEntry[], at: number): number {
  return entries.filter((e) => {
    const done = e.execution.completed_at;
    return done !== null && Date.parse(done) <= at;
  }).length;
}

/**
 * The executions of a sync at `to`, newest first, far enough back to hold every one that may
 * have changed since `from`: a sync runs one execution at a time, so two runs that had
 * finished by `from` mark the end. Asks the timeline for few runs first, as most windows are
 * short; a clock jump over more than `HISTORY_LIMIT` runs records only the newest of them.
 */
function recentEntries(
  state: SyncState,
  from: number,
  to: number,
): { entries: TimelineEntry[]; max: number } {
  for (let max = 4; ; max = Math.min(4 * max, HISTORY_LIMIT)) {
    const entries = timeline(state, to, max);
    const own = entries.filter((e) => e.spec === undefined).length;
    if (finishedBy(entries, from) >= 2 || own < max || max >= HISTORY_LIMIT) {
      return { entries, max };
    }
  }
}

/**
 * What changed on a sync's timeline between `from` and `to` (`from < to`), oldest first. The
 * timeline of `from` is computed now, which is safe because every API action only changes
 * what happens from the moment it is made. The same number of own runs is asked for at both
 * times, so every run of `to` that had started by `from` is among those of `from`.
 */
export function timelineTransitions(state: SyncState, from: number, to: number): Transition[] {
  const { entries: after, max } = recentEntries(state, from, to);
  const before = new Map(timeline(state, from, max).map((e) => [e.execution.id, e.execution]));
  const out: Transition[] = [];
  for (const { execution } of [...after].reverse()) {
    const then = before.get(execution.id);
    if (execution.started_at !== null && (then === undefined || then.started_at === null)) {
      out.push({
        type: 'bulk_sync.running',
        at: within(execution.started_at, from, to),
        execution,
      });
    }
    const ended = terminalType(execution.status);
    if (
      execution.completed_at !== null &&
      ended !== undefined &&
      (then === undefined || then.completed_at === null)
    ) {
      out.push({ type: ended, at: within(execution.completed_at, from, to), execution });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

function executionOf(value: unknown): BulkSyncExecution | undefined {
  return typeof value === 'object' &&
    value !== null &&
    typeof (value as { id?: unknown }).id === 'string' &&
    typeof (value as { status?: unknown }).status === 'string'
    ? (value as BulkSyncExecution)
    : undefined;
}

/**
 * What replacing the status body `old` with `next` at `at` announces, kept simple:
 * 1. ended: the new body's last execution, when its id differs from the old last one's and its
 *    status is terminal; or the current execution, when it keeps its id and its status turned
 *    terminal (a body that leaves a finished run in `current_execution`);
 * 2. then running: the new body's current execution, when it is past its waiting statuses
 *    (`created`, `scheduled`, `queued`) and not terminal, unless the old body already had it
 *    as current past those statuses (so `running` → `exporting` announces nothing).
 * A raw string that is not JSON counts as a body without executions. Nothing else is inferred:
 * an execution that vanishes announces nothing, and a new last execution does not also
 * announce that it ran.
 */
export function bodyTransitions(old: StatusBody, next: StatusBody, at: number): Transition[] {
  const was = envelopeOf(old)?.data;
  const now = envelopeOf(next)?.data;
  const oldCurrent = executionOf(was?.current_execution);
  const oldLast = executionOf(was?.last_execution);
  const current = executionOf(now?.current_execution);
  const last = executionOf(now?.last_execution);
  const out: Transition[] = [];
  const lastEnded = last === undefined ? undefined : terminalType(last.status);
  if (last !== undefined && lastEnded !== undefined && last.id !== oldLast?.id) {
    out.push({ type: lastEnded, at, execution: last });
  }
  const currentEnded = current === undefined ? undefined : terminalType(current.status);
  if (
    current !== undefined &&
    currentEnded !== undefined &&
    current.id === oldCurrent?.id &&
    terminalType(oldCurrent.status) === undefined &&
    current.id !== last?.id
  ) {
    out.push({ type: currentEnded, at, execution: current });
  }
  const started = (e: BulkSyncExecution) => !WAITING.has(e.status);
  if (
    current !== undefined &&
    currentEnded === undefined &&
    started(current) &&
    !(oldCurrent?.id === current.id && started(oldCurrent))
  ) {
    out.push({ type: 'bulk_sync.running', at, execution: current });
  }
  return out;
}
