import { afterEach, describe, expect, it } from 'vitest';
import {
  type BulkSyncExecution,
  SIM_CATALOGUE_SYNCS as CAT,
  SIM_CONNECTIONS as CONN,
  EVENT_RETENTION_MS,
  EVENT_TYPES,
  type EventsEnvelope,
  type PolytomicEvent,
  type RouteKind,
  SIM_MANUAL_RUN,
  SIM_ORG_ID,
  SIM_OTHER_KEY,
  SIM_SYNCS,
  type Simulator,
  TRUNCATED_BODY,
} from '../../tools/simulator/index.js';
import { stableUuid } from '../../tools/simulator/time.js';
import { answered, at, boot, get, getJson, post, shutdown } from './helpers.js';

afterEach(shutdown);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MANUAL = CAT.hubspotSnowflake;
/** The first run started on `MANUAL` (see actions.test.ts). */
const FIRST_RUN = 'f988421f-2af6-5dd2-a51f-3799e630b9c9';
/** An `addSync` sync whose fixed body never changes, so only what a test does shows. */
const QUIET = '5e1a0000-0000-4000-8000-0000000000e1';
const QUIET_KEY = 'quiet_key';

/** The payload fields every bulk event of `MANUAL` carries. */
const MANUAL_PAYLOAD = {
  sync_id: MANUAL,
  organization_id: SIM_ORG_ID,
  source_connection_id: CONN.hubspot,
  destination_connection_id: CONN.snowflake,
  sync_name: 'HubSpot → Snowflake',
};

/** An event with any id: the simulator makes random v4 uuids. */
function event(
  type: string,
  createdAt: string,
  payload: Record<string, unknown>,
): Record<string, unknown> {
  return {
    id: expect.stringMatching(UUID),
    organization_id: SIM_ORG_ID,
    type,
    created_at: createdAt,
    event: payload,
  };
}

/** The log of one sync as `[created_at, type, execution_id]`. */
function brief(sim: Simulator, syncId: string): string[][] {
  return sim
    .events()
    .filter((e) => e.event.sync_id === syncId)
    .map((e) => [e.created_at, e.type, e.event.execution_id]);
}

const IN_PROGRESS = new Set(['created', 'running', 'exporting']);

function execution(id: string, status: string, extra: Partial<BulkSyncExecution> = {}) {
  return {
    id,
    status,
    type: 'manual',
    fetch_mode: 'none',
    output_disposition: 'retain',
    is_partial: false,
    is_resync: false,
    is_test: false,
    record_count: 0,
    error_count: 0,
    warning_count: 0,
    status_message: '',
    created_at: '2026-11-29T09:00:00Z',
    updated_at: '2026-11-29T09:00:00Z',
    started_at: status === 'created' ? null : '2026-11-29T09:00:01Z',
    completed_at: IN_PROGRESS.has(status) ? null : '2026-11-29T09:00:30Z',
    schemas: null,
    ...extra,
  } satisfies BulkSyncExecution;
}

const [A, B, C, D, E] = ['a', 'b', 'c', 'd', 'e'].map((n) => stableUuid(`events-test/${n}`)) as [
  string,
  string,
  string,
  string,
  string,
];

async function quietSim(options: Parameters<typeof boot>[0] = {}): Promise<Simulator> {
  const sim = await boot(options);
  sim.addSync(
    QUIET,
    { data: { last_execution: execution(A, 'completed') } },
    {
      keys: [QUIET_KEY],
      name: 'Quiet',
    },
  );
  return sim;
}

async function listEvents(sim: Simulator, query = '', key?: string) {
  const options = key === undefined ? {} : { key };
  return (await getJson<EventsEnvelope>(sim, `/api/events${query}`, options)).data;
}

describe('the event log', () => {
  it('records the built-in cycles as they run, dated when they changed', async () => {
    const sim = await boot();
    at(40_000);
    const orders = (n: number) => stableUuid(`${SIM_SYNCS.orders}/execution/${n}`);
    const invoices = (n: number) => stableUuid(`${SIM_SYNCS.invoices}/execution/${n}`);
    const cdc = (n: number) => stableUuid(`${SIM_SYNCS.cdc}/execution/${n}`);
    const builtIn: readonly string[] = Object.values(SIM_SYNCS);
    const cycles = sim.events().filter((e) => builtIn.includes(e.event.sync_id));
    expect(cycles.map((e) => [e.created_at, e.type, e.event.execution_id])).toEqual([
      ['2026-11-29T10:00:02.000Z', 'bulk_sync.running', orders(0)],
      // The CDC and invoices cycles were already running when the simulator started: what
      // happened before it is history, so only their end is an event.
      ['2026-11-29T10:00:06.000Z', 'bulk_sync.completed', cdc(0)],
      ['2026-11-29T10:00:14.000Z', 'bulk_sync.failed', invoices(0)],
      ['2026-11-29T10:00:18.000Z', 'bulk_sync.running', cdc(1)],
      ['2026-11-29T10:00:22.000Z', 'bulk_sync.completed', orders(0)],
      ['2026-11-29T10:00:26.000Z', 'bulk_sync.running', invoices(1)],
      ['2026-11-29T10:00:34.000Z', 'bulk_sync.running', orders(1)],
      ['2026-11-29T10:00:38.000Z', 'bulk_sync.completed', cdc(1)],
    ]);
    expect(cycles[2]).toEqual(
      event('bulk_sync.failed', '2026-11-29T10:00:14.000Z', {
        sync_id: SIM_SYNCS.invoices,
        execution_id: invoices(0),
        organization_id: SIM_ORG_ID,
        source_connection_id: CONN.postgres,
        destination_connection_id: CONN.bigquery,
        sync_name: 'Postgres billing → BigQuery',
        trigger_source: 'scheduled',
        error: '1 of 3 schemas failed: billing.payments',
      }),
    );
    // Reading again records nothing twice.
    const once = sim.events();
    expect(sim.events()).toEqual(once);
    expect(new Set(once.map((e) => e.id)).size).toBe(once.length);
  });

  it('records a started run: running once it runs, completed when it ends', async () => {
    const sim = await boot();
    expect((await post(sim, `/api/bulk/syncs/${MANUAL}/executions`, { body: {} })).status).toBe(
      200,
    );
    at(1_999);
    expect(brief(sim, MANUAL)).toEqual([]);
    at(2_000);
    expect(brief(sim, MANUAL)).toEqual([
      ['2026-11-29T10:00:02.000Z', 'bulk_sync.running', FIRST_RUN],
    ]);
    at(SIM_MANUAL_RUN.totalMs);
    const mine = sim.events().filter((e) => e.event.sync_id === MANUAL);
    expect(mine).toEqual([
      event('bulk_sync.running', '2026-11-29T10:00:02.000Z', {
        ...MANUAL_PAYLOAD,
        execution_id: FIRST_RUN,
      }),
      event('bulk_sync.completed', '2026-11-29T10:00:22.000Z', {
        ...MANUAL_PAYLOAD,
        execution_id: FIRST_RUN,
        trigger_source: 'manual',
      }),
    ]);
  });

  it('records a run seen only once it ended, both changes with their own times', async () => {
    const sim = await boot();
    await post(sim, `/api/bulk/syncs/${MANUAL}/executions`, { body: {} });
    at(60_000);
    expect(brief(sim, MANUAL)).toEqual([
      ['2026-11-29T10:00:02.000Z', 'bulk_sync.running', FIRST_RUN],
      ['2026-11-29T10:00:22.000Z', 'bulk_sync.completed', FIRST_RUN],
    ]);
  });

  it('records nothing for an addSync body until the API runs something on the sync', async () => {
    const sim = await quietSim();
    at(3_600_000);
    expect(brief(sim, QUIET)).toEqual([]);
    const started = await answered(post(sim, `/api/bulk/syncs/${QUIET}/executions`, { body: {} }));
    const run = (started.body as { data: { id: string } }).data.id;
    at(3_600_000 + SIM_MANUAL_RUN.totalMs);
    expect(brief(sim, QUIET)).toEqual([
      ['2026-11-29T11:00:02.000Z', 'bulk_sync.running', run],
      ['2026-11-29T11:00:22.000Z', 'bulk_sync.completed', run],
    ]);
  });

  it('records a cancel when it lands, and no running for a run cancelled before it ran', async () => {
    const sim = await boot();
    await post(sim, `/api/bulk/syncs/${MANUAL}/executions`, { body: {} });
    at(5_000);
    expect((await post(sim, `/api/bulk/syncs/${MANUAL}/cancel`)).status).toBe(200);
    at(5_000 + SIM_MANUAL_RUN.cancelMs - 1);
    expect(brief(sim, MANUAL)).toEqual([
      ['2026-11-29T10:00:02.000Z', 'bulk_sync.running', FIRST_RUN],
    ]);
    at(5_000 + SIM_MANUAL_RUN.cancelMs);
    expect(sim.events().filter((e) => e.event.sync_id === MANUAL)[1]).toEqual(
      event('bulk_sync.canceled', '2026-11-29T10:00:08.000Z', {
        ...MANUAL_PAYLOAD,
        execution_id: FIRST_RUN,
      }),
    );
    // A second run, cancelled while still `created`.
    at(10_000);
    const second = await answered(post(sim, `/api/bulk/syncs/${MANUAL}/executions`, { body: {} }));
    const secondId = (second.body as { data: { id: string } }).data.id;
    at(11_000);
    await post(sim, `/api/bulk/syncs/${MANUAL}/cancel`);
    at(30_000);
    expect(brief(sim, MANUAL).slice(2)).toEqual([
      ['2026-11-29T10:00:14.000Z', 'bulk_sync.canceled', secondId],
    ]);
  });

  it('records the cancel that pausing a built-in cycle makes', async () => {
    const sim = await boot();
    at(5_000);
    await post(sim, `/api/bulk/syncs/${SIM_SYNCS.orders}/activate`, { body: { active: false } });
    at(60_000);
    const run = stableUuid(`${SIM_SYNCS.orders}/execution/0`);
    expect(brief(sim, SIM_SYNCS.orders)).toEqual([
      ['2026-11-29T10:00:02.000Z', 'bulk_sync.running', run],
      ['2026-11-29T10:00:08.000Z', 'bulk_sync.canceled', run],
    ]);
  });

  it('derives events from setStatus bodies, by the documented rule', async () => {
    const sim = await quietSim();
    const set = (data: Record<string, unknown>) => sim.setStatus(QUIET, { data });
    const log = () => brief(sim, QUIET).map(([, type, id]) => [type, id]);
    const lastA = execution(A, 'completed');
    // A new current execution still waiting: nothing; once running: running.
    set({ current_execution: execution(B, 'created'), last_execution: lastA });
    expect(log()).toEqual([]);
    set({ current_execution: execution(B, 'running'), last_execution: lastA });
    expect(log()).toEqual([['bulk_sync.running', B]]);
    // Still the same run, exporting: nothing.
    set({ current_execution: execution(B, 'exporting'), last_execution: lastA });
    // It ends and becomes the last execution: completed.
    set({ last_execution: execution(B, 'completed') });
    // A new run that is already running: running; it fails.
    set({ current_execution: execution(C, 'running'), last_execution: execution(B, 'completed') });
    set({ last_execution: execution(C, 'failed', { status_message: 'disk full' }) });
    // Ended and started in one body: the end first.
    set({
      current_execution: execution(D, 'exporting'),
      last_execution: execution(C, 'failed', { status_message: 'disk full' }),
    });
    // An end shown in current_execution itself counts too.
    set({ current_execution: execution(D, 'canceled'), last_execution: execution(C, 'failed') });
    set({ last_execution: execution(E, 'completed_with_errors') });
    // A body that is not JSON has no executions: nothing.
    sim.setStatus(QUIET, 'not json');
    expect(log()).toEqual([
      ['bulk_sync.running', B],
      ['bulk_sync.completed', B],
      ['bulk_sync.running', C],
      ['bulk_sync.failed', C],
      ['bulk_sync.running', D],
      ['bulk_sync.canceled', D],
      ['bulk_sync.completed_with_error', E],
    ]);
    const failed = sim.events().find((e) => e.type === 'bulk_sync.failed');
    expect(failed).toEqual(
      event('bulk_sync.failed', '2026-11-29T10:00:00.000Z', {
        sync_id: QUIET,
        execution_id: C,
        organization_id: SIM_ORG_ID,
        source_connection_id: CONN.postgres,
        destination_connection_id: CONN.snowflake,
        sync_name: 'Quiet',
        trigger_source: 'manual',
        error: 'disk full',
      }),
    );
    // Clearing goes back to the sync's own body (last A), by the same rule: A is a new last.
    sim.clearStatus(QUIET);
    expect(log().at(-1)).toEqual(['bulk_sync.completed', A]);
  });

  it('dates setStatus events with the clock, and hands the timeline back on clearStatus', async () => {
    const sim = await boot();
    const orders = (n: number) => stableUuid(`${SIM_SYNCS.orders}/execution/${n}`);
    at(1_000);
    sim.setStatus(SIM_SYNCS.orders, { data: { next_execution_time: null } });
    at(40_000);
    // While the body stands, the cycles record nothing for the sync.
    expect(brief(sim, SIM_SYNCS.orders)).toEqual([]);
    sim.clearStatus(SIM_SYNCS.orders);
    at(60_000);
    expect(brief(sim, SIM_SYNCS.orders)).toEqual([
      ['2026-11-29T10:00:40.000Z', 'bulk_sync.completed', orders(0)],
      ['2026-11-29T10:00:40.000Z', 'bulk_sync.running', orders(1)],
      ['2026-11-29T10:00:54.000Z', 'bulk_sync.completed', orders(1)],
    ]);
  });

  it('emits any event on demand, with overrides', async () => {
    const sim = await boot();
    at(2_500);
    const running = stableUuid(`${SIM_SYNCS.orders}/execution/0`);
    const emitted = sim.emitEvent(SIM_SYNCS.orders, 'bulk_sync.failed', {
      event: { error: 'boom', extra: 1 },
    });
    expect(emitted).toEqual(
      event('bulk_sync.failed', '2026-11-29T10:00:02.500Z', {
        sync_id: SIM_SYNCS.orders,
        execution_id: running,
        organization_id: SIM_ORG_ID,
        source_connection_id: CONN.postgres,
        destination_connection_id: CONN.snowflake,
        sync_name: 'Postgres → Snowflake',
        trigger_source: 'scheduled',
        error: 'boom',
        extra: 1,
      }),
    );
    const odd = sim.emitEvent(SIM_SYNCS.orders.toUpperCase(), 'sync.completed_with_errors', {
      id: 'not-a-uuid',
      created_at: '2026-11-29T09:00:00Z',
    });
    expect(odd).toMatchObject({ id: 'not-a-uuid', created_at: '2026-11-29T09:00:00Z' });
    expect(odd.event).not.toHaveProperty('trigger_source');
    // Sorted by time: the back-dated one first, and the cycle's running before the failure.
    expect(sim.events().map((e) => e.type)).toEqual([
      'sync.completed_with_errors',
      'bulk_sync.running',
      'bulk_sync.failed',
    ]);
    expect(() => sim.emitEvent('5e1a0000-0000-4000-8000-0000000000ff', 'x')).toThrow(
      /unknown sync/,
    );
  });

  it('keeps 48 hours of events, and at most eventLogSize', async () => {
    const sim = await quietSim();
    sim.emitEvent(QUIET, 'first');
    at(1_000);
    sim.emitEvent(QUIET, 'second');
    at(EVENT_RETENTION_MS);
    expect(brief(sim, QUIET).map(([, type]) => type)).toEqual(['first', 'second']);
    at(EVENT_RETENTION_MS + 1);
    expect(brief(sim, QUIET).map(([, type]) => type)).toEqual(['second']);
    await shutdown();

    const small = await quietSim({ eventLogSize: 3 });
    for (const n of [1, 2, 3, 4, 5]) small.emitEvent(QUIET, `n${n}`);
    expect(small.events().map((e) => e.type)).toEqual(['n3', 'n4', 'n5']);
  });
});

describe('GET /api/events', () => {
  /** Emits `n` events on the quiet sync, one a second from T0 + 1 s. */
  async function marked(n: number, options: Parameters<typeof boot>[0] = {}) {
    const sim = await quietSim(options);
    const events: PolytomicEvent[] = [];
    for (let i = 1; i <= n; i++) {
      at(i * 1_000);
      events.push(sim.emitEvent(QUIET, i % 2 === 0 ? 'bulk_sync.completed' : 'bulk_sync.running'));
    }
    return { sim, events };
  }

  it('answers the newest 10 first by default, the envelope exactly as recorded', async () => {
    const { sim, events } = await marked(12);
    const data = await listEvents(sim, '', QUIET_KEY);
    expect(data).toEqual(events.slice(2).reverse());
    expect(data?.[0]).toEqual(
      event('bulk_sync.completed', '2026-11-29T10:00:12.000Z', {
        sync_id: QUIET,
        execution_id: A,
        organization_id: SIM_ORG_ID,
        source_connection_id: CONN.postgres,
        destination_connection_id: CONN.snowflake,
        sync_name: 'Quiet',
        trigger_source: 'manual',
      }),
    );
    expect(await listEvents(sim, '?limit=100', QUIET_KEY)).toEqual(events.toReversed());
    expect(await listEvents(sim, '?limit=1', QUIET_KEY)).toEqual([events[11]]);
    expect(sim.eventsCalls()).toBe(3);
  });

  it('answers oldest first with eventsOrder asc', async () => {
    const { sim, events } = await marked(12, { eventsOrder: 'asc' });
    expect(await listEvents(sim, '', QUIET_KEY)).toEqual(events.slice(0, 10));
    expect(await listEvents(sim, '?limit=3&type=bulk_sync.completed', QUIET_KEY)).toEqual([
      events[1],
      events[3],
      events[5],
    ]);
  });

  it('filters by type, strictly after starting_after and strictly before ending_before', async () => {
    const { sim, events } = await marked(6, { eventsOrder: 'asc' });
    const types = async (query: string) =>
      (await listEvents(sim, query, QUIET_KEY))?.map((e) => e.created_at) ?? null;
    expect(await types('?type=bulk_sync.running')).toEqual([
      '2026-11-29T10:00:01.000Z',
      '2026-11-29T10:00:03.000Z',
      '2026-11-29T10:00:05.000Z',
    ]);
    expect(await types('?starting_after=2026-11-29T10:00:03.000Z')).toEqual([
      '2026-11-29T10:00:04.000Z',
      '2026-11-29T10:00:05.000Z',
      '2026-11-29T10:00:06.000Z',
    ]);
    expect(await types('?ending_before=2026-11-29T10:00:03Z')).toEqual([
      '2026-11-29T10:00:01.000Z',
      '2026-11-29T10:00:02.000Z',
    ]);
    // Another zone, the same instant; and the three filters together.
    const after = encodeURIComponent('2026-11-29T11:00:01+01:00');
    expect(
      await types(
        `?starting_after=${after}&ending_before=2026-11-29T10:00:06.000Z&type=bulk_sync.completed`,
      ),
    ).toEqual(['2026-11-29T10:00:02.000Z', '2026-11-29T10:00:04.000Z']);
    // Paging by time: after the last one seen.
    const last = events[5]?.created_at ?? '';
    expect(await listEvents(sim, `?starting_after=${last}`, QUIET_KEY)).toBeNull();
    expect(await types('?type=bulk_sync.nope')).toBeNull();
  });

  it('answers 422 for a limit out of 1..100 or a bad date-time', async () => {
    const { sim } = await marked(1);
    const refused = (message: string) => ({
      status: 422,
      body: { status: 422, message, key: 'validation_error', metadata: {} },
    });
    const limitProblem = refused('limit must be an integer from 1 to 100');
    for (const limit of ['0', '101', 'ten', '1.5', '-1', '1e2']) {
      expect([limit, await answered(get(sim, `/api/events?limit=${limit}`))]).toEqual([
        limit,
        limitProblem,
      ]);
    }
    expect(await answered(get(sim, '/api/events?starting_after=yesterday'))).toEqual(
      refused('starting_after must be an RFC 3339 date-time'),
    );
    expect(await answered(get(sim, '/api/events?ending_before=2026-11-29'))).toEqual(
      refused('ending_before must be an RFC 3339 date-time'),
    );
    expect((await get(sim, '/api/events?limit=100')).status).toBe(200);
  });

  it('shows a key only the events of the syncs it sees, and needs a key', async () => {
    const sim = await boot();
    at(40_000);
    const seen = await listEvents(sim, '?limit=100', SIM_OTHER_KEY);
    expect(new Set(seen?.map((e) => e.event.sync_id))).toEqual(
      new Set([SIM_SYNCS.orders, SIM_SYNCS.cdc]),
    );
    const all = await listEvents(sim, '?limit=100');
    expect(all?.filter((e) => seen?.some((s) => s.id === e.id))).toEqual(seen);
    expect(all?.length).toBeGreaterThan(seen?.length ?? 0);
    // An emitted event belongs to the sync its payload names.
    sim.emitEvent(SIM_SYNCS.idle, 'bulk_sync.completed', { event: { sync_id: SIM_SYNCS.cdc } });
    expect((await listEvents(sim, '?limit=1', SIM_OTHER_KEY))?.[0]?.event.sync_id).toBe(
      SIM_SYNCS.cdc,
    );
    expect((await get(sim, '/api/events', { key: 'nope' })).status).toBe(401);
    expect(await answered(get(sim, '/api/events', { key: null }))).toEqual({
      status: 401,
      body: { status: 401, message: 'unauthorized' },
    });
  });
});

describe('GET /api/events_types', () => {
  it('lists the ten documented types', async () => {
    const sim = await boot();
    expect(await answered(get(sim, '/api/events_types'))).toEqual({
      status: 200,
      body: {
        data: [
          'sync.running',
          'sync.failed',
          'sync.canceled',
          'sync.completed',
          'sync.completed_with_errors',
          'bulk_sync.running',
          'bulk_sync.completed',
          'bulk_sync.canceled',
          'bulk_sync.failed',
          'bulk_sync.completed_with_error',
        ],
      },
    });
    expect(EVENT_TYPES).toHaveLength(10);
    expect((await get(sim, '/api/events_types', { key: null })).status).toBe(401);
    expect(sim.calls('eventTypes')).toBe(2);
    expect(sim.eventsCalls()).toBe(0);
  });
});

describe('faults on the new routes', () => {
  const PATHS: [RouteKind, string][] = [
    ['events', '/api/events'],
    ['eventTypes', '/api/events_types'],
    ['statuses', `/api/bulk/syncs/status?sync_id=${SIM_SYNCS.orders}&sync_id=${SIM_SYNCS.cdc}`],
  ];

  it('answers an injected status on one route kind only, with the ApiError body', async () => {
    const sim = await boot();
    for (const [route, path] of PATHS) {
      for (const code of [401, 403, 404, 429, 500, 502, 503]) {
        sim.inject({ kind: 'status', status: code }, { route, times: 1 });
        const others = PATHS.filter(([other]) => other !== route);
        for (const [, otherPath] of others) expect((await get(sim, otherPath)).status).toBe(200);
        const res = await answered(get(sim, path));
        expect([route, res.status]).toEqual([route, code]);
        expect(res.body).toMatchObject({ status: code, metadata: {} });
        expect((await get(sim, path)).status).toBe(200);
      }
    }
    sim.inject(
      { kind: 'status', status: 429, headers: { 'retry-after': '2' } },
      { route: 'events', times: 1 },
    );
    const limited = await get(sim, '/api/events');
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '2']);
  });

  it('delays, hangs and garbles each route', async () => {
    const sim = await boot();
    for (const [route, path] of PATHS) {
      sim.inject({ kind: 'delay', ms: 120 }, { route, times: 1 });
      const started = performance.now();
      expect((await get(sim, path)).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(115);

      sim.inject({ kind: 'hang' }, { route, times: 1 });
      const hung = get(sim, path, { signal: AbortSignal.timeout(100) });
      await expect(hung).rejects.toMatchObject({ name: 'TimeoutError' });

      sim.inject({ kind: 'malformed' }, { route, times: 1 });
      const garbled = await get(sim, path);
      expect([garbled.status, await garbled.text()]).toEqual([200, TRUNCATED_BODY]);
    }
    // Each request was counted on its route, faults included; the per-sync status never.
    expect([sim.eventsCalls(), sim.calls('eventTypes'), sim.bulkStatusCalls()]).toEqual([3, 3, 3]);
    expect(sim.statusCalls()).toBe(0);
  });
});
