import { type Phase, schemaRunWire } from './schema-run.js';
import { iso } from './time.js';
import type {
  BulkFetchMode,
  BulkOutputDisposition,
  BulkSyncExecution,
  BulkSyncSchemaExecution,
} from './wire-types.js';

/**
 * Phase lengths of an execution started through the API, and how long a cancel takes to land.
 * The phases are those of the built-in cycle (`SIM_CYCLE`), so a started run looks like theirs.
 */
export const SIM_MANUAL_RUN = {
  createdMs: 2_000,
  runningMs: 15_000,
  exportingMs: 5_000,
  totalMs: 22_000,
  /** From the cancel request to `canceled`; the execution shows `canceling` meanwhile. */
  cancelMs: 3_000,
} as const;

/** How one schema behaves within a run. */
export interface RunSchema {
  schema: string;
  outputName: string;
  /** Records fetched by the time the schema stops fetching. */
  records: number;
  /** Part (0..1] of the running phase after which the schema stops fetching. */
  share: number;
  /** One warning per this many records; none when absent. */
  recordsPerWarning?: number;
  /** When present the schema fails when it stops fetching. */
  failure?: { message: string; errors: number };
}

/** Everything that decides how one execution looks at any time. */
export interface RunSpec {
  id: string;
  /** Free-form upstream: `scheduled` for schedule runs, `manual` for API starts. */
  type: string;
  /** When it was created (`created_at`). */
  start: number;
  createdMs: number;
  runningMs: number;
  exportingMs: number;
  schemas: readonly RunSchema[];
  /** Ends `failed` when a schema fails or `failureMessage` is set, else `completed`. */
  failureMessage?: string;
  fetchMode: BulkFetchMode;
  outputDisposition: BulkOutputDisposition;
  isResync: boolean;
  isTest: boolean;
  isPartial: boolean;
  /** When a cancel was asked for; see `withCancel`. */
  cancelAt?: number;
}

function schemaRun(
  spec: RunSpec,
  plan: RunSchema,
  phase: Exclude<Phase, 'created'>,
  now: number,
): BulkSyncSchemaExecution {
  const startedAt = spec.start + spec.createdMs;
  const fetchMs = Math.max(1, Math.round(plan.share * spec.runningMs));
  const ranFor = Math.min(now - startedAt, fetchMs);
  return schemaRunWire(plan, {
    phase,
    createdAt: spec.start,
    startedAt,
    fetchMs,
    ranFor,
    recordCount: Math.floor((plan.records * ranFor) / fetchMs),
    finishedAt: startedAt + spec.runningMs + spec.exportingMs,
    now,
  });
}

function failureOf(spec: RunSpec): string | undefined {
  const failing = spec.schemas.filter((s) => s.failure !== undefined);
  if (spec.failureMessage !== undefined) return spec.failureMessage;
  if (failing.length === 0) return undefined;
  const names = failing.map((s) => s.schema).join(', ');
  return `${failing.length} of ${spec.schemas.length} schemas failed: ${names}`;
}

/** The execution `spec` describes, as seen at `now` (cancel not applied). */
function plainView(spec: RunSpec, now: number): BulkSyncExecution {
  const at = now - spec.start;
  const runEnd = spec.createdMs + spec.runningMs;
  const end = runEnd + spec.exportingMs;
  let phase: Phase = 'finished';
  if (at < spec.createdMs) phase = 'created';
  else if (at < runEnd) phase = 'running';
  else if (at < end) phase = 'exporting';
  const schemas =
    phase === 'created' ? null : spec.schemas.map((s) => schemaRun(spec, s, phase, now));
  const sum = (pick: (s: BulkSyncSchemaExecution) => number): number =>
    schemas?.reduce((total, s) => total + pick(s), 0) ?? 0;
  const failure = failureOf(spec);
  const completedAt = phase === 'finished' ? iso(spec.start + end) : null;
  const messages: Record<Phase, string> = {
    created: 'waiting for a worker',
    running: `syncing ${spec.schemas.length} schemas`,
    exporting: 'exporting to destination',
    finished: failure ?? 'sync completed',
  };
  let status: string = phase;
  if (phase === 'finished') status = failure === undefined ? 'completed' : 'failed';
  return {
    id: spec.id,
    status,
    type: spec.type,
    fetch_mode: spec.fetchMode,
    output_disposition: spec.outputDisposition,
    is_partial: spec.isPartial,
    is_resync: spec.isResync,
    is_test: spec.isTest,
    record_count: sum((s) => s.record_count),
    error_count: sum((s) => s.error_count),
    warning_count: sum((s) => s.warning_count),
    status_message: messages[phase],
    created_at: iso(spec.start),
    updated_at: completedAt ?? iso(now),
    started_at: phase === 'created' ? null : iso(spec.start + spec.createdMs),
    completed_at: completedAt,
    schemas,
  };
}

/** The execution `spec` describes, as seen at `now`, its cancel included. */
export function runView(spec: RunSpec, now: number): BulkSyncExecution {
  const view = (at: number): BulkSyncExecution => plainView(spec, at);
  return spec.cancelAt === undefined ? view(now) : withCancel(view, spec.cancelAt, now);
}

/** When a run described by `spec` finishes if nobody cancels it. */
export function runEnd(spec: RunSpec): number {
  return spec.start + spec.createdMs + spec.runningMs + spec.exportingMs;
}

const SCHEMA_DONE = new Set(['completed', 'failed', 'canceled', 'interrupted']);

/**
 * An execution cancelled at `cancelAt`: progress stops there, it shows `canceling` for
 * `SIM_MANUAL_RUN.cancelMs`, then `canceled`, with its unfinished schemas `canceled` too.
 * A run that had already finished at `cancelAt` is left as it was.
 */
export function withCancel(
  view: (now: number) => BulkSyncExecution,
  cancelAt: number,
  now: number,
): BulkSyncExecution {
  if (now < cancelAt) return view(now);
  const frozen = view(cancelAt);
  if (frozen.completed_at !== null) return view(now);
  const doneAt = cancelAt + SIM_MANUAL_RUN.cancelMs;
  if (now < doneAt) {
    return { ...frozen, status: 'canceling', status_message: 'cancellation requested' };
  }
  const done = iso(doneAt);
  const schemas =
    frozen.schemas?.map((s) =>
      SCHEMA_DONE.has(s.status)
        ? s
        : { ...s, status: 'canceled', updated_at: done, completed_at: done },
    ) ?? null;
  return {
    ...frozen,
    status: 'canceled',
    status_message: 'execution canceled',
    updated_at: done,
    completed_at: done,
    schemas,
  };
}

/** Whether an execution has finished (a terminal or unknown-but-completed state). */
export function isFinished(execution: BulkSyncExecution): boolean {
  return execution.completed_at !== null;
}
