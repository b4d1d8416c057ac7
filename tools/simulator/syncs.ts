import { type CyclePlan, cycleStatus } from './cycle.js';
import { SIM_ORG_ID, SIM_SYNCS } from './ids.js';
import { backfillStatus, idleStatus, ingestionStatus, unknownStatus } from './special-syncs.js';
import { stableUuid } from './time.js';
import type { BulkSyncStatusEnvelope, BulkSyncSummary, BulkSyncTargetMode } from './wire-types.js';

/** A status body: an envelope to serialize, or a raw string sent as-is. */
export type StatusBody = BulkSyncStatusEnvelope | string;

/** One sync the simulator knows: its list-level facts and how its status evolves. */
export interface SyncDefinition {
  id: string;
  name: string;
  active: boolean;
  mode: BulkSyncTargetMode;
  frequency: string;
  /** Status body at `now` for a simulator that started at `startedAt`. */
  status(startedAt: number, now: number): StatusBody;
}

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

/** The built-in scenario, in list order. */
export const BUILT_IN_SYNCS: readonly SyncDefinition[] = [
  {
    id: SIM_SYNCS.orders,
    name: 'Orders to warehouse',
    active: true,
    mode: 'snapshot',
    frequency: 'continuous',
    status: (start, now) => ({ data: cycleStatus(ORDERS, start, now) }),
  },
  {
    id: SIM_SYNCS.invoices,
    name: 'Invoices to warehouse',
    active: true,
    mode: 'snapshot',
    frequency: 'continuous',
    status: (start, now) => ({ data: cycleStatus(INVOICES, start, now) }),
  },
  {
    id: SIM_SYNCS.cdc,
    name: 'App database CDC',
    active: true,
    mode: 'replicate',
    frequency: 'continuous',
    status: (start, now) => ({
      data: { ...cycleStatus(CDC, start, now), ingestion_status: ingestionStatus(start, now) },
    }),
  },
  {
    id: SIM_SYNCS.idle,
    name: 'CRM nightly',
    active: true,
    mode: 'snapshot',
    frequency: 'custom',
    status: (start, now) => ({ data: idleStatus(start, now) }),
  },
  {
    id: SIM_SYNCS.backfill,
    name: 'Event history backfill',
    active: true,
    mode: 'replicate',
    frequency: 'manual',
    status: (start, now) => ({ data: backfillStatus(start, now) }),
  },
  {
    id: SIM_SYNCS.unknown,
    name: 'ERP ledger',
    active: false,
    mode: 'snapshot',
    frequency: 'daily',
    status: (start, now) => ({ data: unknownStatus(start, now) }),
  },
];

/** The list / get-sync item for a sync. */
export function syncSummary(sync: SyncDefinition): BulkSyncSummary {
  return {
    id: sync.id,
    name: sync.name,
    active: sync.active,
    mode: sync.mode,
    organization_id: SIM_ORG_ID,
    source_connection_id: stableUuid(`${sync.id}/source`),
    destination_connection_id: stableUuid(`${sync.id}/destination`),
    default_schedule: { frequency: sync.frequency },
    created_at: '2026-01-15T09:00:00Z',
    updated_at: '2026-01-15T09:00:00Z',
  };
}
