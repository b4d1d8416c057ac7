import { afterEach, describe, expect, it } from 'vitest';
import {
  type BulkSyncListEnvelope,
  type BulkSyncResponse,
  SIM_CATALOGUE_SYNCS as CAT,
  SIM_CONNECTIONS as CONN,
  type ConnectionResponse,
  SIM_OTHER_KEY,
  SIM_SECRET_PREFIX,
  SIM_SYNCS,
} from '../../tools/simulator/index.js';
import { answered, at, boot, get, getJson, post, shutdown } from './helpers.js';

afterEach(shutdown);

/** Every sync, most recently updated first (the order the list promises). */
const LIST_ORDER = [
  CAT.postgresBigquery,
  SIM_SYNCS.orders,
  SIM_SYNCS.backfill,
  CAT.salesforceRedshift,
  CAT.hubspotRedshift,
  SIM_SYNCS.unknown,
  SIM_SYNCS.cdc,
  CAT.hubspotSnowflake,
  SIM_SYNCS.invoices,
  SIM_SYNCS.idle,
  CAT.mysqlBigquery,
  CAT.salesforceBigquery,
  CAT.stripeSnowflake,
  CAT.snowflakeBigquery,
];

const MARCO = { id: '3854612e-1384-54a5-9612-32cd1636cc43', name: 'Marco Ruiz', type: 'user' };
const DANA = { id: '4a794b98-c65d-50c3-b2e5-70b4c4224288', name: 'Dana Whitfield', type: 'user' };

async function list(sim: Awaited<ReturnType<typeof boot>>, query = '', key?: string) {
  return getJson<BulkSyncListEnvelope>(sim, `/api/bulk/syncs${query}`, key ? { key } : {});
}

describe('GET /api/bulk/syncs', () => {
  it('lists fourteen syncs, most recently updated first, in one page without pagination', async () => {
    const sim = await boot();
    const body = await list(sim);
    expect(body).not.toHaveProperty('pagination');
    expect(body.data.map((s) => s.id)).toEqual(LIST_ORDER);
    expect(body.data.map((s) => [s.name, s.active, s.default_schedule?.frequency])).toEqual([
      ['Postgres → BigQuery', true, 'continuous'],
      ['Postgres → Snowflake', true, 'continuous'],
      ['Postgres → Redshift (event backfill)', true, 'manual'],
      ['Salesforce → Redshift', false, 'daily'],
      ['HubSpot → Redshift', true, 'hourly'],
      ['NetSuite → Snowflake', false, 'daily'],
      ['MySQL CDC → Snowflake', true, 'continuous'],
      ['HubSpot → Snowflake', true, 'manual'],
      ['Postgres billing → BigQuery', true, 'continuous'],
      ['Salesforce → Snowflake', true, 'custom'],
      ['MySQL → BigQuery', true, 'custom'],
      ['Salesforce → BigQuery', true, 'daily'],
      ['Stripe → Snowflake', true, 'weekly'],
      ['Snowflake → BigQuery', true, 'weekly'],
    ]);
    const updated = body.data.map((s) => s.updated_at);
    expect([...updated].sort().reverse()).toEqual(updated);
    // limit and page_token mean nothing to a list that does not page.
    const ignored = await list(sim, '?limit=2&page_token=garbage');
    expect(ignored.data).toHaveLength(14);
  });

  it('filters by active and refuses a value that is not a boolean', async () => {
    const sim = await boot();
    const active = await list(sim, '?active=true');
    expect(active.data.map((s) => s.id)).toEqual(
      LIST_ORDER.filter((id) => id !== CAT.salesforceRedshift && id !== SIM_SYNCS.unknown),
    );
    const paused = await list(sim, '?active=false');
    expect(paused.data.map((s) => s.id)).toEqual([CAT.salesforceRedshift, SIM_SYNCS.unknown]);
    expect(await answered(get(sim, '/api/bulk/syncs?active=maybe'))).toEqual({
      status: 400,
      body: {
        status: 400,
        message: 'active must be true or false',
        key: 'bad_request',
        metadata: {},
      },
    });
  });

  it('shows a key only its own syncs', async () => {
    const sim = await boot();
    const body = await list(sim, '', SIM_OTHER_KEY);
    expect(body.data.map((s) => s.id)).toEqual([SIM_SYNCS.orders, SIM_SYNCS.cdc]);
  });

  it('pages with limit and page_token when listPageSize is set', async () => {
    const sim = await boot({ listPageSize: 5 });
    const seen: string[] = [];
    const sizes: number[] = [];
    let token: string | undefined;
    do {
      const page = await list(sim, token ? `?page_token=${token}` : '');
      sizes.push(page.data.length);
      seen.push(...page.data.map((s) => s.id));
      token = page.pagination?.next_page_token;
      if (token === undefined) expect(page.pagination).toEqual({});
    } while (token !== undefined);
    expect(sizes).toEqual([5, 5, 4]);
    expect(seen).toEqual(LIST_ORDER);
    // limit overrides the page size, up to 50; the filter and the token go together.
    const first = await list(sim, '?limit=1&active=false');
    expect(first.data.map((s) => s.id)).toEqual([CAT.salesforceRedshift]);
    const next = first.pagination?.next_page_token ?? '';
    const second = await list(sim, `?limit=1&active=false&page_token=${next}`);
    expect(second).toEqual({
      data: [expect.objectContaining({ id: SIM_SYNCS.unknown })],
      pagination: {},
    });
    expect((await list(sim, '?limit=80')).data).toHaveLength(14);
    const mixed = await answered(get(sim, `/api/bulk/syncs?active=true&page_token=${next}`));
    expect(mixed).toEqual({
      status: 400,
      body: { status: 400, message: 'invalid page_token', key: 'bad_request', metadata: {} },
    });
    expect((await get(sim, '/api/bulk/syncs?limit=0')).status).toBe(400);
  });

  it('keeps a page walk free of duplicates when a sync moves to the top meanwhile', async () => {
    const sim = await boot({ listPageSize: 7 });
    const first = await list(sim);
    at(1_000);
    const moved = await post(sim, `/api/bulk/syncs/${CAT.snowflakeBigquery}/activate`, {
      body: { active: true },
    });
    expect(moved.status).toBe(200);
    const second = await list(sim, `?page_token=${first.pagination?.next_page_token}`);
    // The moved sync is now first in the list, so a walk that began before it moved skips it.
    expect([...first.data, ...second.data].map((s) => s.id)).toEqual(LIST_ORDER.slice(0, 13));
    expect((await list(sim)).data[0]?.id).toBe(CAT.snowflakeBigquery);
  });
});

describe('GET /api/bulk/syncs/{id}', () => {
  it('serves the whole BulkSyncResponse, with default_schedule and additional_schedules', async () => {
    const sim = await boot();
    const { data } = await getJson<{ data: BulkSyncResponse }>(
      sim,
      `/api/bulk/syncs/${CAT.hubspotSnowflake}`,
    );
    expect(data).toEqual({
      id: CAT.hubspotSnowflake,
      name: 'HubSpot → Snowflake',
      active: true,
      mode: 'snapshot',
      organization_id: '5e1a0000-0000-4000-8000-0000000000a0',
      source_connection_id: CONN.hubspot,
      destination_connection_id: CONN.snowflake,
      source_configuration: { include_archived: true, password: 'sim-secret-1a396213' },
      destination_configuration: { schema: 'hubspot', password: 'sim-secret-0f74a78d' },
      default_schedule: {
        id: '11d98bcc-6098-5fe4-a227-816b1095f192',
        frequency: 'manual',
        created_at: '2026-11-02T10:00:00Z',
        created_by: MARCO,
        updated_at: '2026-11-02T10:00:00Z',
        updated_by: MARCO,
      },
      additional_schedules: [],
      automatically_add_new_fields: 'none',
      automatically_add_new_objects: 'none',
      normalize_names: 'enabled',
      concurrency_limit: null,
      resync_concurrency_limit: null,
      data_cutoff_timestamp: null,
      disable_record_timestamps: false,
      policies: [],
      created_at: '2026-11-02T10:00:00Z',
      created_by: MARCO,
      updated_at: '2026-11-23T10:00:00Z',
      updated_by: DANA,
    });
  });

  it('sends time parts as strings, and the extra schedules of a sync', async () => {
    const sim = await boot();
    const path = (id: string) => `/api/bulk/syncs/${id}`;
    const weekly = await getJson<{ data: BulkSyncResponse }>(sim, path(CAT.stripeSnowflake));
    expect(weekly.data.default_schedule).toMatchObject({
      frequency: 'weekly',
      minute: '0',
      hour: '6',
      day_of_week: 'monday',
    });
    const multi = await getJson<{ data: BulkSyncResponse }>(sim, path(CAT.snowflakeBigquery));
    expect(multi.data.additional_schedules).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        frequency: 'custom',
        minute: '0',
        hour: '1',
        day_of_month: '1',
        month: '*',
        day_of_week: '*',
        schemas: ['ANALYTICS.DIM_CUSTOMERS'],
        resync_mode: 'resync',
        selective_mode: 'none',
        created_at: '2026-09-15T10:00:00Z',
        created_by: { id: expect.any(String), name: 'Terraform', type: 'organization' },
        updated_at: '2026-09-15T10:00:00Z',
        updated_by: { id: expect.any(String), name: 'Terraform', type: 'organization' },
      },
    ]);
  });

  it('sends `schedule` (and `discover`) instead to versions before 2025-09-18', async () => {
    const sim = await boot();
    const old = { headers: { 'x-polytomic-version': '2024-02-08' } };
    const weekly = await getJson<{ data: BulkSyncResponse }>(
      sim,
      `/api/bulk/syncs/${CAT.stripeSnowflake}`,
      old,
    );
    expect(weekly.data).not.toHaveProperty('default_schedule');
    expect(weekly.data).not.toHaveProperty('additional_schedules');
    expect(weekly.data.schedule).toEqual({
      frequency: 'weekly',
      minute: '0',
      hour: '6',
      day_of_week: 'monday',
    });
    expect(weekly.data.discover).toBe(false);
    const multi = await getJson<{ data: BulkSyncResponse }>(
      sim,
      `/api/bulk/syncs/${CAT.snowflakeBigquery}`,
      old,
    );
    expect(multi.data.schedule).toEqual({
      frequency: 'multi',
      multi: {
        type: 'itemized',
        schedules: [
          {
            item: 'none',
            schedule: { frequency: 'weekly', minute: '0', hour: '23', day_of_week: 'sunday' },
          },
          {
            item: 'none',
            schedule: {
              frequency: 'custom',
              minute: '0',
              hour: '1',
              day_of_month: '1',
              month: '*',
              day_of_week: '*',
            },
          },
        ],
      },
    });
    expect(multi.data.discover).toBe(true);
    // The list follows the version too; the newest version and an unparseable one get the new shape.
    const listed = await list(sim, '', undefined);
    expect(listed.data.every((s) => s.default_schedule !== undefined && !('schedule' in s))).toBe(
      true,
    );
    const oldList = await getJson<BulkSyncListEnvelope>(sim, '/api/bulk/syncs', old);
    expect(oldList.data.every((s) => s.schedule !== undefined && !('default_schedule' in s))).toBe(
      true,
    );
    const odd = await getJson<{ data: BulkSyncResponse }>(
      sim,
      `/api/bulk/syncs/${CAT.stripeSnowflake}`,
      {
        headers: { 'x-polytomic-version': 'latest' },
      },
    );
    expect(odd.data.default_schedule?.frequency).toBe('weekly');
  });

  it('answers 404 for unknown and hidden syncs, 400 for a bad id', async () => {
    const sim = await boot();
    const notFound = {
      status: 404,
      body: { status: 404, message: 'bulk sync not found', key: 'not_found', metadata: {} },
    };
    expect(
      await answered(get(sim, '/api/bulk/syncs/0a0a0a0a-0000-4000-8000-00000000beef')),
    ).toEqual(notFound);
    expect(
      await answered(get(sim, `/api/bulk/syncs/${CAT.hubspotRedshift}`, { key: SIM_OTHER_KEY })),
    ).toEqual(notFound);
    expect((await get(sim, '/api/bulk/syncs/nope')).status).toBe(400);
    expect((await get(sim, `/api/bulk/syncs/${SIM_SYNCS.orders.toUpperCase()}`)).status).toBe(200);
  });

  it('gives an added sync a default entry with its name and state', async () => {
    const sim = await boot();
    const id = '0a0a0a0a-0000-4000-8000-00000000beef';
    at(60_000);
    sim.addSync(id, { data: {} }, { name: 'Added', active: false });
    const { data } = await getJson<{ data: BulkSyncResponse }>(sim, `/api/bulk/syncs/${id}`);
    expect(data).toMatchObject({
      id,
      name: 'Added',
      active: false,
      mode: 'snapshot',
      source_connection_id: CONN.postgres,
      destination_connection_id: CONN.snowflake,
      default_schedule: { frequency: 'manual' },
      created_at: '2026-11-29T10:01:00Z',
      updated_at: '2026-11-29T10:01:00Z',
      created_by: { name: 'Simulator', type: 'system' },
    });
    expect(JSON.stringify(data.source_configuration)).toContain(SIM_SECRET_PREFIX);
    expect((await list(sim, '?active=false')).data.map((s) => s.id)).toEqual([
      id,
      CAT.salesforceRedshift,
      SIM_SYNCS.unknown,
    ]);
    sim.addSync('0a0a0a0a-0000-4000-8000-00000000cafe', { data: {} });
    const named = await getJson<{ data: BulkSyncResponse }>(
      sim,
      '/api/bulk/syncs/0a0a0a0a-0000-4000-8000-00000000cafe',
    );
    expect(named.data).toMatchObject({
      name: 'Sync 0a0a0a0a-0000-4000-8000-00000000cafe',
      active: true,
    });
  });

  it('puts a fake secret in the configuration of every sync', async () => {
    const sim = await boot();
    const { data } = await list(sim);
    for (const sync of data) {
      expect(sync.source_configuration?.['password']).toMatch(/^sim-secret-[0-9a-f]{8}$/);
      expect(sync.destination_configuration?.['password']).toMatch(/^sim-secret-[0-9a-f]{8}$/);
    }
  });
});

describe('GET /api/connections/{id}', () => {
  it('serves the ConnectionResponseSchema', async () => {
    const sim = await boot();
    const { data } = await getJson<{ data: ConnectionResponse }>(
      sim,
      `/api/connections/${CONN.postgres}`,
    );
    expect(data).toEqual({
      id: CONN.postgres,
      name: 'Production Postgres',
      organization_id: '5e1a0000-0000-4000-8000-0000000000a0',
      status: 'healthy',
      status_error: '',
      type: {
        id: 'postgresql',
        name: 'PostgreSQL',
        logo_url: 'https://connect-assets.polytomic.com/logos/postgresql.svg',
        operations: ['source', 'destination'],
      },
      configuration: {
        hostname: 'prod-db.internal.example.com',
        port: 5432,
        database: 'app',
        username: 'polytomic',
        password: expect.stringMatching(/^sim-secret-/),
        ssl: true,
      },
      api_calls_last_24_hours: 0,
      policies: [],
      saved: true,
      created_at: '2025-10-25T10:00:00Z',
      created_by: DANA,
      updated_at: '2026-10-20T10:00:00Z',
      updated_by: DANA,
    });
  });

  it('has nine connections of different types, each shared or used, each with a secret', async () => {
    const sim = await boot();
    const types: Record<string, string> = {};
    for (const id of Object.values(CONN)) {
      const { data } = await getJson<{ data: ConnectionResponse }>(sim, `/api/connections/${id}`);
      types[data.name] = data.type.id;
      expect(JSON.stringify(data.configuration)).toContain(SIM_SECRET_PREFIX);
    }
    expect(types).toEqual({
      'Production Postgres': 'postgresql',
      'Snowflake warehouse': 'snowflake',
      'Salesforce production': 'salesforce',
      'BigQuery analytics': 'bigquery',
      'HubSpot marketing': 'hubspot',
      'Redshift (BI)': 'redshift',
      'App MySQL': 'mysql',
      Stripe: 'stripe',
      'NetSuite ERP': 'netsuite',
    });
    const { data: syncs } = await list(sim);
    const uses = (id: string) =>
      syncs.filter((s) => s.source_connection_id === id || s.destination_connection_id === id)
        .length;
    expect(Object.values(CONN).map(uses)).toEqual([4, 7, 3, 5, 2, 3, 2, 1, 1]);
    const stripe = await getJson<{ data: ConnectionResponse }>(
      sim,
      `/api/connections/${CONN.stripe}`,
    );
    expect(stripe.data).toMatchObject({
      status: 'error',
      status_error: 'Stripe rejected the API key: it was revoked (401 Unauthorized)',
    });
  });

  it('shows a key the connections of the syncs it sees, and 404s the rest', async () => {
    const sim = await boot();
    const visible = [];
    for (const id of Object.values(CONN)) {
      const res = await get(sim, `/api/connections/${id}`, { key: SIM_OTHER_KEY });
      if (res.status === 200) visible.push(id);
      else {
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({
          status: 404,
          message: 'connection not found',
          key: 'not_found',
          metadata: {},
        });
      }
    }
    expect(visible).toEqual([CONN.postgres, CONN.snowflake, CONN.mysql]);
    expect((await get(sim, '/api/connections/0a0a0a0a-0000-4000-8000-00000000beef')).status).toBe(
      404,
    );
    expect((await get(sim, '/api/connections/not-a-uuid')).status).toBe(400);
    expect((await get(sim, `/api/connections/${CONN.postgres}`, { key: null })).status).toBe(401);
  });
});
