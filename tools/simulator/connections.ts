import { SIM_CONNECTIONS, SIM_ORG_ID, SIM_SECRET_PREFIX } from './ids.js';
import { iso, stableUuid } from './time.js';
import type { ConnectionResponse, OutputActor } from './wire-types.js';

const HOUR = 3_600_000;

/** People and systems named in `created_by` / `updated_by` of the catalogue. */
export const ACTORS = {
  dana: { id: stableUuid('actor/dana'), name: 'Dana Whitfield', type: 'user' },
  marco: { id: stableUuid('actor/marco'), name: 'Marco Ruiz', type: 'user' },
  priya: { id: stableUuid('actor/priya'), name: 'Priya Natarajan', type: 'user' },
  terraform: { id: stableUuid('actor/terraform'), name: 'Terraform', type: 'organization' },
  simulator: { id: stableUuid('actor/simulator'), name: 'Simulator', type: 'system' },
} as const satisfies Record<string, OutputActor>;

/** A fake credential: recognisable by `SIM_SECRET_PREFIX`, different per place. */
export function fakeSecret(seed: string): string {
  return `${SIM_SECRET_PREFIX}${stableUuid(seed).slice(0, 8)}`;
}

interface ConnectionDefinition {
  id: string;
  name: string;
  type: { id: string; name: string; operations: string[] };
  status: 'healthy' | 'error';
  statusError?: string;
  configuration: Record<string, unknown>;
  apiCalls: number;
  createdHoursAgo: number;
  updatedHoursAgo: number;
  createdBy: OutputActor;
  updatedBy: OutputActor;
}

const BOTH = ['source', 'destination'];

/** The simulated connections, each shared by one or more syncs. */
const CONNECTIONS: readonly ConnectionDefinition[] = [
  {
    id: SIM_CONNECTIONS.postgres,
    name: 'Production Postgres',
    type: { id: 'postgresql', name: 'PostgreSQL', operations: BOTH },
    status: 'healthy',
    configuration: {
      hostname: 'prod-db.internal.example.com',
      port: 5432,
      database: 'app',
      username: 'polytomic',
      password: fakeSecret('connection/postgres'),
      ssl: true,
    },
    apiCalls: 0,
    createdHoursAgo: 24 * 400,
    updatedHoursAgo: 24 * 40,
    createdBy: ACTORS.dana,
    updatedBy: ACTORS.dana,
  },
  {
    id: SIM_CONNECTIONS.snowflake,
    name: 'Snowflake warehouse',
    type: { id: 'snowflake', name: 'Snowflake', operations: BOTH },
    status: 'healthy',
    configuration: {
      account: 'sim-org.eu-west-1',
      warehouse: 'LOADING',
      database: 'RAW',
      username: 'POLYTOMIC',
      password: fakeSecret('connection/snowflake'),
    },
    apiCalls: 0,
    createdHoursAgo: 24 * 400,
    updatedHoursAgo: 24 * 90,
    createdBy: ACTORS.dana,
    updatedBy: ACTORS.terraform,
  },
  {
    id: SIM_CONNECTIONS.salesforce,
    name: 'Salesforce production',
    type: { id: 'salesforce', name: 'Salesforce', operations: BOTH },
    status: 'healthy',
    configuration: {
      domain: 'sim-org.my.salesforce.com',
      oauth_refresh_token: fakeSecret('connection/salesforce'),
    },
    apiCalls: 18_422,
    createdHoursAgo: 24 * 380,
    updatedHoursAgo: 24 * 12,
    createdBy: ACTORS.marco,
    updatedBy: ACTORS.marco,
  },
  {
    id: SIM_CONNECTIONS.bigquery,
    name: 'BigQuery analytics',
    type: { id: 'bigquery', name: 'Google BigQuery', operations: BOTH },
    status: 'healthy',
    configuration: {
      project_id: 'sim-analytics',
      location: 'EU',
      service_account: {
        client_email: 'polytomic@sim-analytics.iam',
        private_key: fakeSecret('connection/bigquery'),
      },
    },
    apiCalls: 0,
    createdHoursAgo: 24 * 300,
    updatedHoursAgo: 24 * 300,
    createdBy: ACTORS.priya,
    updatedBy: ACTORS.priya,
  },
  {
    id: SIM_CONNECTIONS.hubspot,
    name: 'HubSpot marketing',
    type: { id: 'hubspot', name: 'HubSpot', operations: BOTH },
    status: 'healthy',
    configuration: {
      portal_id: 4_411_023,
      oauth_refresh_token: fakeSecret('connection/hubspot'),
    },
    apiCalls: 52_310,
    createdHoursAgo: 24 * 200,
    updatedHoursAgo: 24 * 7,
    createdBy: ACTORS.marco,
    updatedBy: ACTORS.marco,
  },
  {
    id: SIM_CONNECTIONS.redshift,
    name: 'Redshift (BI)',
    type: { id: 'redshift', name: 'Amazon Redshift', operations: BOTH },
    status: 'healthy',
    configuration: {
      hostname: 'bi.abc123.eu-west-1.redshift.amazonaws.com',
      port: 5439,
      database: 'bi',
      username: 'polytomic',
      password: fakeSecret('connection/redshift'),
    },
    apiCalls: 0,
    createdHoursAgo: 24 * 500,
    updatedHoursAgo: 24 * 150,
    createdBy: ACTORS.terraform,
    updatedBy: ACTORS.terraform,
  },
  {
    id: SIM_CONNECTIONS.mysql,
    name: 'App MySQL',
    type: { id: 'mysql', name: 'MySQL', operations: ['source'] },
    status: 'healthy',
    configuration: {
      hostname: 'app-mysql.internal.example.com',
      port: 3306,
      database: 'app',
      username: 'replicator',
      password: fakeSecret('connection/mysql'),
    },
    apiCalls: 0,
    createdHoursAgo: 24 * 250,
    updatedHoursAgo: 24 * 20,
    createdBy: ACTORS.dana,
    updatedBy: ACTORS.dana,
  },
  {
    id: SIM_CONNECTIONS.stripe,
    name: 'Stripe',
    type: { id: 'stripe', name: 'Stripe', operations: ['source'] },
    status: 'error',
    statusError: 'Stripe rejected the API key: it was revoked (401 Unauthorized)',
    configuration: { api_key: fakeSecret('connection/stripe') },
    apiCalls: 311,
    createdHoursAgo: 24 * 180,
    updatedHoursAgo: 24 * 60,
    createdBy: ACTORS.priya,
    updatedBy: ACTORS.priya,
  },
  {
    id: SIM_CONNECTIONS.netsuite,
    name: 'NetSuite ERP',
    type: { id: 'netsuite', name: 'NetSuite', operations: ['source'] },
    status: 'healthy',
    configuration: {
      account_id: '1234567_SB1',
      consumer_key: 'sim-consumer',
      token_secret: fakeSecret('connection/netsuite'),
    },
    apiCalls: 9_870,
    createdHoursAgo: 24 * 120,
    updatedHoursAgo: 24 * 30,
    createdBy: ACTORS.marco,
    updatedBy: ACTORS.marco,
  },
];

const BY_ID = new Map(CONNECTIONS.map((c) => [c.id, c]));

/** Whether the simulator knows a connection id (lowercase). */
export function isConnection(id: string): boolean {
  return BY_ID.has(id);
}

/** The `ConnectionResponseSchema` of a known connection, timestamps relative to `startedAt`. */
export function connectionResponse(id: string, startedAt: number): ConnectionResponse | undefined {
  const c = BY_ID.get(id);
  if (c === undefined) return undefined;
  const base = Math.floor(startedAt / 60_000) * 60_000;
  return {
    id: c.id,
    name: c.name,
    organization_id: SIM_ORG_ID,
    status: c.status,
    status_error: c.statusError ?? '',
    type: {
      id: c.type.id,
      name: c.type.name,
      logo_url: `https://connect-assets.polytomic.com/logos/${c.type.id}.svg`,
      operations: c.type.operations,
    },
    configuration: c.configuration,
    api_calls_last_24_hours: c.apiCalls,
    policies: [],
    saved: true,
    created_at: iso(base - c.createdHoursAgo * HOUR),
    created_by: c.createdBy,
    updated_at: iso(base - c.updatedHoursAgo * HOUR),
    updated_by: c.updatedBy,
  };
}
