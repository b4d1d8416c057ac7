import { describe, expect, it } from 'vitest';
import {
  type Fault,
  SIM_KEY,
  SIM_OTHER_KEY,
  SIM_SYNCS,
  TRUNCATED_BODY,
} from '../../tools/simulator/index.js';
import { syncId } from '../fixtures/status.js';
import { expectNoLeak } from '../utils/leaks.js';
import { breakerState } from '../utils/metrics.js';
import { MANY_SYNCS, ONE_SYNC } from '../utils/operations.js';
import {
  type GraphQLResponse,
  startTestApp,
  type TestApp,
  warnedFields,
} from '../utils/test-app.js';

const SYNC = SIM_SYNCS.idle;
const UNKNOWN_SYNC = syncId(0xdead);

/** `[code, path]` of every error, in order. */
function codes(res: GraphQLResponse): [string | undefined, (string | number)[] | undefined][] {
  return (res.body.errors ?? []).map((e) => [e.extensions?.code, e.path]);
}

/** Asserts that `bulkSync(id: SYNC)` failed with exactly one `code` error and nothing leaked. */
function expectFailure(t: TestApp, res: GraphQLResponse, code: string): void {
  expect(res.status).toBe(200);
  expect(res.body.data).toEqual({ bulkSync: null });
  expect(codes(res)).toEqual([[code, ['bulkSync']]]);
  expectNoLeak(t, res.text);
}

describe('not found', () => {
  it('nulls the one unknown entry of bulkSyncs and answers the others', async () => {
    const t = await startTestApp();
    const ids = [SIM_SYNCS.orders, UNKNOWN_SYNC, SIM_SYNCS.idle];
    const res = await t.query(
      /* GraphQL */ `
        query ($ids: [ID!]!) { bulkSyncs(ids: $ids) { id status { nextExecutionTime } } }
      `,
      { ids },
    );
    const list = res.body.data?.['bulkSyncs'] as ({ id: string } | null)[];
    expect(list.map((entry) => entry?.id ?? null)).toEqual([
      SIM_SYNCS.orders,
      null,
      SIM_SYNCS.idle,
    ]);
    expect(codes(res)).toEqual([['NOT_FOUND', ['bulkSyncs', 1]]]);
    expect(res.body.errors?.[0]?.message).toBe(`Bulk sync ${UNKNOWN_SYNC} was not found.`);
    expect(t.sim.statusCalls()).toBe(3);
    expect(t.sim.statusCalls(UNKNOWN_SYNC)).toBe(1);
    expectNoLeak(t, res.text);
  });

  it('reports a repeated unknown id at each of its positions with one call', async () => {
    const t = await startTestApp();
    const res = await t.query(MANY_SYNCS, { ids: [UNKNOWN_SYNC, SIM_SYNCS.idle, UNKNOWN_SYNC] });
    const list = res.body.data?.['bulkSyncs'] as ({ id: string } | null)[];
    expect(list.map((entry) => entry?.id ?? null)).toEqual([null, SIM_SYNCS.idle, null]);
    expect(codes(res)).toEqual([
      ['NOT_FOUND', ['bulkSyncs', 0]],
      ['NOT_FOUND', ['bulkSyncs', 2]],
    ]);
    expect(t.sim.statusCalls(UNKNOWN_SYNC)).toBe(1);
    expect(t.sim.statusCalls()).toBe(2);
  });

  it('answers bulkSync(unknown) with null and NOT_FOUND', async () => {
    const t = await startTestApp();
    const res = await t.query(ONE_SYNC, { id: UNKNOWN_SYNC });
    expect(res.body.data).toEqual({ bulkSync: null });
    expect(codes(res)).toEqual([['NOT_FOUND', ['bulkSync']]]);
    expect(t.sim.statusCalls()).toBe(1);
    expectNoLeak(t, res.text);
  });

  it('answers NOT_FOUND for a sync the client key may not see', async () => {
    const t = await startTestApp();
    const res = await t.query(
      ONE_SYNC,
      { id: SIM_SYNCS.invoices },
      { authorization: `Bearer ${SIM_OTHER_KEY}` },
    );
    expect(res.body.data).toEqual({ bulkSync: null });
    expect(codes(res)).toEqual([['NOT_FOUND', ['bulkSync']]]);
    expect(t.sim.statusCalls()).toBe(1);
    expectNoLeak(t, res.text, [SIM_OTHER_KEY]);
  });
});

describe('bad input never reaches upstream', () => {
  it('rejects a non-UUID id in bulkSync', async () => {
    const t = await startTestApp();
    const res = await t.query(ONE_SYNC, { id: 'not-a-uuid' });
    expect(res.body.data).toEqual({ bulkSync: null });
    expect(codes(res)).toEqual([['BAD_USER_INPUT', ['bulkSync']]]);
    expect(t.sim.requests).toHaveLength(0);
    expectNoLeak(t, res.text);
  });

  it('rejects the whole bulkSyncs list when one id is not a UUID', async () => {
    const t = await startTestApp();
    const res = await t.query(MANY_SYNCS, { ids: [SIM_SYNCS.orders, '5e1a0000-0000-4000-8000'] });
    expect(res.body.data).toBeNull();
    expect(codes(res)).toEqual([['BAD_USER_INPUT', ['bulkSyncs']]]);
    expect(t.sim.requests).toHaveLength(0);
    expectNoLeak(t, res.text);
  });

  it('rejects ids that only look like UUIDs', async () => {
    const t = await startTestApp();
    for (const id of ['', ' ', `${SIM_SYNCS.orders} `, `{${SIM_SYNCS.orders}}`, '../../api/me']) {
      const res = await t.query(ONE_SYNC, { id });
      expect(codes(res)).toEqual([['BAD_USER_INPUT', ['bulkSync']]]);
    }
    expect(t.sim.requests).toHaveLength(0);
  });

  it('rejects an empty id list', async () => {
    const t = await startTestApp();
    const res = await t.query(MANY_SYNCS, { ids: [] });
    expect(res.body.data).toBeNull();
    expect(codes(res)).toEqual([['BAD_USER_INPUT', ['bulkSyncs']]]);
    expect(res.body.errors?.[0]?.message).toBe('ids must not be empty.');
    expect(t.sim.requests).toHaveLength(0);
  });

  it('rejects more ids than MAX_IDS_PER_REQUEST', async () => {
    const t = await startTestApp({ MAX_IDS_PER_REQUEST: '3' });
    const ids = [SIM_SYNCS.orders, SIM_SYNCS.invoices, SIM_SYNCS.cdc, SIM_SYNCS.idle];
    const res = await t.query(MANY_SYNCS, { ids });
    expect(res.body.data).toBeNull();
    expect(codes(res)).toEqual([['BAD_USER_INPUT', ['bulkSyncs']]]);
    expect(res.body.errors?.[0]?.message).toBe('ids may hold at most 3 ids; got 4.');
    expect(t.sim.requests).toHaveLength(0);
    // Exactly the cap is fine.
    const ok = await t.query(MANY_SYNCS, { ids: ids.slice(0, 3) });
    expect(ok.body.errors).toBeUndefined();
    expect(t.sim.statusCalls()).toBe(3);
  });

  it('answers UNAUTHENTICATED without any credential', async () => {
    const t = await startTestApp({ POLYTOMIC_API_KEY: undefined });
    const one = await t.query(ONE_SYNC, { id: SIM_SYNCS.orders });
    expect(one.body.data).toEqual({ bulkSync: null });
    expect(codes(one)).toEqual([['UNAUTHENTICATED', ['bulkSync']]]);
    const many = await t.query(MANY_SYNCS, { ids: [SIM_SYNCS.orders, SIM_SYNCS.idle] });
    expect(many.body.data).toEqual({ bulkSyncs: [null, null] });
    expect(codes(many)).toEqual([
      ['UNAUTHENTICATED', ['bulkSyncs', 0]],
      ['UNAUTHENTICATED', ['bulkSyncs', 1]],
    ]);
    const blank = await t.query(ONE_SYNC, { id: SIM_SYNCS.orders }, { authorization: '  ' });
    expect(codes(blank)).toEqual([['UNAUTHENTICATED', ['bulkSync']]]);
    expect(t.sim.requests).toHaveLength(0);
    expectNoLeak(t, one.text + many.text + blank.text);
  });
});

describe('upstream failures map to contract codes', () => {
  const statusFault = (status: number, extra: Partial<Extract<Fault, { kind: 'status' }>> = {}) =>
    ({ kind: 'status', status, ...extra }) as const;

  it('maps a 401 with a non-ApiError body to UNAUTHENTICATED, once', async () => {
    const t = await startTestApp();
    t.sim.inject(
      statusFault(401, {
        body: { code: 401, error: 'unauthorized', status: 'Unauthorized', context: {} },
      }),
    );
    const res = await t.query(ONE_SYNC, { id: SYNC });
    expectFailure(t, res, 'UNAUTHENTICATED');
    expect(res.body.errors?.[0]?.message).toBe('Polytomic rejected the credential.');
    expect(res.text).not.toContain('Unauthorized');
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('maps the simulator’s own 401 for an unknown client key to UNAUTHENTICATED', async () => {
    const t = await startTestApp();
    const res = await t.query(
      ONE_SYNC,
      { id: SYNC },
      { authorization: 'Bearer sk_live_not_known' },
    );
    expectFailure(t, res, 'UNAUTHENTICATED');
    expectNoLeak(t, res.text, ['sk_live_not_known']);
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('maps 403 to FORBIDDEN, once', async () => {
    const t = await startTestApp();
    t.sim.inject(statusFault(403));
    const res = await t.query(ONE_SYNC, { id: SYNC });
    expectFailure(t, res, 'FORBIDDEN');
    expect(res.body.errors?.[0]?.message).toBe(`The credential may not read bulk sync ${SYNC}.`);
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('maps an injected 404 to NOT_FOUND, once', async () => {
    const t = await startTestApp();
    t.sim.inject(statusFault(404));
    const res = await t.query(ONE_SYNC, { id: SYNC });
    expectFailure(t, res, 'NOT_FOUND');
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('retries 429 up to UPSTREAM_MAX_ATTEMPTS, then answers RATE_LIMITED', async () => {
    const t = await startTestApp({ UPSTREAM_MAX_ATTEMPTS: '4' });
    t.sim.inject(statusFault(429, { headers: { 'retry-after': '0' } }));
    const res = await t.query(ONE_SYNC, { id: SYNC });
    expectFailure(t, res, 'RATE_LIMITED');
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterMs: 0 });
    expect(t.sim.statusCalls()).toBe(4);
  });

  it('succeeds when a 429 clears before the attempts run out', async () => {
    const t = await startTestApp({ UPSTREAM_MAX_ATTEMPTS: '3' });
    t.sim.inject(statusFault(429, { headers: { 'retry-after': '0' } }), { times: 2 });
    t.sim.addSync(syncId(1), { data: { next_execution_time: '2024-04-20T15:45:00Z' } });
    const res = await t.query(ONE_SYNC, { id: syncId(1) });
    expect(res.body).toEqual({
      data: {
        bulkSync: {
          id: syncId(1),
          status: { nextExecutionTime: '2024-04-20T15:45:00Z', currentExecution: null },
        },
      },
    });
    expect(t.sim.statusCalls()).toBe(3);
  });

  for (const status of [500, 502, 503, 504]) {
    it(`retries ${status} up to UPSTREAM_MAX_ATTEMPTS, then answers UPSTREAM_UNAVAILABLE`, async () => {
      const t = await startTestApp({ UPSTREAM_MAX_ATTEMPTS: '3' });
      t.sim.inject(statusFault(status));
      const res = await t.query(ONE_SYNC, { id: SYNC });
      expectFailure(t, res, 'UPSTREAM_UNAVAILABLE');
      expect(res.body.errors?.[0]?.message).toBe(
        'Polytomic is unavailable right now; try again later.',
      );
      expect(t.sim.statusCalls()).toBe(3);
    });
  }

  it('retries 408 like a server error', async () => {
    const t = await startTestApp({ UPSTREAM_MAX_ATTEMPTS: '2' });
    t.sim.inject(statusFault(408));
    const res = await t.query(ONE_SYNC, { id: SYNC });
    expectFailure(t, res, 'UPSTREAM_UNAVAILABLE');
    expect(t.sim.statusCalls()).toBe(2);
  });

  it('makes a single attempt with UPSTREAM_MAX_ATTEMPTS 1', async () => {
    const t = await startTestApp({ UPSTREAM_MAX_ATTEMPTS: '1' });
    t.sim.inject(statusFault(503));
    const res = await t.query(ONE_SYNC, { id: SYNC });
    expectFailure(t, res, 'UPSTREAM_UNAVAILABLE');
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('recovers from one 503 with exactly one retry', async () => {
    const t = await startTestApp();
    t.sim.inject(statusFault(503), { times: 1 });
    t.sim.addSync(syncId(1), { data: { next_execution_time: null } });
    const res = await t.query(ONE_SYNC, { id: syncId(1) });
    expect(res.body).toEqual({
      data: {
        bulkSync: { id: syncId(1), status: { nextExecutionTime: null, currentExecution: null } },
      },
    });
    expect(t.sim.statusCalls()).toBe(2);
  });

  for (const status of [400, 405, 409, 410, 422]) {
    it(`never retries ${status}: one call, UPSTREAM_UNAVAILABLE`, async () => {
      const t = await startTestApp({ UPSTREAM_MAX_ATTEMPTS: '3' });
      t.sim.inject(statusFault(status));
      const res = await t.query(ONE_SYNC, { id: SYNC });
      expectFailure(t, res, 'UPSTREAM_UNAVAILABLE');
      // Asking again will not help: the message does not say to.
      expect(res.body.errors?.[0]?.message).toBe(
        `Polytomic refused the status request for bulk sync ${SYNC} (HTTP ${status}).`,
      );
      expect(t.sim.statusCalls()).toBe(1);
    });
  }

  it('a redirect is not followed, nor called a refusal: one call, UPSTREAM_UNAVAILABLE', async () => {
    const t = await startTestApp({ UPSTREAM_MAX_ATTEMPTS: '3' });
    t.sim.inject(statusFault(301));
    const res = await t.query(ONE_SYNC, { id: SYNC });
    expectFailure(t, res, 'UPSTREAM_UNAVAILABLE');
    expect(res.body.errors?.[0]?.message).toBe(
      'Polytomic is unavailable right now; try again later.',
    );
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('times out a hung upstream per attempt and answers UPSTREAM_UNAVAILABLE', async () => {
    const t = await startTestApp({ UPSTREAM_TIMEOUT_MS: '200', UPSTREAM_MAX_ATTEMPTS: '2' });
    t.sim.inject({ kind: 'hang' });
    const started = Date.now();
    const res = await t.query(ONE_SYNC, { id: SYNC });
    const elapsed = Date.now() - started;
    expectFailure(t, res, 'UPSTREAM_UNAVAILABLE');
    expect(t.sim.statusCalls()).toBe(2);
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(2000);
  });

  it('times out a body that arrives too late', async () => {
    const t = await startTestApp({ UPSTREAM_TIMEOUT_MS: '200', UPSTREAM_MAX_ATTEMPTS: '2' });
    t.sim.inject({ kind: 'slowBody', ms: 1000 });
    const res = await t.query(ONE_SYNC, { id: SYNC });
    expectFailure(t, res, 'UPSTREAM_UNAVAILABLE');
    expect(t.sim.statusCalls()).toBe(2);
  });

  it('retries a reset connection, then answers UPSTREAM_UNAVAILABLE', async () => {
    const t = await startTestApp({ UPSTREAM_MAX_ATTEMPTS: '3' });
    t.sim.inject({ kind: 'reset' });
    const res = await t.query(ONE_SYNC, { id: SYNC });
    expectFailure(t, res, 'UPSTREAM_UNAVAILABLE');
    expect(t.sim.statusCalls()).toBe(3);
  });

  it('recovers from one reset connection', async () => {
    const t = await startTestApp();
    t.sim.inject({ kind: 'reset' }, { times: 1 });
    t.sim.addSync(syncId(1), { data: { next_execution_time: null } });
    const res = await t.query(ONE_SYNC, { id: syncId(1) });
    expect(res.body).toEqual({
      data: {
        bulkSync: { id: syncId(1), status: { nextExecutionTime: null, currentExecution: null } },
      },
    });
    expect(t.sim.statusCalls()).toBe(2);
  });

  const malformed: [string, string][] = [
    ['truncated JSON', TRUNCATED_BODY],
    ['an array', '[]'],
    ['a number as data', '{"data": 42}'],
    ['a string as execution', '{"data":{"current_execution":"x"}}'],
    ['null', 'null'],
    ['an empty body', ''],
    ['HTML', '<html><body>Bad gateway</body></html>'],
  ];
  for (const [name, body] of malformed) {
    it(`answers UPSTREAM_UNAVAILABLE without retry for ${name}`, async () => {
      const t = await startTestApp({ UPSTREAM_MAX_ATTEMPTS: '3' });
      t.sim.inject({ kind: 'malformed', body });
      const res = await t.query(ONE_SYNC, { id: SYNC });
      expectFailure(t, res, 'UPSTREAM_UNAVAILABLE');
      expect(t.sim.statusCalls()).toBe(1);
      if (body.length > 8) expect(res.text).not.toContain(body);
    });
  }

  it('fails only a count SafeInt cannot carry, with a contract code; the rest is served', async () => {
    const t = await startTestApp();
    // Out of range as a JSON number, as a digit string and beyond a double, and a fraction, in
    // an execution and in a schema run: each fails its own field alike.
    const counts = ['100000000000000000000', '"100000000000000000000"', '1e400', '1.5', '-0.5'];
    const ids = counts.map((_, i) => syncId(i + 1));
    counts.forEach((count, i) => {
      t.sim.addSync(
        syncId(i + 1),
        `{"data":{"current_execution":{"id":"e","status":"running","record_count":${count},"error_count":7,` +
          `"schemas":[{"schema":"s","status":"running","record_count":2,"warning_count":${count}}]}}}`,
      );
    });
    const query = /* GraphQL */ `
      query ($ids: [ID!]!) {
        bulkSyncs(ids: $ids) { id status { currentExecution {
          status recordCount errorCount schemas { recordCount warningCount }
        } } }
      }
    `;
    const res = await t.query(query, { ids });
    const served = {
      status: 'RUNNING',
      recordCount: null,
      errorCount: 7,
      schemas: [{ recordCount: 2, warningCount: null }],
    };
    expect(res.body.data).toEqual({
      bulkSyncs: ids.map((id) => ({ id, status: { currentExecution: served } })),
    });
    const execution = (i: number) => ['bulkSyncs', i, 'status', 'currentExecution'];
    // In the order the fields settled; compared as sorted lists.
    const sorted = (list: unknown[]) => list.map((entry) => JSON.stringify(entry)).sort();
    expect(sorted(codes(res))).toEqual(
      sorted(
        ids.flatMap((_, i) => [
          ['UPSTREAM_UNAVAILABLE', [...execution(i), 'recordCount']],
          ['UPSTREAM_UNAVAILABLE', [...execution(i), 'schemas', 0, 'warningCount']],
        ]),
      ),
    );
    expect(new Set(res.body.errors?.map((e) => e.message))).toEqual(
      new Set([
        'Polytomic sent a recordCount this API cannot send exactly (beyond ±(2^53-1), or not whole).',
        'Polytomic sent a warningCount this API cannot send exactly (beyond ±(2^53-1), or not whole).',
      ]),
    );
    expect(warnedFields(t)).toEqual(
      ids
        .flatMap(() => [
          ['Polytomic sent a count SafeInt cannot carry', 'recordCount'],
          ['Polytomic sent a count SafeInt cannot carry', 'warningCount'],
        ])
        .sort(),
    );
    expect(t.sim.statusCalls()).toBe(5);
    // Five syncs (BREAKER_THRESHOLD) with such counts are no upstream failure: still closed.
    expect(await breakerState(t)).toBe(0);
    expectNoLeak(t, res.text);
  });

  it('fails only the entry whose upstream failed', async () => {
    const t = await startTestApp({ UPSTREAM_MAX_ATTEMPTS: '2' });
    t.sim.inject({ kind: 'status', status: 503 }, { syncId: SIM_SYNCS.invoices });
    t.sim.inject({ kind: 'status', status: 403 }, { syncId: SIM_SYNCS.cdc });
    const ids = [SIM_SYNCS.orders, SIM_SYNCS.invoices, SIM_SYNCS.cdc];
    const res = await t.query(MANY_SYNCS, { ids });
    const list = res.body.data?.['bulkSyncs'] as ({ id: string } | null)[];
    expect(list.map((entry) => entry?.id ?? null)).toEqual([SIM_SYNCS.orders, null, null]);
    expect(codes(res)).toEqual([
      ['UPSTREAM_UNAVAILABLE', ['bulkSyncs', 1]],
      ['FORBIDDEN', ['bulkSyncs', 2]],
    ]);
    expect(t.sim.statusCalls(SIM_SYNCS.orders)).toBe(1);
    expect(t.sim.statusCalls(SIM_SYNCS.invoices)).toBe(2);
    expect(t.sim.statusCalls(SIM_SYNCS.cdc)).toBe(1);
    expectNoLeak(t, res.text);
  });

  it('keeps the client credential out of responses and logs on every failure kind', async () => {
    const t = await startTestApp({ UPSTREAM_TIMEOUT_MS: '200', UPSTREAM_MAX_ATTEMPTS: '1' });
    const faults: Fault[] = [
      { kind: 'status', status: 401 },
      { kind: 'status', status: 500 },
      { kind: 'hang' },
      { kind: 'reset' },
      { kind: 'malformed' },
    ];
    const clientKey = `Bearer ${SIM_OTHER_KEY}`;
    let text = '';
    for (const fault of faults) {
      t.sim.inject(fault, { times: 1 });
      const res = await t.query(ONE_SYNC, { id: SIM_SYNCS.orders }, { authorization: clientKey });
      expect(res.body.data).toEqual({ bulkSync: null });
      text += res.text;
    }
    expect(t.sim.statusCalls()).toBe(5);
    expect(t.sim.requests.every((r) => r.headers['authorization'] === clientKey)).toBe(true);
    expectNoLeak(t, text, [SIM_OTHER_KEY, SIM_KEY]);
  });
});
