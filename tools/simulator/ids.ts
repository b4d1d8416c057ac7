/** Fixed ids of the built-in simulated syncs. */
export const SIM_SYNCS = {
  /** Cycles created → running → exporting → completed, three schemas. */
  orders: '5e1a0000-0000-4000-8000-000000000001',
  /** Cycles like `orders` but ends `failed`; one schema fails. */
  invoices: '5e1a0000-0000-4000-8000-000000000002',
  /** A cycling CDC sync that also reports `ingestion_status`. */
  cdc: '5e1a0000-0000-4000-8000-000000000003',
  /** Never running: only `last_execution` and a future `next_execution_time`. */
  idle: '5e1a0000-0000-4000-8000-000000000004',
  /** A long backfill whose `record_count` is above 2^31. */
  backfill: '5e1a0000-0000-4000-8000-000000000005',
  /** Reports execution and schema statuses the contract does not know. */
  unknown: '5e1a0000-0000-4000-8000-000000000006',
} as const;

/** Bearer key that sees every sync. */
export const SIM_KEY = 'sim_demo_key';

/** Bearer key that sees only `SIM_OTHER_KEY_SYNCS`. */
export const SIM_OTHER_KEY = 'sim_other_key';

/** The syncs `SIM_OTHER_KEY` can see. */
export const SIM_OTHER_KEY_SYNCS: readonly string[] = [SIM_SYNCS.orders, SIM_SYNCS.cdc];

/** On-prem organization id, the Basic username. */
export const SIM_ORG_ID = '5e1a0000-0000-4000-8000-0000000000a0';

/** On-prem deployment key, the Basic password; with `SIM_ORG_ID` it sees every sync. */
export const SIM_DEPLOYMENT_KEY = 'sim_deployment_key';

/** API version sent back when the request has no `X-Polytomic-Version` header. */
export const SIM_DEFAULT_VERSION = '2025-09-18';
