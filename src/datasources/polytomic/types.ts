/**
 * The gateway's typed view of `GET /api/bulk/syncs/{id}/status`: camelCase, every optional wire
 * field folded to `null`, timestamps as RFC 3339 UTC strings, enum values kept exactly as sent
 * (the schema maps them, with an UNKNOWN fallback).
 */
/**
 * A count (int64 on the wire): a whole number SafeInt carries exactly, null when absent, or
 * UNSERVABLE when Polytomic sent one it cannot (beyond 2^53-1, not whole, or beyond a double).
 * A marker rather than the number itself: the number may already be rounded, and it travels as
 * JSON (Redis, change fingerprints), where Infinity would turn into null.
 */
export type Count = number | typeof UNSERVABLE | null;
export const UNSERVABLE = 'unservable';

/**
 * A timestamp: RFC 3339 in UTC, null when absent, or UNSERVABLE when Polytomic sent a string
 * that is no RFC 3339 date-time (or names a day that does not exist). Served as null, that would
 * read as "never" ("nothing scheduled"), not as "unreadable".
 */
export type Timestamp = string | typeof UNSERVABLE | null;

/**
 * The version of the snapshot format below, as replicas share it through Redis. Bumped whenever
 * a field's shape or meaning changes, so that replicas of two releases sharing Redis during a
 * rolling deploy never read each other's snapshots: each release polls for its own subscribers
 * meanwhile.
 */
export const SNAPSHOT_FORMAT = 2;

/** A status as fetched, with when: what the store shares and caches. */
export interface Snapshot {
  status: SyncStatus;
  /** Epoch milliseconds at which Polytomic answered. */
  fetchedAt: number;
  /** True when Polytomic just failed and this older snapshot stands in (stale-if-error). */
  stale: boolean;
}

export interface SyncStatus {
  currentExecution: Execution | null;
  lastExecution: Execution | null;
  ingestionStatus: IngestionStatus | null;
  nextExecutionTime: Timestamp;
}

// Polytomic documents completed, canceled and failed as terminal; errors and interrupted look
// terminal too. Anything else, unknown values included, counts as in progress: polling an
// unknown state often is cheaper than missing a run.
const TERMINAL = new Set(['completed', 'canceled', 'failed', 'errors', 'interrupted']);

/** Whether the status has an execution that has not finished. */
export function isInProgress(status: SyncStatus): boolean {
  const current = status.currentExecution;
  return current !== null && !TERMINAL.has(current.status);
}

/** Counts and timestamps, shared by an execution and each of its schema runs. */
export interface Progress {
  recordCount: Count;
  errorCount: Count;
  warningCount: Count;
  createdAt: Timestamp;
  startedAt: Timestamp;
  completedAt: Timestamp;
  updatedAt: Timestamp;
}

/** One run of a bulk sync (`BulkSyncExecution`). */
export interface Execution extends Progress {
  /** null when Polytomic sent none: the schema's non-null `id` then fails, and the execution. */
  id: string | null;
  status: string;
  statusMessage: string | null;
  type: string | null;
  fetchMode: string | null;
  outputDisposition: string | null;
  isPartial: boolean | null;
  isResync: boolean | null;
  isTest: boolean | null;
  schemas: SchemaRun[];
}

/** One schema within an execution (`BulkSyncSchemaExecution`). */
export interface SchemaRun extends Progress {
  schema: string;
  outputName: string | null;
  status: string;
  statusMessage: string | null;
}

/** CDC ingestion health (`BulkSyncIngestionStatus`). */
export interface IngestionStatus {
  /** null when Polytomic sent none (as for isRunning): the schema has no "unknown" to serve. */
  enabled: boolean | null;
  isRunning: boolean | null;
  status: string;
  statusMessage: string | null;
  highwaterMark: string | null;
  position: string | null;
  positionTime: Timestamp;
  updatedAt: Timestamp;
}

/** A bulk sync's own fields (`BulkSyncResponse`), without its configurations (they may hold secrets). */
export interface BulkSyncRecord {
  id: string;
  name: string | null;
  active: boolean | null;
  /** `snapshot` or `replicate` as sent (the schema maps it, with an UNKNOWN fallback). */
  mode: string | null;
  sourceConnectionId: string | null;
  destinationConnectionId: string | null;
  /** `default_schedule`, or `schedule` from API versions before 2025-09-18. */
  schedule: Schedule | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  createdBy: Actor | null;
  updatedBy: Actor | null;
}

/** A schedule; time parts are strings in UTC, as Polytomic sends them. */
export interface Schedule {
  /** As sent; '' when Polytomic left it out. */
  frequency: string;
  minute: string | null;
  hour: string | null;
  dayOfWeek: string | null;
  dayOfMonth: string | null;
  month: string | null;
}

/** Who created or changed something (`OutputActor`). */
export interface Actor {
  id: string | null;
  name: string | null;
  type: string | null;
}

/** A connection (`ConnectionResponseSchema`), without its configuration (it may hold secrets). */
export interface DataConnectionRecord {
  id: string;
  name: string | null;
  type: string | null;
  typeName: string | null;
  logoUrl: string | null;
  status: string | null;
  statusError: string | null;
}

/** One page of a listing, and the token of the next page when Polytomic sent one. */
export interface Page<T> {
  items: T[];
  nextPageToken: string | null;
}

/** What a started execution's POST answered, and the other two actions' answers. */
export interface CancelAnswer {
  message: string | null;
}
export interface ActivateAnswer {
  active: boolean | null;
}

/** The body of `POST /api/bulk/syncs/{id}/executions`. */
export interface StartRequest {
  fetchMode?: string | undefined;
  resyncMode?: string | undefined;
  schemas?: readonly string[] | null | undefined;
  test?: boolean | undefined;
}
