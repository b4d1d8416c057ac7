import { iso } from './time.js';
import type { BulkSyncSchemaExecution } from './wire-types.js';

/** The phases of an execution, as built-in cycles and started runs both go through them. */
export type Phase = 'created' | 'running' | 'exporting' | 'finished';

/** What a schema run shows whatever drives it. */
export interface SchemaRunPlan {
  schema: string;
  outputName: string;
  /** One warning per this many records; none when absent. */
  recordsPerWarning?: number;
  /** When present the schema fails when it stops fetching. */
  failure?: { message: string; errors: number };
}

/** Where one schema run stands at `now`, in the clock's terms. */
export interface SchemaRunMoment {
  phase: Exclude<Phase, 'created'>;
  /** When the execution was created, and when it (and so this schema) started fetching. */
  createdAt: number;
  startedAt: number;
  /** How long this schema fetches, how long it has so far, and how many records that made. */
  fetchMs: number;
  ranFor: number;
  recordCount: number;
  /** When the whole execution finished (used once it has). */
  finishedAt: number;
  now: number;
}

/**
 * A schema run's wire form: running while it fetches, exporting after, completed with the
 * execution, or failed when it stops fetching with a failure planned. Shared by the built-in
 * cycles (cycle.ts) and the runs started through the API (run.ts).
 */
export function schemaRunWire(plan: SchemaRunPlan, at: SchemaRunMoment): BulkSyncSchemaExecution {
  const failed = plan.failure !== undefined && at.ranFor >= at.fetchMs;
  let status = 'running';
  if (failed) status = 'failed';
  else if (at.phase === 'finished') status = 'completed';
  else if (at.phase === 'exporting' || at.ranFor >= at.fetchMs) status = 'exporting';
  let completedAt: string | null = null;
  if (failed) completedAt = iso(at.startedAt + at.fetchMs);
  else if (at.phase === 'finished') completedAt = iso(at.finishedAt);
  return {
    schema: plan.schema,
    output_name: plan.outputName,
    status,
    status_message: failed ? (plan.failure?.message ?? '') : '',
    record_count: at.recordCount,
    error_count: failed ? (plan.failure?.errors ?? 0) : 0,
    warning_count: plan.recordsPerWarning ? Math.floor(at.recordCount / plan.recordsPerWarning) : 0,
    created_at: iso(at.createdAt),
    updated_at: completedAt ?? iso(at.now),
    started_at: iso(at.startedAt),
    completed_at: completedAt,
  };
}
