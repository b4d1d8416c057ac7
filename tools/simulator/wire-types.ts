/**
 * TypeScript shapes of the Polytomic bulk-sync wire format, as this simulator emits them.
 * Keys are snake_case, timestamps RFC 3339 UTC strings, int64 counts plain JSON numbers.
 * The simulator keeps its own copy so it never depends on the gateway's types.
 */

/** The known values of an enum plus any other string the upstream may add later. */
export type OpenEnum<T extends string> = T | (string & Record<never, never>);

/** `BulkExecutionStatus`: status of a whole execution. */
export type BulkExecutionStatus =
  | 'created'
  | 'scheduled'
  | 'running'
  | 'exporting'
  | 'canceling'
  | 'canceled'
  | 'completed'
  | 'failed'
  | 'processing'
  | 'errors'
  | 'interrupted';

/** `BulkSchemaExecutionStatus`: status of one schema within an execution. */
export type BulkSchemaExecutionStatus =
  | 'created'
  | 'scheduled'
  | 'running'
  | 'exporting'
  | 'canceled'
  | 'completed'
  | 'failed'
  | 'interrupted'
  | 'processing';

/** `BulkFetchMode`. */
export type BulkFetchMode = 'none' | 'incremental' | 'full';

/** `BulkOutputDisposition`. */
export type BulkOutputDisposition = 'retain' | 'truncate' | 'rebuild';

/** `IngestionStatusLevel`. */
export type IngestionStatusLevel = 'ok' | 'warning' | 'error';

/** `BulkSyncTargetMode`. */
export type BulkSyncTargetMode = 'snapshot' | 'replicate';

/** `BulkSyncSchemaExecution`: one schema within an execution. */
export interface BulkSyncSchemaExecution {
  schema: string;
  output_name: string;
  status: OpenEnum<BulkSchemaExecutionStatus>;
  status_message: string;
  record_count: number;
  error_count: number;
  warning_count: number;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  completed_at: string | null;
}

/** `BulkSyncExecution`: one run of a bulk sync. */
export interface BulkSyncExecution {
  id: string;
  status: OpenEnum<BulkExecutionStatus>;
  type: string;
  fetch_mode: OpenEnum<BulkFetchMode>;
  output_disposition: OpenEnum<BulkOutputDisposition>;
  is_partial: boolean;
  is_resync: boolean;
  is_test: boolean;
  record_count: number;
  error_count: number;
  warning_count: number;
  status_message: string;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  completed_at: string | null;
  schemas: BulkSyncSchemaExecution[] | null;
}

/** `BulkSyncIngestionStatus`: CDC ingestion health. */
export interface BulkSyncIngestionStatus {
  enabled: boolean;
  is_running: boolean;
  status: OpenEnum<IngestionStatusLevel>;
  status_message: string;
  highwater_mark: string;
  position: string;
  position_time: string | null;
  updated_at: string;
}

/** `BulkSyncStatusResponse`: every key is optional on the wire. */
export interface BulkSyncStatusResponse {
  current_execution?: BulkSyncExecution;
  last_execution?: BulkSyncExecution;
  ingestion_status?: BulkSyncIngestionStatus;
  next_execution_time?: string | null;
}

/** `BulkSyncStatusEnvelope`: body of `GET /api/bulk/syncs/{id}/status`. */
export interface BulkSyncStatusEnvelope {
  data?: BulkSyncStatusResponse;
}

/** A trimmed-down `BulkSyncResponse`, as served by the list and get-sync endpoints. */
export interface BulkSyncSummary {
  id: string;
  name: string;
  active: boolean;
  mode: OpenEnum<BulkSyncTargetMode>;
  organization_id: string;
  source_connection_id: string;
  destination_connection_id: string;
  default_schedule: { frequency: string };
  created_at: string;
  updated_at: string;
}

/** `ApiError`: the documented error body. */
export interface ApiError {
  status: number;
  message: string;
  key?: string;
  metadata?: Record<string, unknown>;
}
