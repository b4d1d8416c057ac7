import { type CatalogueEntry, defaultEntry } from './catalogue.js';
import type { RunSchema } from './run.js';
import { constantRun, fixedSource, type RunSource } from './sources.js';
import type {
  BulkFetchMode,
  BulkOutputDisposition,
  BulkSyncExecution,
  BulkSyncIngestionStatus,
  BulkSyncStatusEnvelope,
} from './wire-types.js';

/** A status body: an envelope to serialize, or a raw string sent as-is. */
export type StatusBody = BulkSyncStatusEnvelope | string;

/** What an execution started through the API syncs, and how. */
export interface ManualPlan {
  schemas: readonly RunSchema[];
  fetchMode: BulkFetchMode;
  outputDisposition: BulkOutputDisposition;
}

/** One sync the simulator knows: its catalogue facts and how its executions evolve. */
export interface SyncDefinition {
  id: string;
  name: string;
  /** Its state when the simulator starts. */
  active: boolean;
  entry: CatalogueEntry;
  /**
   * The built-in clock-driven status body, answered exactly as it is until the API starts,
   * cancels, pauses or resumes something on the sync. Without it (and from then on) the status
   * is computed from `runs` and the executions started through the API.
   */
  status?(startedAt: number, now: number): StatusBody;
  /** The executions the sync runs on its own, for a simulator started at `startedAt`. */
  runs(startedAt: number): RunSource;
  /** CDC ingestion health, kept when the status is computed from runs. */
  ingestion?(startedAt: number, now: number): BulkSyncIngestionStatus;
  manual: ManualPlan;
  /**
   * Whether its own runs never change (an `addSync` body): the event log then skips it until
   * the API starts, cancels, pauses or resumes something on it.
   */
  fixed?: boolean;
}

/** What a run started on an `addSync` sync syncs. */
const ADDED_SYNC_MANUAL: ManualPlan = {
  fetchMode: 'none',
  outputDisposition: 'retain',
  schemas: [{ schema: 'public.records', outputName: 'records', records: 1_000, share: 1 }],
};

/** The parsed envelope of a status body, or undefined for a raw string that is not one. */
export function envelopeOf(body: StatusBody): BulkSyncStatusEnvelope | undefined {
  if (typeof body !== 'string') return body;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null
      ? (parsed as BulkSyncStatusEnvelope)
      : undefined;
  } catch {
    return undefined;
  }
}

function isExecution(value: unknown): value is BulkSyncExecution {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { id?: unknown }).id === 'string'
  );
}

/**
 * A sync registered with `addSync`: its status is the fixed body; its history is the body's
 * last and current executions (when the body is an envelope), its catalogue entry the default.
 */
export function addedSync(
  id: string,
  body: StatusBody,
  options: { name: string; active: boolean },
): SyncDefinition {
  return {
    id,
    name: options.name,
    active: options.active,
    entry: defaultEntry(id),
    status: () => body,
    runs: () => {
      const data = envelopeOf(body)?.data;
      const runs = [data?.last_execution, data?.current_execution].filter(isExecution);
      const next = Date.parse(data?.next_execution_time ?? '');
      return fixedSource(runs.map(constantRun), () => (Number.isNaN(next) ? null : next));
    },
    manual: ADDED_SYNC_MANUAL,
    fixed: true,
  };
}
