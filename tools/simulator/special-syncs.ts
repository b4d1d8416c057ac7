import { SIM_SYNCS } from './ids.js';
import { iso, stableUuid } from './time.js';
import type {
  BulkSyncExecution,
  BulkSyncIngestionStatus,
  BulkSyncSchemaExecution,
  BulkSyncStatusResponse,
} from './wire-types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** How often the idle sync is scheduled; its next run is always within this window. */
export const IDLE_PERIOD_MS = 5 * MINUTE;

/** Length of each ok / warning stretch of the CDC sync's ingestion status. */
export const INGESTION_FLIP_MS = 20_000;

/** Where the backfill's big schema starts, and how many rows per millisecond it adds. */
export const BACKFILL_BASE = 3_000_000_000;
export const BACKFILL_ROWS_PER_MS = 125;

function baseExecution(seed: string, createdAt: number): BulkSyncExecution {
  return {
    id: stableUuid(seed),
    status: 'completed',
    type: 'scheduled',
    fetch_mode: 'none',
    output_disposition: 'retain',
    is_partial: false,
    is_resync: false,
    is_test: false,
    record_count: 0,
    error_count: 0,
    warning_count: 0,
    status_message: '',
    created_at: iso(createdAt),
    updated_at: iso(createdAt),
    started_at: null,
    completed_at: null,
    schemas: null,
  };
}

function schema(
  name: string,
  status: string,
  recordCount: number,
  createdAt: number,
  completedAt: number | null,
  now: number,
): BulkSyncSchemaExecution {
  return {
    schema: name,
    output_name: name.replace('.', '_'),
    status,
    status_message: '',
    record_count: recordCount,
    error_count: 0,
    warning_count: 0,
    created_at: iso(createdAt),
    updated_at: iso(completedAt ?? now),
    started_at: iso(createdAt + 1_000),
    completed_at: completedAt === null ? null : iso(completedAt),
  };
}

function totals(schemas: BulkSyncSchemaExecution[]): {
  record_count: number;
  schemas: typeof schemas;
} {
  return { record_count: schemas.reduce((n, s) => n + s.record_count, 0), schemas };
}

/** The idle sync: nothing running, one finished run an hour before start, next run soon. */
export function idleStatus(startedAt: number, now: number): BulkSyncStatusResponse {
  const created = startedAt - HOUR;
  const done = created + 45_000;
  const next = startedAt + (Math.floor((now - startedAt) / IDLE_PERIOD_MS) + 1) * IDLE_PERIOD_MS;
  return {
    last_execution: {
      ...baseExecution(`${SIM_SYNCS.idle}/execution/last`, created),
      ...totals([
        schema('crm.accounts', 'completed', 40_000, created, done, now),
        schema('crm.contacts', 'completed', 8_213, created, done, now),
      ]),
      status_message: 'sync completed',
      updated_at: iso(done),
      started_at: iso(created + 1_000),
      completed_at: iso(done),
    },
    next_execution_time: iso(next),
  };
}

/** The backfill: one long resync whose count starts above 2^31 and keeps growing. */
export function backfillStatus(startedAt: number, now: number): BulkSyncStatusResponse {
  const created = startedAt - 6 * HOUR;
  const ran = Math.max(0, now - startedAt);
  const previous = created - 24 * HOUR;
  return {
    current_execution: {
      ...baseExecution(`${SIM_SYNCS.backfill}/execution/current`, created),
      ...totals([
        schema(
          'events.page_views',
          'running',
          BACKFILL_BASE + ran * BACKFILL_ROWS_PER_MS,
          created,
          null,
          now,
        ),
        schema('events.sessions', 'running', 12_345_678 + ran, created, null, now),
      ]),
      status: 'running',
      fetch_mode: 'full',
      output_disposition: 'rebuild',
      is_resync: true,
      status_message: 'resyncing 2 schemas',
      updated_at: iso(now),
      started_at: iso(created + 1_000),
    },
    last_execution: {
      ...baseExecution(`${SIM_SYNCS.backfill}/execution/previous`, previous),
      ...totals([schema('events.page_views', 'completed', 2_999_000_000, previous, created, now)]),
      status_message: 'sync completed',
      updated_at: iso(created),
      started_at: iso(previous + 1_000),
      completed_at: iso(created),
    },
    next_execution_time: null,
  };
}

/** A sync reporting statuses newer than the contract: `queued_for_retry` and `throttled`. */
export function unknownStatus(startedAt: number, now: number): BulkSyncStatusResponse {
  const created = startedAt - 10 * MINUTE;
  const previous = created - HOUR;
  return {
    current_execution: {
      ...baseExecution(`${SIM_SYNCS.unknown}/execution/current`, created),
      ...totals([schema('erp.ledger', 'throttled', 1_234, created, null, now)]),
      status: 'queued_for_retry',
      status_message: 'destination busy, retrying',
      updated_at: iso(now),
      started_at: iso(created + 1_000),
    },
    last_execution: {
      ...baseExecution(`${SIM_SYNCS.unknown}/execution/previous`, previous),
      status: 'interrupted',
      status_message: 'worker restarted',
      updated_at: iso(previous + 30_000),
      started_at: iso(previous + 1_000),
      completed_at: iso(previous + 30_000),
    },
    next_execution_time: null,
  };
}

/** CDC ingestion health: `ok` and `warning` alternate every `INGESTION_FLIP_MS`. */
export function ingestionStatus(startedAt: number, now: number): BulkSyncIngestionStatus {
  const elapsed = Math.max(0, now - startedAt);
  const ok = Math.floor(elapsed / INGESTION_FLIP_MS) % 2 === 0;
  const lsn = (offset: number): string =>
    `0/${(0x16b3748 + Math.floor(elapsed / 1000) * 4096 - offset).toString(16).toUpperCase()}`;
  return {
    enabled: true,
    is_running: true,
    status: ok ? 'ok' : 'warning',
    status_message: ok ? 'replication healthy' : 'replication lag above 30s',
    highwater_mark: lsn(0),
    position: lsn(ok ? 4096 : 40_960),
    position_time: iso(now - (ok ? 2_000 : 35_000)),
    updated_at: iso(now),
  };
}
