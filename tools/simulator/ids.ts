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

/**
 * Fixed ids of the catalogue syncs added for contract v2: they carry names, schedules,
 * connections and long execution histories, and none of them is in `SIM_SYNCS`, so code that
 * walks `SIM_SYNCS` (the soak, the benches) sees the same six syncs as before.
 */
export const SIM_CATALOGUE_SYNCS = {
  /** HubSpot → Redshift, hourly at :15; about 72 past runs. */
  hubspotRedshift: '5e1a0000-0000-4000-8000-000000000007',
  /** Salesforce → BigQuery, daily at 02:00; 90 past runs, plus a weekly full resync. */
  salesforceBigquery: '5e1a0000-0000-4000-8000-000000000008',
  /** Postgres → BigQuery, continuous (a run every 10 minutes); a day of past runs. */
  postgresBigquery: '5e1a0000-0000-4000-8000-000000000009',
  /** Stripe → Snowflake, weekly; its runs fail since its Stripe connection broke. */
  stripeSnowflake: '5e1a0000-0000-4000-8000-00000000000a',
  /** HubSpot → Snowflake, manual: a few ad-hoc runs, idle, the natural target of a start. */
  hubspotSnowflake: '5e1a0000-0000-4000-8000-00000000000b',
  /** Salesforce → Redshift, daily, paused three days before the simulator started. */
  salesforceRedshift: '5e1a0000-0000-4000-8000-00000000000c',
  /** MySQL → BigQuery, custom schedule (every 6 hours at :30); 60 past runs. */
  mysqlBigquery: '5e1a0000-0000-4000-8000-00000000000d',
  /** Snowflake → BigQuery, weekly, with one additional (monthly) schedule. */
  snowflakeBigquery: '5e1a0000-0000-4000-8000-00000000000e',
} as const;

/** Fixed ids of the simulated connections (`GET /api/connections/{id}`). */
export const SIM_CONNECTIONS = {
  /** postgresql: source of the orders, invoices, backfill and Postgres → BigQuery syncs. */
  postgres: '5e1a0000-0000-4000-8000-0000000c0001',
  /** snowflake: the main warehouse, destination of six syncs and source of one. */
  snowflake: '5e1a0000-0000-4000-8000-0000000c0002',
  /** salesforce. */
  salesforce: '5e1a0000-0000-4000-8000-0000000c0003',
  /** bigquery. */
  bigquery: '5e1a0000-0000-4000-8000-0000000c0004',
  /** hubspot. */
  hubspot: '5e1a0000-0000-4000-8000-0000000c0005',
  /** redshift. */
  redshift: '5e1a0000-0000-4000-8000-0000000c0006',
  /** mysql: source of the CDC sync. */
  mysql: '5e1a0000-0000-4000-8000-0000000c0007',
  /** stripe: status `error` (its API key was revoked). */
  stripe: '5e1a0000-0000-4000-8000-0000000c0008',
  /** netsuite. */
  netsuite: '5e1a0000-0000-4000-8000-0000000c0009',
} as const;

/** Every fake credential in a sync or connection configuration starts with this. */
export const SIM_SECRET_PREFIX = 'sim-secret-';

/** The newest API version; requests pinned to an older one get the legacy sync shape. */
export const SIM_SCHEDULES_VERSION = '2025-09-18';
