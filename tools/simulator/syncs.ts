import type { CatalogueEntry } from './catalogue.js';
import { ACTORS, fakeSecret } from './connections.js';
import { type CyclePlan, cycleExecution, cycleStatus, SIM_CYCLE } from './cycle.js';
import { SIM_CONNECTIONS, SIM_SYNCS } from './ids.js';
import {
  type BaseRun,
  fixedSource,
  periodicNext,
  type RunSource,
  seriesSource,
} from './sources.js';
import {
  backfillStatus,
  IDLE_PERIOD_MS,
  idleStatus,
  ingestionStatus,
  unknownStatus,
} from './special-syncs.js';
import type { ManualPlan, SyncDefinition } from './sync-definition.js';
import type { BulkSyncExecution, BulkSyncStatusResponse } from './wire-types.js';

const ORDERS: CyclePlan = {
  syncId: SIM_SYNCS.orders,
  offsetMs: 0,
  fetchMode: 'incremental',
  outputDisposition: 'retain',
  outcome: 'completed',
  schemas: [
    { schema: 'public.orders', outputName: 'orders', rowsPerSecond: 1_200, runMs: 15_000 },
    {
      schema: 'public.order_items',
      outputName: 'order_items',
      rowsPerSecond: 3_400,
      runMs: 12_000,
    },
    {
      schema: 'public.customers',
      outputName: 'customers',
      rowsPerSecond: 150,
      runMs: 8_000,
      recordsPerWarning: 250,
    },
  ],
};

const INVOICES: CyclePlan = {
  syncId: SIM_SYNCS.invoices,
  offsetMs: 8_000,
  fetchMode: 'full',
  outputDisposition: 'truncate',
  outcome: 'failed',
  failureMessage: '1 of 3 schemas failed: billing.payments',
  schemas: [
    { schema: 'billing.invoices', outputName: 'invoices', rowsPerSecond: 800, runMs: 15_000 },
    {
      schema: 'billing.payments',
      outputName: 'payments',
      rowsPerSecond: 500,
      runMs: 6_000,
      failure: { message: 'permission denied for table payments', errors: 3 },
    },
    { schema: 'billing.refunds', outputName: 'refunds', rowsPerSecond: 90, runMs: 10_000 },
  ],
};

const CDC: CyclePlan = {
  syncId: SIM_SYNCS.cdc,
  offsetMs: 16_000,
  fetchMode: 'none',
  outputDisposition: 'retain',
  outcome: 'completed',
  schemas: [
    { schema: 'app.events', outputName: 'events', rowsPerSecond: 5_000, runMs: 15_000 },
    { schema: 'app.sessions', outputName: 'sessions', rowsPerSecond: 700, runMs: 14_000 },
  ],
};

/** How many cycles before the simulator started a cycling sync's history reaches back. */
const CYCLE_HISTORY = 20;

/** The cycles of a cycling sync as a run series: cycle k starts at `startedAt - offset + k·32 s`. */
function cycleRuns(plan: CyclePlan): (startedAt: number) => RunSource {
  return (startedAt) =>
    seriesSource({
      anchor: startedAt - plan.offsetMs,
      periodMs: SIM_CYCLE.totalMs,
      firstK: -CYCLE_HISTORY,
      run: (k, start) => ({
        id: cycleExecution(plan, k, start, start).id,
        start,
        view: (now) => cycleExecution(plan, k, start, now),
      }),
    });
}

/** A started run of a cycling sync syncs what its cycles sync, and as fast. */
function cycleManual(plan: CyclePlan): ManualPlan {
  return {
    fetchMode: plan.fetchMode,
    outputDisposition: plan.outputDisposition,
    schemas: plan.schemas.map((s) => ({
      schema: s.schema,
      outputName: s.outputName,
      records: (s.rowsPerSecond * s.runMs) / 1000,
      share: s.runMs / SIM_CYCLE.runningMs,
      ...(s.recordsPerWarning === undefined ? {} : { recordsPerWarning: s.recordsPerWarning }),
      ...(s.failure === undefined ? {} : { failure: s.failure }),
    })),
  };
}

/** A run of a special sync, read from its status function (its id and start never change). */
function statusRun(
  startedAt: number,
  pick: (status: BulkSyncStatusResponse) => BulkSyncExecution | undefined,
  status: (startedAt: number, now: number) => BulkSyncStatusResponse,
): BaseRun {
  const first = pick(status(startedAt, startedAt));
  if (first === undefined) throw new Error('a special sync lost a run');
  return {
    id: first.id,
    start: Date.parse(first.created_at),
    view: (now) => pick(status(startedAt, now)) ?? first,
  };
}

const current = (s: BulkSyncStatusResponse) => s.current_execution;
const last = (s: BulkSyncStatusResponse) => s.last_execution;

function configs(
  id: string,
  source: Record<string, unknown>,
  destination: Record<string, unknown>,
): Pick<CatalogueEntry, 'sourceConfiguration' | 'destinationConfiguration'> {
  return {
    sourceConfiguration: { ...source, password: fakeSecret(`${id}/source`) },
    destinationConfiguration: { ...destination, password: fakeSecret(`${id}/destination`) },
  };
}

const DAY = 24;

/** The six syncs of the first scenario, with their clock-driven statuses, in list order. */
export const BUILT_IN_SYNCS: readonly SyncDefinition[] = [
  {
    id: SIM_SYNCS.orders,
    name: 'Postgres → Snowflake',
    active: true,
    entry: {
      mode: 'snapshot',
      source: SIM_CONNECTIONS.postgres,
      destination: SIM_CONNECTIONS.snowflake,
      schedule: { frequency: 'continuous' },
      createdHoursAgo: 210 * DAY,
      updatedHoursAgo: 26,
      createdBy: ACTORS.dana,
      updatedBy: ACTORS.dana,
      ...configs(SIM_SYNCS.orders, { replication_slot: 'polytomic_orders' }, { schema: 'raw_app' }),
      addNewFields: 'all',
      addNewObjects: 'none',
      concurrencyLimit: 4,
    },
    status: (start, now) => ({ data: cycleStatus(ORDERS, start, now) }),
    runs: cycleRuns(ORDERS),
    manual: cycleManual(ORDERS),
  },
  {
    id: SIM_SYNCS.invoices,
    name: 'Postgres billing → BigQuery',
    active: true,
    entry: {
      mode: 'snapshot',
      source: SIM_CONNECTIONS.postgres,
      destination: SIM_CONNECTIONS.bigquery,
      schedule: { frequency: 'continuous' },
      createdHoursAgo: 160 * DAY,
      updatedHoursAgo: 9 * DAY,
      createdBy: ACTORS.priya,
      updatedBy: ACTORS.priya,
      ...configs(SIM_SYNCS.invoices, { schemas: ['billing'] }, { dataset: 'billing' }),
      addNewFields: 'all',
      addNewObjects: 'all',
      concurrencyLimit: null,
    },
    status: (start, now) => ({ data: cycleStatus(INVOICES, start, now) }),
    runs: cycleRuns(INVOICES),
    manual: cycleManual(INVOICES),
  },
  {
    id: SIM_SYNCS.cdc,
    name: 'MySQL CDC → Snowflake',
    active: true,
    entry: {
      mode: 'replicate',
      source: SIM_CONNECTIONS.mysql,
      destination: SIM_CONNECTIONS.snowflake,
      schedule: { frequency: 'continuous' },
      createdHoursAgo: 240 * DAY,
      updatedHoursAgo: 5 * DAY,
      createdBy: ACTORS.dana,
      updatedBy: ACTORS.terraform,
      ...configs(SIM_SYNCS.cdc, { binlog_retention_hours: 72 }, { schema: 'app_cdc' }),
      addNewFields: 'all',
      addNewObjects: 'all',
      concurrencyLimit: null,
    },
    status: (start, now) => ({
      data: { ...cycleStatus(CDC, start, now), ingestion_status: ingestionStatus(start, now) },
    }),
    runs: cycleRuns(CDC),
    ingestion: ingestionStatus,
    manual: cycleManual(CDC),
  },
  {
    id: SIM_SYNCS.idle,
    name: 'Salesforce → Snowflake',
    active: true,
    entry: {
      mode: 'snapshot',
      source: SIM_CONNECTIONS.salesforce,
      destination: SIM_CONNECTIONS.snowflake,
      // Its next run is always within five minutes.
      schedule: { frequency: 'custom', minute: '*/5', hour: '*', day_of_month: '*', month: '*' },
      createdHoursAgo: 300 * DAY,
      updatedHoursAgo: 15 * DAY,
      createdBy: ACTORS.marco,
      updatedBy: ACTORS.marco,
      ...configs(SIM_SYNCS.idle, { lookback_days: 2 }, { schema: 'salesforce' }),
      addNewFields: 'onlyIncremental',
      addNewObjects: 'none',
      concurrencyLimit: null,
    },
    status: (start, now) => ({ data: idleStatus(start, now) }),
    runs: (startedAt) =>
      fixedSource([statusRun(startedAt, last, idleStatus)], (now, blocked) =>
        periodicNext(startedAt, IDLE_PERIOD_MS, now, blocked),
      ),
    manual: {
      fetchMode: 'incremental',
      outputDisposition: 'retain',
      schemas: [
        { schema: 'crm.accounts', outputName: 'crm_accounts', records: 40_000, share: 0.8 },
        { schema: 'crm.contacts', outputName: 'crm_contacts', records: 8_213, share: 0.5 },
      ],
    },
  },
  {
    id: SIM_SYNCS.backfill,
    name: 'Postgres → Redshift (event backfill)',
    active: true,
    entry: {
      mode: 'replicate',
      source: SIM_CONNECTIONS.postgres,
      destination: SIM_CONNECTIONS.redshift,
      schedule: { frequency: 'manual' },
      createdHoursAgo: 45 * DAY,
      updatedHoursAgo: 2 * DAY,
      createdBy: ACTORS.priya,
      updatedBy: ACTORS.priya,
      ...configs(SIM_SYNCS.backfill, { schemas: ['events'] }, { schema: 'events' }),
      addNewFields: 'none',
      addNewObjects: 'none',
      concurrencyLimit: 8,
    },
    status: (start, now) => ({ data: backfillStatus(start, now) }),
    runs: (startedAt) =>
      fixedSource([
        statusRun(startedAt, last, backfillStatus),
        statusRun(startedAt, current, backfillStatus),
      ]),
    manual: {
      fetchMode: 'none',
      outputDisposition: 'retain',
      schemas: [
        { schema: 'events.page_views', outputName: 'page_views', records: 4_800_000, share: 1 },
        { schema: 'events.sessions', outputName: 'sessions', records: 120_000, share: 0.7 },
      ],
    },
  },
  {
    id: SIM_SYNCS.unknown,
    name: 'NetSuite → Snowflake',
    active: false,
    entry: {
      mode: 'snapshot',
      source: SIM_CONNECTIONS.netsuite,
      destination: SIM_CONNECTIONS.snowflake,
      schedule: { frequency: 'daily', minute: '0', hour: '3' },
      createdHoursAgo: 100 * DAY,
      updatedHoursAgo: 4 * DAY,
      createdBy: ACTORS.marco,
      updatedBy: ACTORS.marco,
      ...configs(SIM_SYNCS.unknown, { subsidiaries: ['EU'] }, { schema: 'erp' }),
      addNewFields: 'all',
      addNewObjects: 'none',
      concurrencyLimit: null,
    },
    status: (start, now) => ({ data: unknownStatus(start, now) }),
    runs: (startedAt) =>
      fixedSource([
        statusRun(startedAt, last, unknownStatus),
        statusRun(startedAt, current, unknownStatus),
      ]),
    manual: {
      fetchMode: 'none',
      outputDisposition: 'retain',
      schemas: [{ schema: 'erp.ledger', outputName: 'erp_ledger', records: 25_000, share: 0.9 }],
    },
  },
];
