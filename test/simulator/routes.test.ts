import { afterEach, describe, expect, it } from 'vitest';
import {
  type BulkSyncExecutionStatus,
  SIM_CATALOGUE_SYNCS as CAT,
  SIM_CONNECTIONS as CONN,
  ROUTE_KINDS,
  type RouteKind,
  SIM_OTHER_KEY,
  SIM_SYNCS,
  type Simulator,
} from '../../tools/simulator/index.js';
import { answered, at, boot, get, getJson, post, shutdown, status } from './helpers.js';

afterEach(shutdown);

const ORDERS = SIM_SYNCS.orders;
/** The newest run of HubSpot → Redshift, by id. */
const HUBSPOT_RUN = '76ab0c48-25ff-5ebe-9c24-4c7d4ba72c92';

/** One request of each route kind; the POSTs are harmless (a cancel with nothing to cancel). */
const REQUESTS: Record<RouteKind, { method: 'GET' | 'POST'; path: string; body?: unknown }> = {
  list: { method: 'GET', path: '/api/bulk/syncs' },
  statuses: { method: 'GET', path: `/api/bulk/syncs/status?sync_id=${ORDERS}` },
  sync: { method: 'GET', path: `/api/bulk/syncs/${CAT.hubspotRedshift}` },
  status: { method: 'GET', path: `/api/bulk/syncs/${CAT.hubspotRedshift}/status` },
  executions: { method: 'GET', path: `/api/bulk/syncs/${CAT.hubspotRedshift}/executions` },
  execution: {
    method: 'GET',
    path: `/api/bulk/syncs/${CAT.hubspotRedshift}/executions/${HUBSPOT_RUN}`,
  },
  start: { method: 'POST', path: `/api/bulk/syncs/${CAT.hubspotSnowflake}/executions`, body: {} },
  cancel: { method: 'POST', path: `/api/bulk/syncs/${CAT.hubspotRedshift}/cancel` },
  activate: {
    method: 'POST',
    path: `/api/bulk/syncs/${CAT.hubspotRedshift}/activate`,
    body: { active: true },
  },
  connection: { method: 'GET', path: `/api/connections/${CONN.hubspot}` },
  events: { method: 'GET', path: '/api/events' },
  eventTypes: { method: 'GET', path: '/api/events_types' },
};

function request(sim: Simulator, kind: RouteKind, key?: string | null): Promise<Response> {
  const { method, path, body } = REQUESTS[kind];
  const options = key === undefined ? {} : { key };
  return method === 'GET' ? get(sim, path, options) : post(sim, path, { ...options, body });
}

describe('counters and the request log', () => {
  it('counts requests per route kind and per id, exactly, until reset', async () => {
    const sim = await boot();
    for (const kind of ROUTE_KINDS) expect((await request(sim, kind)).status).toBe(200);
    await request(sim, 'status');
    await get(sim, `/api/bulk/syncs/${ORDERS}/status`, { key: null });
    await get(sim, '/api/nowhere');
    await post(sim, `/api/bulk/syncs/${ORDERS}/status`);
    expect(sim.calls()).toBe(16);
    expect(Object.fromEntries(ROUTE_KINDS.map((k) => [k, sim.calls(k)]))).toEqual({
      list: 1,
      statuses: 1,
      sync: 1,
      status: 3,
      executions: 1,
      execution: 1,
      start: 1,
      cancel: 1,
      activate: 1,
      connection: 1,
      events: 1,
      eventTypes: 1,
    });
    expect(sim.calls('status', CAT.hubspotRedshift)).toBe(2);
    expect(sim.calls('status', ORDERS.toUpperCase())).toBe(1);
    expect(sim.statusCalls()).toBe(3);
    expect(sim.statusCalls(ORDERS)).toBe(1);
    // The summary and the event log are counted apart from the per-sync status.
    expect([sim.bulkStatusCalls(), sim.eventsCalls()]).toEqual([1, 1]);
    expect(sim.calls('execution', CAT.hubspotRedshift)).toBe(1);
    expect(sim.calls('connection', CONN.hubspot)).toBe(1);
    expect(sim.calls('start', CAT.hubspotRedshift)).toBe(0);
    expect(sim.calls('list', ORDERS)).toBe(0);
    sim.resetRequests();
    expect([
      sim.calls(),
      sim.calls('status'),
      sim.calls('status', ORDERS),
      sim.statusCalls(),
      sim.bulkStatusCalls(),
      sim.eventsCalls(),
    ]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('records the route, sync, execution and connection of each request', async () => {
    const sim = await boot();
    await request(sim, 'execution');
    await request(sim, 'connection');
    await request(sim, 'list');
    await post(sim, `/api/bulk/syncs/${ORDERS}/status`);
    await get(sim, '/api/events?limit=5');
    await request(sim, 'statuses');
    expect(sim.requests.map(({ headers: _, at: __, ...rest }) => rest)).toEqual([
      {
        method: 'GET',
        path: REQUESTS.execution.path,
        route: 'execution',
        syncId: CAT.hubspotRedshift,
        executionId: HUBSPOT_RUN,
      },
      {
        method: 'GET',
        path: REQUESTS.connection.path,
        route: 'connection',
        connectionId: CONN.hubspot,
      },
      { method: 'GET', path: '/api/bulk/syncs', route: 'list' },
      { method: 'POST', path: `/api/bulk/syncs/${ORDERS}/status`, syncId: ORDERS },
      { method: 'GET', path: '/api/events', route: 'events' },
      { method: 'GET', path: '/api/bulk/syncs/status', route: 'statuses' },
    ]);
  });
});

describe('faults by route', () => {
  it('can fail each route kind alone, once', async () => {
    const sim = await boot();
    for (const kind of ROUTE_KINDS) {
      sim.inject({ kind: 'status', status: 503 }, { route: kind, times: 1 });
      const statuses = [];
      for (const other of ROUTE_KINDS) statuses.push((await request(sim, other)).status);
      expect(statuses).toEqual(ROUTE_KINDS.map((k) => (k === kind ? 503 : 200)));
      expect((await request(sim, kind)).status).toBe(200);
      // Start leaves a run behind; cancel it so the next round can start again.
      await post(sim, `/api/bulk/syncs/${CAT.hubspotSnowflake}/cancel`);
      at(sim.now() - sim.startedAt + 3_000);
    }
  });

  it('combines route kinds, a sync id and a connection id', async () => {
    const sim = await boot();
    sim.inject({ kind: 'status', status: 500 }, { route: ['sync', 'status'], syncId: ORDERS });
    sim.inject({ kind: 'malformed', body: '{' }, { connectionId: CONN.mysql.toUpperCase() });
    expect((await get(sim, `/api/bulk/syncs/${ORDERS}`)).status).toBe(500);
    expect((await get(sim, `/api/bulk/syncs/${ORDERS}/status`)).status).toBe(500);
    expect((await get(sim, `/api/bulk/syncs/${ORDERS}/executions`)).status).toBe(200);
    expect((await get(sim, `/api/bulk/syncs/${SIM_SYNCS.cdc}/status`)).status).toBe(200);
    expect(await (await get(sim, `/api/connections/${CONN.mysql}`)).text()).toBe('{');
    expect((await get(sim, `/api/connections/${CONN.postgres}`)).status).toBe(200);
    // A fault without a route still applies to every request, unknown paths included.
    sim.clearFaults();
    sim.inject({ kind: 'status', status: 418 }, { times: 2 });
    expect((await get(sim, '/api/nowhere')).status).toBe(418);
    expect((await request(sim, 'list')).status).toBe(418);
    expect((await request(sim, 'list')).status).toBe(200);
  });

  it('delays a mutation: it takes effect when the answer is sent', async () => {
    const sim = await boot();
    sim.inject({ kind: 'delay', ms: 150 }, { route: 'activate', times: 1 });
    const path = `/api/bulk/syncs/${ORDERS}/activate`;
    const pausing = post(sim, path, { body: { active: false } });
    at(5_000);
    expect((await pausing).status).toBe(200);
    const sync = await getJson<{ data: { active: boolean; updated_at: string } }>(
      sim,
      `/api/bulk/syncs/${ORDERS}`,
    );
    expect(sync.data).toMatchObject({ active: false, updated_at: '2026-11-29T10:00:05Z' });
  });
});

describe('auth and methods on every route', () => {
  it('answers 401 without a known credential on every route', async () => {
    const sim = await boot();
    for (const kind of ROUTE_KINDS) {
      expect(await answered(request(sim, kind, null))).toEqual({
        status: 401,
        body: { status: 401, message: 'unauthorized' },
      });
      expect((await request(sim, kind, 'nope')).status).toBe(401);
    }
  });

  it('answers 404 on every per-sync route for a sync the key cannot see', async () => {
    const sim = await boot();
    const perSync = ROUTE_KINDS.filter(
      (k) => !['list', 'statuses', 'connection', 'events', 'eventTypes'].includes(k),
    );
    for (const kind of perSync) {
      const res = await answered(request(sim, kind, SIM_OTHER_KEY));
      expect([kind, res]).toEqual([
        kind,
        {
          status: 404,
          body: { status: 404, message: 'bulk sync not found', key: 'not_found', metadata: {} },
        },
      ]);
    }
    // The other key sees its own syncs on every route.
    expect(
      (await get(sim, `/api/bulk/syncs/${ORDERS}/executions`, { key: SIM_OTHER_KEY })).status,
    ).toBe(200);
  });

  it('answers 405 with Allow for a method a path does not serve, 404 for unknown paths', async () => {
    const sim = await boot();
    const allow = async (method: string, path: string) => {
      const res = await fetch(`${sim.url}${path}`, { method });
      return [res.status, res.headers.get('allow')];
    };
    expect(await allow('POST', '/api/bulk/syncs')).toEqual([405, 'GET']);
    expect(await allow('POST', '/api/bulk/syncs/status')).toEqual([405, 'GET']);
    expect(await allow('DELETE', `/api/bulk/syncs/${ORDERS}`)).toEqual([405, 'GET']);
    expect(await allow('PUT', `/api/bulk/syncs/${ORDERS}/executions`)).toEqual([405, 'GET, POST']);
    expect(await allow('GET', `/api/bulk/syncs/${ORDERS}/cancel`)).toEqual([405, 'POST']);
    expect(await allow('GET', `/api/bulk/syncs/${ORDERS}/activate`)).toEqual([405, 'POST']);
    expect(await allow('POST', `/api/connections/${CONN.mysql}`)).toEqual([405, 'GET']);
    expect(await allow('POST', '/api/events')).toEqual([405, 'GET']);
    expect(await allow('DELETE', '/api/events_types')).toEqual([405, 'GET']);
    expect(await allow('GET', '/api/events/x')).toEqual([404, null]);
    expect(await allow('GET', `/api/bulk/syncs/${ORDERS}/schemas`)).toEqual([404, null]);
    expect(await allow('GET', `/api/bulk/syncs/${ORDERS}/executions/a/logs`)).toEqual([404, null]);
  });
});

describe('GET /api/bulk/syncs/status (summary)', () => {
  async function summary(sim: Simulator, query: string, key?: string) {
    const path = `/api/bulk/syncs/status${query}`;
    return (await getJson<{ data: BulkSyncExecutionStatus[] }>(sim, path, key ? { key } : {})).data;
  }

  it('sums up a sync: newest status, camelCase nextExecutionTime, each schema once', async () => {
    const sim = await boot();
    const last = (await status(sim, ORDERS)).data?.last_execution;
    const [orders] = await summary(sim, `?sync_id=${ORDERS}`);
    // The run just created has no schemas yet, so they come from the last run.
    expect(orders).toEqual({
      sync_id: ORDERS,
      status: 'created',
      nextExecutionTime: '2026-11-29T10:00:32Z',
      schemas: last?.schemas?.map((s) => ({
        schema: s.schema,
        execution_id: last.id,
        status: 'completed',
        started_at: '2026-11-29T09:59:30Z',
        completed_at: '2026-11-29T09:59:50Z',
        record_count: s.record_count,
        error_count: 0,
        warning_count: s.warning_count,
        status_message: '',
      })),
    });
    at(5_000);
    const current = (await status(sim, ORDERS)).data?.current_execution;
    const [running] = await summary(sim, `?sync_id=${ORDERS}`);
    expect(running?.status).toBe('running');
    expect(running?.schemas?.map((s) => [s.execution_id, s.status, s.record_count])).toEqual([
      [current?.id, 'running', 3_600],
      [current?.id, 'running', 10_200],
      [current?.id, 'running', 450],
    ]);
    const [paused] = await summary(sim, `?sync_id=${CAT.salesforceRedshift}`);
    expect(paused).toMatchObject({ status: 'completed', nextExecutionTime: null });
  });

  it('widens to every visible sync with all=true or active=true, and filters by active', async () => {
    const sim = await boot();
    const ids = (items: BulkSyncExecutionStatus[]) => items.map((i) => i.sync_id);
    const listed = await getJson<{ data: { id: string; active: boolean }[] }>(
      sim,
      '/api/bulk/syncs',
    );
    expect(ids(await summary(sim, '?all=true'))).toEqual(listed.data.map((s) => s.id));
    expect(ids(await summary(sim, `?sync_id=${ORDERS}&all=true`))).toEqual(
      listed.data.map((s) => s.id),
    );
    expect(ids(await summary(sim, `?active=true&sync_id=${ORDERS}`))).toEqual(
      listed.data.filter((s) => s.active).map((s) => s.id),
    );
    expect(ids(await summary(sim, '?all=true&active=false'))).toEqual([
      CAT.salesforceRedshift,
      SIM_SYNCS.unknown,
    ]);
    expect(
      ids(await summary(sim, `?sync_id=${SIM_SYNCS.cdc}&sync_id=${ORDERS}&sync_id=${ORDERS}`)),
    ).toEqual([SIM_SYNCS.cdc, ORDERS]);
    expect(await summary(sim, '')).toEqual([]);
    expect(ids(await summary(sim, '?all=true', SIM_OTHER_KEY))).toEqual([ORDERS, SIM_SYNCS.cdc]);
  });

  it('leaves out syncs it cannot find or the key cannot see; 400 for a bad id or flag', async () => {
    const sim = await boot();
    const path = (query: string) => `/api/bulk/syncs/status${query}`;
    const unknown = '5e1a0000-0000-4000-8000-0000000000ff';
    const asked = `?sync_id=${CAT.hubspotRedshift}&sync_id=${unknown}&sync_id=${ORDERS}`;
    const seen = await summary(sim, asked, SIM_OTHER_KEY);
    expect(seen.map((i) => i.sync_id)).toEqual([ORDERS]);
    expect(await summary(sim, `?sync_id=${unknown}`)).toEqual([]);
    expect((await get(sim, path('?sync_id=nope'))).status).toBe(400);
    expect((await get(sim, path('?all=sure'))).status).toBe(400);
    expect(sim.calls('statuses')).toBe(4);
    expect(sim.bulkStatusCalls()).toBe(4);
    expect(sim.calls('status')).toBe(0);
    expect(sim.statusCalls()).toBe(0);
  });

  it('follows setStatus overrides, raw strings included', async () => {
    const sim = await boot();
    sim.setStatus(ORDERS, '{"data":{"next_execution_time":null}}');
    sim.setStatus(SIM_SYNCS.cdc, 'not json');
    expect(await summary(sim, `?sync_id=${ORDERS}&sync_id=${SIM_SYNCS.cdc}`)).toEqual([
      { sync_id: ORDERS, nextExecutionTime: null, schemas: null },
      { sync_id: SIM_SYNCS.cdc, nextExecutionTime: null, schemas: null },
    ]);
  });
});
