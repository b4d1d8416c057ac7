import type { CatalogueEntry } from './catalogue.js';
import { ACTORS, fakeSecret } from './connections.js';
import { type HistoryPlan, historyRuns } from './history.js';
import { SIM_CONNECTIONS as CONN, SIM_CATALOGUE_SYNCS as IDS } from './ids.js';
import { type RunSchema, type RunSpec, runView } from './run.js';
import { type BaseRun, fixedSource, type RunSource } from './sources.js';
import type { ManualPlan, SyncDefinition } from './sync-definition.js';
import { stableUuid } from './time.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function manualOf(
  plan: Pick<HistoryPlan, 'schemas' | 'fetchMode' | 'outputDisposition'>,
): ManualPlan {
  return {
    schemas: plan.schemas,
    fetchMode: plan.fetchMode,
    outputDisposition: plan.outputDisposition,
  };
}

function entry(
  id: string,
  fields: Omit<CatalogueEntry, 'sourceConfiguration' | 'destinationConfiguration'> & {
    source_config: Record<string, unknown>;
    destination_config: Record<string, unknown>;
  },
): CatalogueEntry {
  const { source_config, destination_config, ...rest } = fields;
  return {
    ...rest,
    sourceConfiguration: { ...source_config, password: fakeSecret(`${id}/source`) },
    destinationConfiguration: { ...destination_config, password: fakeSecret(`${id}/destination`) },
  };
}

const HUBSPOT_SCHEMAS: readonly RunSchema[] = [
  { schema: 'contacts', outputName: 'hubspot_contacts', records: 120_000, share: 1 },
  { schema: 'companies', outputName: 'hubspot_companies', records: 18_000, share: 0.5 },
  {
    schema: 'deals',
    outputName: 'hubspot_deals',
    records: 9_000,
    share: 0.4,
    recordsPerWarning: 500,
  },
];

const HUBSPOT_REDSHIFT: HistoryPlan = {
  syncId: IDS.hubspotRedshift,
  periodMs: HOUR,
  phaseMs: 15 * MINUTE,
  pastRuns: 72,
  runningMs: [60_000, 240_000],
  schemas: HUBSPOT_SCHEMAS,
  fetchMode: 'incremental',
  outputDisposition: 'retain',
  failRate: 0.05,
  cancelRate: 0.03,
  failure: {
    schema: 'deals',
    message: 'HubSpot rate limit exceeded (429) after 5 retries',
    errors: 1,
  },
};

const SALESFORCE_SCHEMAS: readonly RunSchema[] = [
  { schema: 'Account', outputName: 'account', records: 85_000, share: 0.5 },
  { schema: 'Contact', outputName: 'contact', records: 310_000, share: 1 },
  { schema: 'Opportunity', outputName: 'opportunity', records: 42_000, share: 0.4 },
  { schema: 'Lead', outputName: 'lead', records: 190_000, share: 0.8 },
];

const SALESFORCE_BIGQUERY: HistoryPlan = {
  syncId: IDS.salesforceBigquery,
  periodMs: DAY,
  phaseMs: 2 * HOUR,
  pastRuns: 90,
  runningMs: [10 * MINUTE, 25 * MINUTE],
  schemas: SALESFORCE_SCHEMAS,
  fetchMode: 'incremental',
  outputDisposition: 'retain',
  failRate: 0.06,
  cancelRate: 0.02,
  failure: {
    schema: 'Opportunity',
    message: "INVALID_FIELD: No such column 'ForecastCategory' on entity 'Opportunity'",
    errors: 1,
  },
};

const POSTGRES_BIGQUERY: HistoryPlan = {
  syncId: IDS.postgresBigquery,
  periodMs: 10 * MINUTE,
  phaseMs: 0,
  pastRuns: 144,
  runningMs: [90_000, 300_000],
  schemas: [
    { schema: 'public.users', outputName: 'users', records: 2_100, share: 0.3 },
    { schema: 'public.orders', outputName: 'orders', records: 8_000, share: 0.9 },
    { schema: 'public.payments', outputName: 'payments', records: 7_500, share: 1 },
  ],
  fetchMode: 'incremental',
  outputDisposition: 'retain',
  failRate: 0.02,
  cancelRate: 0,
  failure: {
    schema: 'public.payments',
    message: 'canceling statement due to statement timeout',
    errors: 1,
  },
};

const STRIPE_SNOWFLAKE: HistoryPlan = {
  syncId: IDS.stripeSnowflake,
  periodMs: 7 * DAY,
  // Mondays 06:00 UTC: 1970-01-01 was a Thursday, so the first Monday is 4 days in.
  phaseMs: 4 * DAY + 6 * HOUR,
  pastRuns: 12,
  runningMs: [5 * MINUTE, 12 * MINUTE],
  schemas: [
    { schema: 'charges', outputName: 'stripe_charges', records: 64_000, share: 1 },
    { schema: 'customers', outputName: 'stripe_customers', records: 12_000, share: 0.4 },
    { schema: 'invoices', outputName: 'stripe_invoices', records: 30_000, share: 0.8 },
    { schema: 'subscriptions', outputName: 'stripe_subscriptions', records: 4_000, share: 0.3 },
  ],
  fetchMode: 'full',
  outputDisposition: 'truncate',
  failRate: 0,
  cancelRate: 0,
  failure: {
    schema: 'charges',
    message: 'Stripe rejected the API key: it was revoked (401 Unauthorized)',
    errors: 1,
  },
  // Its connection broke eight days before the start: the last run failed, and so will the next.
  brokenSinceMs: 8 * DAY,
};

const SALESFORCE_REDSHIFT: HistoryPlan = {
  ...SALESFORCE_BIGQUERY,
  syncId: IDS.salesforceRedshift,
  phaseMs: 4 * HOUR,
  pastRuns: 30,
  failRate: 0.03,
  cancelRate: 0,
};

const MYSQL_BIGQUERY: HistoryPlan = {
  syncId: IDS.mysqlBigquery,
  periodMs: 6 * HOUR,
  phaseMs: 30 * MINUTE,
  pastRuns: 60,
  runningMs: [3 * MINUTE, 8 * MINUTE],
  schemas: [
    { schema: 'app.accounts', outputName: 'accounts', records: 3_000, share: 0.2 },
    { schema: 'app.invoices', outputName: 'invoices', records: 15_000, share: 0.6 },
    {
      schema: 'app.audit_log',
      outputName: 'audit_log',
      records: 400_000,
      share: 1,
      recordsPerWarning: 10_000,
    },
  ],
  fetchMode: 'none',
  outputDisposition: 'retain',
  failRate: 0.05,
  cancelRate: 0.02,
  failure: {
    schema: 'app.audit_log',
    message: 'Lost connection to MySQL server during query',
    errors: 2,
  },
};

const SNOWFLAKE_BIGQUERY: HistoryPlan = {
  syncId: IDS.snowflakeBigquery,
  periodMs: 7 * DAY,
  // Sundays 23:00 UTC: the first Sunday after 1970-01-01 is 3 days in.
  phaseMs: 3 * DAY + 23 * HOUR,
  pastRuns: 10,
  runningMs: [20 * MINUTE, 40 * MINUTE],
  schemas: [
    { schema: 'ANALYTICS.DIM_CUSTOMERS', outputName: 'dim_customers', records: 95_000, share: 0.3 },
    { schema: 'ANALYTICS.FCT_ORDERS', outputName: 'fct_orders', records: 1_200_000, share: 1 },
  ],
  fetchMode: 'full',
  outputDisposition: 'truncate',
  failRate: 0,
  cancelRate: 0,
  failure: { schema: 'ANALYTICS.FCT_ORDERS', message: 'warehouse suspended', errors: 1 },
};

/** The ad-hoc runs of the manual HubSpot → Snowflake sync, in hours before the start. */
const HUBSPOT_SNOWFLAKE_RUNS = [26 * 24 + 3, 19 * 24 + 7, 12 * 24 + 2, 5 * 24 + 9, 2 * 24 + 4, 20];

function manualHistory(startedAt: number): RunSource {
  const schemas = HUBSPOT_SCHEMAS.slice(0, 2);
  const runs = HUBSPOT_SNOWFLAKE_RUNS.map((hoursAgo, n): BaseRun => {
    const spec: RunSpec = {
      id: stableUuid(`${IDS.hubspotSnowflake}/execution/${n}`),
      type: 'manual',
      start: startedAt - hoursAgo * HOUR,
      createdMs: 3_000,
      runningMs: (4 + n) * MINUTE,
      exportingMs: 30_000,
      schemas,
      fetchMode: 'full',
      outputDisposition: 'truncate',
      // The first run was a resync that rebuilt the tables.
      isResync: n === 0,
      isTest: false,
      isPartial: false,
    };
    return { id: spec.id, start: spec.start, view: (now) => runView(spec, now) };
  });
  return fixedSource(runs);
}

/** The syncs added for contract v2, after the built-in six in the catalogue. */
export const CATALOGUE_SYNCS: readonly SyncDefinition[] = [
  {
    id: IDS.hubspotRedshift,
    name: 'HubSpot → Redshift',
    active: true,
    entry: entry(IDS.hubspotRedshift, {
      mode: 'snapshot',
      source: CONN.hubspot,
      destination: CONN.redshift,
      schedule: { frequency: 'hourly', minute: '15' },
      createdHoursAgo: 120 * 24,
      updatedHoursAgo: 3 * 24 + 5,
      createdBy: ACTORS.marco,
      updatedBy: ACTORS.marco,
      source_config: { include_archived: false },
      destination_config: { schema: 'hubspot' },
      addNewFields: 'all',
      addNewObjects: 'none',
      concurrencyLimit: null,
    }),
    runs: historyRuns(HUBSPOT_REDSHIFT),
    manual: manualOf(HUBSPOT_REDSHIFT),
  },
  {
    id: IDS.salesforceBigquery,
    name: 'Salesforce → BigQuery',
    active: true,
    entry: entry(IDS.salesforceBigquery, {
      mode: 'snapshot',
      source: CONN.salesforce,
      destination: CONN.bigquery,
      schedule: { frequency: 'daily', minute: '0', hour: '2' },
      createdHoursAgo: 200 * 24,
      updatedHoursAgo: 30 * 24,
      createdBy: ACTORS.priya,
      updatedBy: ACTORS.priya,
      source_config: { lookback_days: 1 },
      destination_config: { dataset: 'salesforce' },
      addNewFields: 'all',
      addNewObjects: 'all',
      concurrencyLimit: 2,
    }),
    runs: historyRuns(SALESFORCE_BIGQUERY),
    manual: manualOf(SALESFORCE_BIGQUERY),
  },
  {
    id: IDS.postgresBigquery,
    name: 'Postgres → BigQuery',
    active: true,
    entry: entry(IDS.postgresBigquery, {
      mode: 'replicate',
      source: CONN.postgres,
      destination: CONN.bigquery,
      schedule: { frequency: 'continuous' },
      createdHoursAgo: 60 * 24,
      updatedHoursAgo: 11,
      createdBy: ACTORS.dana,
      updatedBy: ACTORS.terraform,
      source_config: { replication_slot: 'polytomic_bq' },
      destination_config: { dataset: 'app_replica' },
      addNewFields: 'all',
      addNewObjects: 'all',
      concurrencyLimit: null,
    }),
    runs: historyRuns(POSTGRES_BIGQUERY),
    manual: manualOf(POSTGRES_BIGQUERY),
  },
  {
    id: IDS.stripeSnowflake,
    name: 'Stripe → Snowflake',
    active: true,
    entry: entry(IDS.stripeSnowflake, {
      mode: 'snapshot',
      source: CONN.stripe,
      destination: CONN.snowflake,
      schedule: { frequency: 'weekly', minute: '0', hour: '6', day_of_week: 'monday' },
      createdHoursAgo: 180 * 24,
      updatedHoursAgo: 60 * 24,
      createdBy: ACTORS.priya,
      updatedBy: ACTORS.priya,
      source_config: { expand: ['customer'] },
      destination_config: { schema: 'stripe' },
      addNewFields: 'all',
      addNewObjects: 'none',
      concurrencyLimit: null,
    }),
    runs: historyRuns(STRIPE_SNOWFLAKE),
    manual: manualOf(STRIPE_SNOWFLAKE),
  },
  {
    id: IDS.hubspotSnowflake,
    name: 'HubSpot → Snowflake',
    active: true,
    entry: entry(IDS.hubspotSnowflake, {
      mode: 'snapshot',
      source: CONN.hubspot,
      destination: CONN.snowflake,
      schedule: { frequency: 'manual' },
      createdHoursAgo: 27 * 24,
      updatedHoursAgo: 6 * 24,
      createdBy: ACTORS.marco,
      updatedBy: ACTORS.dana,
      source_config: { include_archived: true },
      destination_config: { schema: 'hubspot' },
      addNewFields: 'none',
      addNewObjects: 'none',
      concurrencyLimit: null,
    }),
    runs: manualHistory,
    manual: {
      schemas: HUBSPOT_SCHEMAS.slice(0, 2),
      fetchMode: 'full',
      outputDisposition: 'truncate',
    },
  },
  {
    id: IDS.salesforceRedshift,
    name: 'Salesforce → Redshift',
    active: false,
    entry: entry(IDS.salesforceRedshift, {
      mode: 'snapshot',
      source: CONN.salesforce,
      destination: CONN.redshift,
      schedule: { frequency: 'daily', minute: '0', hour: '4' },
      createdHoursAgo: 150 * 24,
      updatedHoursAgo: 40 * 24,
      pausedHoursAgo: 3 * 24,
      createdBy: ACTORS.marco,
      updatedBy: ACTORS.dana,
      source_config: { lookback_days: 1 },
      destination_config: { schema: 'salesforce' },
      addNewFields: 'all',
      addNewObjects: 'none',
      concurrencyLimit: null,
    }),
    runs: historyRuns(SALESFORCE_REDSHIFT),
    manual: manualOf(SALESFORCE_REDSHIFT),
  },
  {
    id: IDS.mysqlBigquery,
    name: 'MySQL → BigQuery',
    active: true,
    entry: entry(IDS.mysqlBigquery, {
      mode: 'snapshot',
      source: CONN.mysql,
      destination: CONN.bigquery,
      schedule: {
        frequency: 'custom',
        minute: '30',
        hour: '*/6',
        day_of_week: '*',
        day_of_month: '*',
        month: '*',
      },
      createdHoursAgo: 90 * 24,
      updatedHoursAgo: 16 * 24,
      createdBy: ACTORS.dana,
      updatedBy: ACTORS.dana,
      source_config: { read_replica: true },
      destination_config: { dataset: 'app' },
      addNewFields: 'onlyNonIncremental',
      addNewObjects: 'none',
      concurrencyLimit: 3,
    }),
    runs: historyRuns(MYSQL_BIGQUERY),
    manual: manualOf(MYSQL_BIGQUERY),
  },
  {
    id: IDS.snowflakeBigquery,
    name: 'Snowflake → BigQuery',
    active: true,
    entry: entry(IDS.snowflakeBigquery, {
      mode: 'snapshot',
      source: CONN.snowflake,
      destination: CONN.bigquery,
      schedule: { frequency: 'weekly', minute: '0', hour: '23', day_of_week: 'sunday' },
      additionalSchedules: [
        {
          frequency: 'custom',
          minute: '0',
          hour: '1',
          day_of_month: '1',
          month: '*',
          day_of_week: '*',
          schemas: ['ANALYTICS.DIM_CUSTOMERS'],
          resyncMode: 'resync',
          selectiveMode: 'none',
        },
      ],
      createdHoursAgo: 75 * 24,
      updatedHoursAgo: 75 * 24,
      createdBy: ACTORS.terraform,
      updatedBy: ACTORS.terraform,
      source_config: { warehouse: 'EXPORT_WH' },
      destination_config: { dataset: 'analytics_mirror' },
      addNewFields: 'all',
      addNewObjects: 'all',
      concurrencyLimit: null,
    }),
    runs: historyRuns(SNOWFLAKE_BIGQUERY),
    manual: manualOf(SNOWFLAKE_BIGQUERY),
  },
];
