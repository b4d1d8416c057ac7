import { type Phase, schemaRunWire } from './schema-run.js';
import { iso, stableUuid } from './time.js';
import type {
  BulkFetchMode,
  BulkOutputDisposition,
  BulkSyncExecution,
  BulkSyncSchemaExecution,
  BulkSyncStatusResponse,
} from './wire-types.js';

/** Phase lengths, in milliseconds, of one execution cycle of a cycling built-in sync. */
export const SIM_CYCLE = {
  createdMs: 2_000,
  runningMs: 15_000,
  exportingMs: 5_000,
  idleMs: 10_000,
  totalMs: 32_000,
} as const;

const RUN_START = SIM_CYCLE.createdMs;
const EXPORT_START = RUN_START + SIM_CYCLE.runningMs;
const FINISH = EXPORT_START + SIM_CYCLE.exportingMs;

/** How one schema behaves within every cycle. */
export interface SchemaPlan {
  schema: string;
  outputName: string;
  rowsPerSecond: number;
  /** Time after the execution starts running at which this schema stops fetching. */
  runMs: number;
  /** One warning per this many records; no warnings when absent. */
  recordsPerWarning?: number;
  /** When present the schema fails at `runMs`. */
  failure?: { message: string; errors: number };
}

/** How a cycling sync behaves. */
export interface CyclePlan {
  syncId: string;
  /** Shifts this sync's cycle so the demo syncs are not in lockstep. */
  offsetMs: number;
  fetchMode: BulkFetchMode;
  outputDisposition: BulkOutputDisposition;
  outcome: 'completed' | 'failed';
  failureMessage?: string;
  schemas: readonly SchemaPlan[];
}

function phaseAt(at: number): Phase {
  if (at < RUN_START) return 'created';
  if (at < EXPORT_START) return 'running';
  if (at < FINISH) return 'exporting';
  return 'finished';
}

function schemaRun(
  plan: SchemaPlan,
  phase: Exclude<Phase, 'created'>,
  cycleStart: number,
  now: number,
): BulkSyncSchemaExecution {
  const ranFor = Math.min(now - cycleStart - RUN_START, plan.runMs);
  return schemaRunWire(plan, {
    phase,
    createdAt: cycleStart,
    startedAt: cycleStart + RUN_START,
    fetchMs: plan.runMs,
    ranFor,
    recordCount: Math.floor((plan.rowsPerSecond * ranFor) / 1000),
    finishedAt: cycleStart + FINISH,
    now,
  });
}

function executionMessage(plan: CyclePlan, phase: Phase): string {
  switch (phase) {
    case 'created':
      return 'waiting for a worker';
    case 'running':
      return `syncing ${plan.schemas.length} schemas`;
    case 'exporting':
      return 'exporting to destination';
    case 'finished':
      return plan.outcome === 'failed' ? (plan.failureMessage ?? 'failed') : 'sync completed';
  }
}

/** The execution of cycle `cycle` (which began at `cycleStart`) as seen at `now`. */
export function cycleExecution(
  plan: CyclePlan,
  cycle: number,
  cycleStart: number,
  now: number,
): BulkSyncExecution {
  const phase = phaseAt(now - cycleStart);
  const schemas =
    phase === 'created' ? null : plan.schemas.map((s) => schemaRun(s, phase, cycleStart, now));
  const sum = (pick: (s: BulkSyncSchemaExecution) => number): number =>
    schemas?.reduce((total, s) => total + pick(s), 0) ?? 0;
  const completedAt = phase === 'finished' ? iso(cycleStart + FINISH) : null;
  return {
    id: stableUuid(`${plan.syncId}/execution/${cycle}`),
    status: phase === 'finished' ? plan.outcome : phase,
    type: 'scheduled',
    fetch_mode: plan.fetchMode,
    output_disposition: plan.outputDisposition,
    is_partial: false,
    is_resync: false,
    is_test: false,
    record_count: sum((s) => s.record_count),
    error_count: sum((s) => s.error_count),
    warning_count: sum((s) => s.warning_count),
    status_message: executionMessage(plan, phase),
    created_at: iso(cycleStart),
    updated_at: completedAt ?? iso(now),
    started_at: phase === 'created' ? null : iso(cycleStart + RUN_START),
    completed_at: completedAt,
    schemas,
  };
}

/**
 * The status of a cycling sync at `now`, for a simulator that started at `startedAt`.
 * While a run is in progress it is `current_execution` and the previous run is `last_execution`;
 * during the idle tail of a cycle only `last_execution` is present.
 */
export function cycleStatus(
  plan: CyclePlan,
  startedAt: number,
  now: number,
): BulkSyncStatusResponse {
  const cycle = Math.floor((now - startedAt + plan.offsetMs) / SIM_CYCLE.totalMs);
  const cycleStart = startedAt - plan.offsetMs + cycle * SIM_CYCLE.totalMs;
  const next = iso(cycleStart + SIM_CYCLE.totalMs);
  const current = cycleExecution(plan, cycle, cycleStart, now);
  if (current.completed_at !== null) return { last_execution: current, next_execution_time: next };
  const previous = cycleExecution(plan, cycle - 1, cycleStart - SIM_CYCLE.totalMs, now);
  return { current_execution: current, last_execution: previous, next_execution_time: next };
}
