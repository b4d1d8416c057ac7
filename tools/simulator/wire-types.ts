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

/**
 * The few `BulkSyncResponse` fields the first simulator served; kept for code that typed them.
 * The endpoints now serve the whole `BulkSyncResponse`.
 */
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

/** `ScheduleFrequency`. */
export type ScheduleFrequency =
  | 'manual'
  | 'continuous'
  | 'hourly'
  | 'daily'
  | 'weekly'
  | 'custom'
  | 'builder'
  | 'runafter'
  | 'multi'
  | 'dbtcloud';

/** `BulkDiscover`. */
export type BulkDiscover = 'all' | 'onlyIncremental' | 'onlyNonIncremental' | 'none';

/** `BulkNormalizeNames`. */
export type BulkNormalizeNames = 'enabled' | 'disabled' | 'legacy';

/** `BulkResyncMode`: `resync_mode` of a start request. */
export type BulkResyncMode = 'refetch' | 'resync' | 'rebuild';

/** `BulkScheduleSyncMode`: `resync_mode` of an additional schedule. */
export type BulkScheduleSyncMode = 'normal' | 'refetch' | 'resync' | 'rebuild';

/** `BulkSelectiveMode`. */
export type BulkSelectiveMode = 'none' | 'incrementalFields' | 'nonincrementalFields';

/** `OutputActor`: who created or last changed something. */
export interface OutputActor {
  id: string;
  name: string;
  /** user, system, organization or partner. */
  type: string;
}

/**
 * `BulkSyncDefaultScheduleResponse` (API 2025-09-18). Time parts are strings in UTC; the
 * simulator sends only the parts that matter for the frequency.
 */
export interface BulkSyncSchedule {
  id: string;
  frequency: OpenEnum<ScheduleFrequency>;
  minute?: string;
  hour?: string;
  day_of_week?: string;
  day_of_month?: string;
  month?: string;
  created_at: string;
  created_by: OutputActor;
  updated_at: string;
  updated_by: OutputActor;
}

/** `BulkSyncAdditionalScheduleResponse` (API 2025-09-18). */
export interface BulkSyncAdditionalSchedule extends BulkSyncSchedule {
  schemas: string[];
  resync_mode: OpenEnum<BulkScheduleSyncMode>;
  selective_mode: OpenEnum<BulkSelectiveMode>;
}

/** `BulkSchedule`: the single schedule of API versions before 2025-09-18. */
export interface BulkSchedule {
  frequency: OpenEnum<ScheduleFrequency>;
  minute?: string;
  hour?: string;
  day_of_week?: string;
  day_of_month?: string;
  month?: string;
  /** Only for `frequency: 'multi'`: the schedules of a multi-schedule sync. */
  multi?: {
    type: string;
    schedules: { item: OpenEnum<BulkSelectiveMode>; schedule: BulkSchedule }[];
  };
}

/**
 * `BulkSyncResponse`, as GET /api/bulk/syncs[/{id}] send it. API 2025-09-18 sends
 * `default_schedule` and `additional_schedules`; older versions send `schedule` and `discover`.
 */
export interface BulkSyncResponse {
  id: string;
  name: string;
  active: boolean;
  mode: OpenEnum<BulkSyncTargetMode>;
  organization_id: string;
  source_connection_id: string;
  destination_connection_id: string;
  source_configuration: Record<string, unknown> | null;
  destination_configuration: Record<string, unknown> | null;
  default_schedule?: BulkSyncSchedule;
  additional_schedules?: BulkSyncAdditionalSchedule[] | null;
  schedule?: BulkSchedule;
  discover?: boolean;
  automatically_add_new_fields: OpenEnum<BulkDiscover>;
  automatically_add_new_objects: OpenEnum<BulkDiscover>;
  normalize_names: OpenEnum<BulkNormalizeNames>;
  concurrency_limit: number | null;
  resync_concurrency_limit: number | null;
  data_cutoff_timestamp: string | null;
  disable_record_timestamps: boolean;
  policies: string[];
  created_at: string;
  created_by: OutputActor;
  updated_at: string;
  updated_by: OutputActor;
}

/** `PaginationDetails`: an empty or missing token means the last page. */
export interface PaginationDetails {
  next_page_token?: string;
}

/** Body of GET /api/bulk/syncs; `pagination` only when the simulator pages the list. */
export interface BulkSyncListEnvelope {
  data: BulkSyncResponse[];
  pagination?: PaginationDetails;
}

/** Body of GET /api/bulk/syncs/{id}/executions. */
export interface ListBulkSyncExecutionsEnvelope {
  data: BulkSyncExecution[];
  pagination: PaginationDetails;
}

/** Body of POST /api/bulk/syncs/{id}/executions (`StartBulkSyncRequest`). */
export interface StartBulkSyncRequest {
  fetch_mode?: OpenEnum<BulkFetchMode>;
  resync_mode?: OpenEnum<BulkResyncMode>;
  schemas?: string[] | null;
  test?: boolean;
  /** Legacy boolean (= `resync_mode: 'rebuild'`), refused by API 2025-09-18. */
  resync?: boolean;
}

/** `CancelBulkSyncResponse`. */
export interface CancelBulkSyncResponse {
  message: string;
}

/** `ActivateSyncOutput`. */
export interface ActivateSyncOutput {
  id: string;
  active: boolean;
}

/** `BulkSyncSchemaExecutionStatus`: one schema in the status summary. */
export interface BulkSyncSchemaExecutionStatus {
  schema: string;
  execution_id: string;
  status: OpenEnum<BulkSchemaExecutionStatus>;
  started_at: string | null;
  completed_at: string | null;
  record_count: number;
  error_count: number;
  warning_count: number;
  status_message: string;
}

/** `BulkSyncExecutionStatus`: one item of GET /api/bulk/syncs/status. Note the camelCase key. */
export interface BulkSyncExecutionStatus {
  sync_id: string;
  status?: OpenEnum<BulkExecutionStatus>;
  nextExecutionTime: string | null;
  schemas: BulkSyncSchemaExecutionStatus[] | null;
}

/** `ConnectionTypeSchema`. */
export interface ConnectionType {
  id: string;
  name: string;
  logo_url: string;
  operations: string[];
}

/** `ConnectionResponseSchema`: body `data` of GET /api/connections/{id}. */
export interface ConnectionResponse {
  id: string;
  name: string;
  organization_id: string;
  status: string;
  status_error: string;
  type: ConnectionType;
  /** Free-form; it holds credentials (fake ones here), which a client must never pass on. */
  configuration: Record<string, unknown>;
  api_calls_last_24_hours: number;
  /** Only for shared connections; none of the simulated ones is. */
  parent_connection_id?: string;
  policies: string[];
  saved: boolean;
  created_at: string;
  created_by: OutputActor;
  updated_at: string;
  updated_by: OutputActor;
}

/**
 * The ten `type` strings of Polytomic events (docs/polytomic-events.md §1.2). Mind the bulk
 * `completed_with_error` (singular) against the model-sync `completed_with_errors`.
 */
export type PolytomicEventType =
  | 'sync.running'
  | 'sync.failed'
  | 'sync.canceled'
  | 'sync.completed'
  | 'sync.completed_with_errors'
  | 'bulk_sync.running'
  | 'bulk_sync.completed'
  | 'bulk_sync.canceled'
  | 'bulk_sync.failed'
  | 'bulk_sync.completed_with_error';

/**
 * `EventingBulkSync*Event`: the payload of a `bulk_sync.*` event (§1.3). No field is required
 * upstream; `trigger_source` comes with completed, completed_with_error and failed, `error` with
 * failed. No status, counts or timestamps: a client fetches the execution for those.
 */
export interface BulkSyncEventPayload {
  sync_id: string;
  execution_id: string;
  organization_id: string;
  source_connection_id: string;
  destination_connection_id: string;
  sync_name: string;
  trigger_source?: string;
  error?: string;
}

/** `Event` in the SDK: one entry of GET /api/events, and the body of a webhook delivery. */
export interface PolytomicEvent {
  id: string;
  organization_id: string;
  type: OpenEnum<PolytomicEventType>;
  /** RFC 3339 with milliseconds, e.g. `2026-11-29T10:00:02.000Z`. */
  created_at: string;
  event: BulkSyncEventPayload;
}

/** `EventsEnvelope`: body of GET /api/events (`null` when nothing matches). */
export interface EventsEnvelope {
  data: PolytomicEvent[] | null;
}

/** `EventTypesEnvelope`: body of GET /api/events_types. */
export interface EventTypesEnvelope {
  data: PolytomicEventType[] | null;
}
