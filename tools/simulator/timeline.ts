/**
 * What a sync has run and is running, once the API can start, cancel, pause and resume it.
 *
 * How API actions overlay the clock-driven built-in syncs:
 * - Until the API starts, cancels, pauses or resumes something on a sync, its status is its
 *   built-in status function, exactly as before (`SyncDefinition.status`).
 * - From then on the status is computed from one timeline: the runs the sync makes on its own
 *   (its cycles or schedule, `SyncDefinition.runs`) merged with the runs started through the API.
 *   `current_execution` is the newest unfinished run, `last_execution` the newest finished one.
 *   For an untouched sync this gives the same answer as its status function, so nothing jumps.
 * - A scheduled run whose start falls while the sync is paused, or while a started run is in
 *   progress, is skipped (Polytomic runs one execution of a sync at a time, and a paused sync does
 *   not run on schedule). The schedule picks up again at its next slot.
 * - A cancel freezes the run's progress where it is; it shows `canceling` for
 *   `SIM_MANUAL_RUN.cancelMs`, then `canceled`.
 * - A started run lasts `SIM_MANUAL_RUN.totalMs` and syncs what the sync's own runs sync
 *   (`SyncDefinition.manual`). Additional schedules are catalogue facts only: no run comes of them.
 */
import type { SyncFacts } from './catalogue.js';
import { isFinished, type RunSpec, runEnd, runView, SIM_MANUAL_RUN, withCancel } from './run.js';
import type { BaseRun, Block, RunSource } from './sources.js';
import type { StatusBody, SyncDefinition } from './sync-definition.js';
import { iso, stableUuid } from './time.js';
import type {
  BulkFetchMode,
  BulkResyncMode,
  BulkSyncExecution,
  OutputActor,
} from './wire-types.js';

/** Runs of its own a sync lists at most (the newest); Polytomic keeps history, we keep a window. */
export const HISTORY_LIMIT = 500;

/** Runs started through the API a sync keeps at most (the newest). */
const MANUAL_LIMIT = 500;

/** The live state of one sync. */
export interface SyncState extends SyncFacts {
  def: SyncDefinition;
  /** Paused spans, oldest first; the last one has `to: Infinity` while paused. */
  pauses: Block[];
  /** Runs started through the API, oldest first. */
  manual: RunSpec[];
  /** How many runs were ever started through the API (their ids count on from it). */
  started: number;
  /** Own runs cancelled through the API: execution id → cancel time. */
  canceled: Map<string, number>;
  /** Whether the API has started, cancelled, paused or resumed anything on this sync. */
  touched: boolean;
  /** The sync's own runs; built on first use, as most syncs of a big bench never need them. */
  source(): RunSource;
}

/** One execution on the timeline as seen at some time. */
export interface TimelineEntry {
  start: number;
  execution: BulkSyncExecution;
  /** The started run behind it, when it was started through the API. */
  spec?: RunSpec;
}

/** The state of a sync as the simulator starts (or as `addSync` registers it). */
export function createSyncState(
  def: SyncDefinition,
  startedAt: number,
  times: { createdAt: number; updatedAt: number },
  pausedAt: number | undefined,
): SyncState {
  let source: RunSource | undefined;
  return {
    id: def.id,
    name: def.name,
    active: def.active,
    entry: def.entry,
    createdAt: times.createdAt,
    updatedAt: times.updatedAt,
    updatedBy: def.entry.updatedBy,
    def,
    pauses: def.active
      ? []
      : [{ from: pausedAt ?? Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY }],
    manual: [],
    started: 0,
    canceled: new Map(),
    touched: false,
    source() {
      source ??= def.runs(startedAt);
      return source;
    },
  };
}

function manualEnd(spec: RunSpec): number {
  return spec.cancelAt === undefined
    ? runEnd(spec)
    : Math.min(runEnd(spec), spec.cancelAt + SIM_MANUAL_RUN.cancelMs);
}

/** The pause or started run a scheduled start at `start` would fall into. */
function blocker(state: SyncState): (start: number) => Block | undefined {
  const blocks: Block[] = [
    ...state.pauses,
    ...state.manual.map((spec) => ({ from: spec.start, to: manualEnd(spec) })),
  ];
  return (start) => blocks.find((b) => start >= b.from && start < b.to);
}

function ownEntry(state: SyncState, run: BaseRun, now: number): TimelineEntry {
  const cancelAt = state.canceled.get(run.id);
  const execution =
    cancelAt === undefined ? run.view(now) : withCancel((at) => run.view(at), cancelAt, now);
  return { start: run.start, execution };
}

function newestFirst(a: TimelineEntry, b: TimelineEntry): number {
  return b.start - a.start || (a.execution.id < b.execution.id ? 1 : -1);
}

/**
 * Executions of the sync at `now`, newest first: up to `max` of its own runs (the newest), and
 * the runs started through the API.
 */
export function timeline(state: SyncState, now: number, max = HISTORY_LIMIT): TimelineEntry[] {
  const own = state
    .source()
    .runs(now, blocker(state), max)
    .map((run) => ownEntry(state, run, now));
  const manual = state.manual
    .filter((spec) => spec.start <= now)
    .map((spec) => ({ start: spec.start, execution: runView(spec, now), spec }));
  return [...own, ...manual].sort(newestFirst);
}

/** The newest unfinished and the newest finished execution at `now`. */
function currentAndLast(
  state: SyncState,
  now: number,
): { current?: TimelineEntry; last?: TimelineEntry } {
  // A few own runs suffice: only the newest of each kind matter.
  const recent = timeline(state, now, 4);
  const current = recent.find((e) => !isFinished(e.execution));
  const last = recent.find((e) => isFinished(e.execution));
  return { ...(current ? { current } : {}), ...(last ? { last } : {}) };
}

/** The status body of a sync at `now` (overrides aside). */
export function statusBody(state: SyncState, startedAt: number, now: number): StatusBody {
  if (!state.touched && state.def.status) return state.def.status(startedAt, now);
  const { current, last } = currentAndLast(state, now);
  const next = state.active ? state.source().next(now, blocker(state)) : null;
  const ingestion = state.def.ingestion?.(startedAt, now);
  return {
    data: {
      ...(current ? { current_execution: current.execution } : {}),
      ...(last ? { last_execution: last.execution } : {}),
      next_execution_time: next === null ? null : iso(next),
      ...(ingestion ? { ingestion_status: ingestion } : {}),
    },
  };
}

/** The execution in progress at `now`, if any. */
export function runningEntry(state: SyncState, now: number): TimelineEntry | undefined {
  return currentAndLast(state, now).current;
}

/** What a started run does: the parts of a start request the simulator acts on. */
export interface StartPlan {
  fetchMode?: BulkFetchMode;
  resyncMode?: BulkResyncMode;
  schemas?: readonly string[];
  test: boolean;
}

/** Starts a run at `now` and returns it; the caller has checked that nothing runs. */
export function startRun(state: SyncState, plan: StartPlan, now: number): BulkSyncExecution {
  const { manual } = state.def;
  const chosen = plan.schemas ? new Set(plan.schemas) : undefined;
  const schemas = manual.schemas
    .filter((s) => chosen === undefined || chosen.has(s.schema))
    // A test run only samples each schema.
    .map((s) => (plan.test ? { ...s, records: Math.min(s.records, 100) } : s));
  let outputDisposition = manual.outputDisposition;
  if (plan.resyncMode === 'rebuild') outputDisposition = 'rebuild';
  else if (plan.resyncMode === 'resync') outputDisposition = 'truncate';
  const refetch = plan.resyncMode === 'refetch';
  const spec: RunSpec = {
    id: manualRunId(state.id, state.started),
    type: 'manual',
    start: now,
    createdMs: SIM_MANUAL_RUN.createdMs,
    runningMs: SIM_MANUAL_RUN.runningMs,
    exportingMs: SIM_MANUAL_RUN.exportingMs,
    schemas,
    fetchMode: plan.fetchMode ?? (refetch ? 'full' : manual.fetchMode),
    outputDisposition,
    isResync: plan.resyncMode !== undefined,
    isTest: plan.test,
    isPartial: chosen !== undefined && schemas.length < manual.schemas.length,
  };
  state.started += 1;
  state.manual.push(spec);
  if (state.manual.length > MANUAL_LIMIT) state.manual.shift();
  state.touched = true;
  return runView(spec, now);
}

/** Ids of started runs: stable per sync and start count, so tests can predict them. */
export function manualRunId(syncId: string, n: number): string {
  return stableUuid(`${syncId}/manual/${n}`);
}

/** Asks the running execution to cancel; says what happened, as Polytomic's `message`. */
export function cancelRun(state: SyncState, now: number): string {
  const running = runningEntry(state, now);
  if (running === undefined) return 'no execution is running';
  if (running.execution.status === 'canceling') return 'cancellation already requested';
  if (running.spec) running.spec.cancelAt = now;
  else state.canceled.set(running.execution.id, now);
  state.touched = true;
  return `cancellation of execution ${running.execution.id} requested`;
}

/** Pauses or resumes the sync (pausing cancels a running execution); every call is an update. */
export function setActive(
  state: SyncState,
  active: boolean,
  actor: OutputActor,
  now: number,
): void {
  if (active !== state.active) {
    if (active) {
      const open = state.pauses.at(-1);
      if (open) open.to = now;
    } else {
      cancelRun(state, now);
      state.pauses.push({ from: now, to: Number.POSITIVE_INFINITY });
    }
    state.active = active;
    state.touched = true;
  }
  state.updatedAt = now;
  state.updatedBy = actor;
}
