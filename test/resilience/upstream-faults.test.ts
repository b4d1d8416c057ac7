import { describe, expect, it } from 'vitest';
import { type Fault, SIM_SYNCS } from '../../tools/simulator/index.js';
import { envelope, syncId } from '../fixtures/status.js';
import { expectNoLeak } from '../utils/leaks.js';
import { breakerState, scrape, seriesValue } from '../utils/metrics.js';
import { errorCodes, ONE_SYNC } from '../utils/operations.js';
import { type GraphQLResponse, startTestApp, type TestApp } from '../utils/test-app.js';
import { sleep, until } from '../utils/wait.js';

const SYNC = SIM_SYNCS.idle;

/** Asserts a successful `bulkSync(id)` answer. */
function expectServed(res: GraphQLResponse, id: string): void {
  expect(res.status).toBe(200);
  expect(res.body.errors).toBeUndefined();
  expect((res.body.data?.['bulkSync'] as { id: string } | null)?.id).toBe(id);
}

/** Every "breaker changed state" log line, in order: its state and when (epoch ms). */
function breakerLog(t: TestApp): { state: string; time: number }[] {
  return t.logs
    .map((line) => JSON.parse(line) as { msg?: string; state?: string; time?: number })
    .filter((entry) => entry.msg === 'upstream circuit breaker changed state')
    .map((entry) => ({ state: entry.state ?? '', time: entry.time ?? 0 }));
}

function breakerTransitions(t: TestApp): string[] {
  return breakerLog(t).map((entry) => entry.state);
}

describe('circuit breaker', () => {
  it('opens after BREAKER_THRESHOLD consecutive failed attempts, fails fast with zero calls, and one probe closes it', async () => {
    const t = await startTestApp({
      UPSTREAM_MAX_ATTEMPTS: '3',
      BREAKER_THRESHOLD: '5',
      BREAKER_HALF_OPEN_MS: '1000',
    });
    expect(await breakerState(t)).toBe(0);
    t.sim.inject({ kind: 'status', status: 503 }, { times: 5 });

    const first = await t.query(ONE_SYNC, { id: SYNC });
    expect(errorCodes(first)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(t.sim.statusCalls()).toBe(3);
    expect(await breakerState(t)).toBe(0);

    // Attempts 4 and 5 fail; the 5th opens the breaker, so the query's third attempt never leaves.
    const second = await t.query(ONE_SYNC, { id: SYNC });
    expect(errorCodes(second)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(t.sim.statusCalls()).toBe(5);
    expect(await breakerState(t)).toBe(2);
    const openedAt = breakerLog(t).at(-1)?.time ?? 0;

    // Open: every query fails fast, and Polytomic sees nothing (no fault is left queued, so
    // any call that did leave would succeed and show up here).
    const ids = [SYNC, SIM_SYNCS.orders, syncId(1), syncId(2)];
    for (let n = 0; n < 12; n++) {
      const res = await t.query(ONE_SYNC, { id: ids[n % ids.length] });
      expect(res.body.data).toEqual({ bulkSync: null });
      expect(errorCodes(res)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expectNoLeak(t, res.text);
    }
    // All of them inside the open window (BREAKER_HALF_OPEN_MS from the opening).
    expect(Date.now()).toBeLessThan(openedAt + 1000);
    expect(t.sim.statusCalls()).toBe(5);
    expect(await breakerState(t)).toBe(2);

    // After BREAKER_HALF_OPEN_MS (a real wait: the breaker's clock is the real one), one probe
    // goes through; its success closes the breaker.
    await sleep(openedAt + 1000 - Date.now() + 20);
    const probe = await t.query(ONE_SYNC, { id: SYNC });
    expectServed(probe, SYNC);
    expect(t.sim.statusCalls()).toBe(6);
    expect(await breakerState(t)).toBe(0);

    const after = await t.query(ONE_SYNC, { id: SIM_SYNCS.orders });
    expectServed(after, SIM_SYNCS.orders);
    expect(t.sim.statusCalls()).toBe(7);
    expect(breakerTransitions(t)).toEqual(['open', 'half-open', 'closed']);
  });

  it('lets exactly one probe through while half-open: a failing probe re-opens it for everyone waiting', async () => {
    const t = await startTestApp({
      UPSTREAM_MAX_ATTEMPTS: '3',
      BREAKER_THRESHOLD: '2',
      // Far above a retry's backoff (full jitter up to 200 ms for the third attempt): a retry
      // that waited a little long under load must not find the breaker half-open already.
      BREAKER_HALF_OPEN_MS: '1000',
      UPSTREAM_TIMEOUT_MS: '150',
    });
    const ids = [1, 2, 3].map(syncId);
    for (const id of ids) t.sim.addSync(id, envelope());
    t.sim.inject({ kind: 'status', status: 503 }, { times: 2 });
    const opening = await t.query(ONE_SYNC, { id: SYNC });
    expect(errorCodes(opening)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(t.sim.statusCalls()).toBe(2);
    expect(await breakerState(t)).toBe(2);

    // Past BREAKER_HALF_OPEN_MS (a real wait: the breaker runs on the real clock). The probe
    // hangs until UPSTREAM_TIMEOUT_MS; the two queries behind it wait for its verdict.
    await sleep(1020);
    t.sim.inject({ kind: 'hang' }, { times: 1 });
    const failed = await Promise.all(ids.map((id) => t.query(ONE_SYNC, { id })));
    expect(failed.map(errorCodes)).toEqual([
      ['UPSTREAM_UNAVAILABLE'],
      ['UPSTREAM_UNAVAILABLE'],
      ['UPSTREAM_UNAVAILABLE'],
    ]);
    expect(t.sim.statusCalls()).toBe(3);
    expect(await breakerState(t)).toBe(2);

    // The next probe is slow but succeeds: it closes the breaker and the waiting queries follow.
    await sleep(1020);
    t.sim.inject({ kind: 'delay', ms: 100 }, { times: 1 });
    const served = await Promise.all(ids.map((id) => t.query(ONE_SYNC, { id })));
    served.forEach((res, i) => {
      expectServed(res, ids[i] ?? '');
    });
    expect(t.sim.statusCalls()).toBe(6);
    expect(await breakerState(t)).toBe(0);
    expect(breakerTransitions(t)).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });
});

describe('every upstream fault: a contract code, exact calls, then normal service', () => {
  const cases: { name: string; fault: Fault; code: string; tripsBreaker: boolean }[] = [
    {
      name: '503',
      fault: { kind: 'status', status: 503 },
      code: 'UPSTREAM_UNAVAILABLE',
      tripsBreaker: true,
    },
    { name: 'a hang', fault: { kind: 'hang' }, code: 'UPSTREAM_UNAVAILABLE', tripsBreaker: true },
    { name: 'a reset', fault: { kind: 'reset' }, code: 'UPSTREAM_UNAVAILABLE', tripsBreaker: true },
    {
      name: 'a slow body',
      fault: { kind: 'slowBody', ms: 1000 },
      code: 'UPSTREAM_UNAVAILABLE',
      tripsBreaker: true,
    },
    // A 500 or a bad body may be the one sync's own problem: counted once for that sync, so
    // the same sync failing twice does not open the breaker (two syncs would: client tests).
    {
      name: "a malformed body, one sync's",
      fault: { kind: 'malformed' },
      code: 'UPSTREAM_UNAVAILABLE',
      tripsBreaker: false,
    },
    {
      name: "500, one sync's",
      fault: { kind: 'status', status: 500 },
      code: 'UPSTREAM_UNAVAILABLE',
      tripsBreaker: false,
    },
    {
      name: '429',
      fault: { kind: 'status', status: 429 },
      code: 'RATE_LIMITED',
      tripsBreaker: false,
    },
    { name: '404', fault: { kind: 'status', status: 404 }, code: 'NOT_FOUND', tripsBreaker: false },
    {
      name: '401',
      fault: { kind: 'status', status: 401 },
      code: 'UNAUTHENTICATED',
      tripsBreaker: false,
    },
  ];
  for (const { name, fault, code, tripsBreaker } of cases) {
    it(`${name}: ${code}, ${tripsBreaker ? 'opens' : 'never opens'} the breaker, then serves`, async () => {
      const t = await startTestApp({
        UPSTREAM_MAX_ATTEMPTS: '1',
        BREAKER_THRESHOLD: '2',
        BREAKER_HALF_OPEN_MS: '100',
        UPSTREAM_TIMEOUT_MS: '150',
      });
      t.sim.inject(fault, { times: 2, syncId: SYNC });
      let text = '';
      for (let n = 1; n <= 2; n++) {
        const res = await t.query(ONE_SYNC, { id: SYNC });
        expect(res.status).toBe(200);
        expect(res.body.data).toEqual({ bulkSync: null });
        expect(errorCodes(res)).toEqual([code]);
        expect(t.sim.statusCalls()).toBe(n);
        text += res.text;
      }
      if (tripsBreaker) {
        expect(await breakerState(t)).toBe(2);
        const fast = await t.query(ONE_SYNC, { id: SIM_SYNCS.orders });
        expect(errorCodes(fast)).toEqual(['UPSTREAM_UNAVAILABLE']);
        expect(t.sim.statusCalls()).toBe(2);
        text += fast.text;
        // BREAKER_HALF_OPEN_MS (real clock) before the breaker lets a probe through.
        await sleep(120);
      } else {
        expect(await breakerState(t)).toBe(0);
      }
      expectServed(await t.query(ONE_SYNC, { id: SYNC }), SYNC);
      expectServed(await t.query(ONE_SYNC, { id: SIM_SYNCS.orders }), SIM_SYNCS.orders);
      expect(t.sim.statusCalls()).toBe(4);
      expect(await breakerState(t)).toBe(0);
      expectNoLeak(t, text);
    });
  }
});

describe('429 and Retry-After', () => {
  it('waits the Retry-After before the next attempt and answers RATE_LIMITED with retryAfterMs', async () => {
    const t = await startTestApp({ UPSTREAM_MAX_ATTEMPTS: '2' });
    t.sim.inject({ kind: 'status', status: 429, headers: { 'retry-after': '1' } }, { times: 2 });
    const res = await t.query(ONE_SYNC, { id: SYNC });
    expect(res.body.data).toEqual({ bulkSync: null });
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterMs: 1000 });
    expect(t.sim.statusCalls()).toBe(2);
    const [first, second] = t.sim.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(999);
    const metrics = await scrape(t);
    expect(
      seriesValue(metrics, 'polytomic_upstream_retries_total{reason="UPSTREAM_HTTP_ERROR"}'),
    ).toBe(1);
    expect(seriesValue(metrics, 'polytomic_upstream_requests_total{outcome="429"}')).toBe(2);
    expect(seriesValue(metrics, 'polytomic_upstream_breaker_state')).toBe(0);
    expectServed(await t.query(ONE_SYNC, { id: SYNC }), SYNC);
    expect(t.sim.statusCalls()).toBe(3);
  });

  it('a storm asking for longer than UPSTREAM_RETRY_MAX_ELAPSED_MS: one attempt each, no waiting, breaker closed', async () => {
    const t = await startTestApp({ UPSTREAM_MAX_ATTEMPTS: '3', BREAKER_THRESHOLD: '2' });
    t.sim.inject({ kind: 'status', status: 429, headers: { 'retry-after': '30' } }, { times: 20 });
    const ids = Array.from({ length: 20 }, (_, n) => syncId(n + 1));
    const started = Date.now();
    const results = await Promise.all(ids.map((id) => t.query(ONE_SYNC, { id })));
    expect(Date.now() - started).toBeLessThan(5000);
    for (const res of results) {
      expect(res.body.errors?.map((e) => e.extensions)).toEqual([
        { code: 'RATE_LIMITED', retryAfterMs: 30_000 },
      ]);
    }
    expect(t.sim.statusCalls()).toBe(20);
    const metrics = await scrape(t);
    expect(seriesValue(metrics, 'polytomic_upstream_breaker_state')).toBe(0);
    expect(metrics).not.toMatch(/^polytomic_upstream_retries_total\{/m);
    expectServed(await t.query(ONE_SYNC, { id: SYNC }), SYNC);
    expect(t.sim.statusCalls()).toBe(21);
  });

  it('a Retry-After the gateway will not wait for spends no retry budget', async () => {
    const t = await startTestApp({ UPSTREAM_MAX_ATTEMPTS: '3', BREAKER_THRESHOLD: '100' });
    t.sim.inject({ kind: 'status', status: 429, headers: { 'retry-after': '30' } }, { times: 25 });
    const ids = Array.from({ length: 25 }, (_, n) => syncId(n + 1));
    await Promise.all(ids.map((id) => t.query(ONE_SYNC, { id })));
    expect(t.sim.statusCalls()).toBe(25);
    // No retry was made, so the budget (20 at start) is untouched: one 503 is retried as usual.
    t.sim.inject({ kind: 'status', status: 503 }, { times: 1 });
    expectServed(await t.query(ONE_SYNC, { id: SYNC }), SYNC);
    expect(t.sim.statusCalls()).toBe(27);
  });
});

describe('retry budget', () => {
  it('with RETRY_BUDGET_PERCENT 0, 100 failing queries cost 100 calls plus the initial 20 retries, not 300', async () => {
    const t = await startTestApp({
      UPSTREAM_MAX_ATTEMPTS: '3',
      RETRY_BUDGET_PERCENT: '0',
      BREAKER_THRESHOLD: '100000',
    });
    t.sim.inject({ kind: 'status', status: 503 });
    const ids = Array.from({ length: 100 }, (_, n) => syncId(n + 1));
    const started = Date.now();
    const results = await Promise.all(ids.map((id) => t.query(ONE_SYNC, { id })));
    const elapsedSeconds = (Date.now() - started) / 1000;
    expect(results.map((res) => errorCodes(res)[0])).toEqual(ids.map(() => 'UPSTREAM_UNAVAILABLE'));
    // retry-budget.ts: a balance of 20 at start, + 0 per first attempt, + 1 per second (floor).
    const calls = t.sim.statusCalls();
    expect(calls).toBeGreaterThanOrEqual(100 + 20);
    expect(calls).toBeLessThanOrEqual(100 + 20 + Math.ceil(elapsedSeconds));
    const metrics = await scrape(t);
    expect(
      seriesValue(metrics, 'polytomic_upstream_retries_total{reason="UPSTREAM_HTTP_ERROR"}'),
    ).toBe(calls - 100);
    expect(seriesValue(metrics, 'polytomic_upstream_requests_total{outcome="503"}')).toBe(calls);

    t.sim.clearFaults();
    expectServed(await t.query(ONE_SYNC, { id: SYNC }), SYNC);
  });
});

describe('concurrency cap with a bounded queue', () => {
  it('UPSTREAM_CONCURRENCY 1 + UPSTREAM_QUEUE 1: of 3 concurrent syncs one fails fast, two are served', async () => {
    const t = await startTestApp({ UPSTREAM_CONCURRENCY: '1', UPSTREAM_QUEUE: '1' });
    const ids = [1, 2, 3].map(syncId);
    for (const id of ids) t.sim.addSync(id, envelope());
    t.sim.inject({ kind: 'delay', ms: 300 }, { times: 2 });

    const settledAt: number[] = [];
    const started = Date.now();
    const pending = ids.map((id, i) =>
      t.query(ONE_SYNC, { id }).then((res) => {
        settledAt[i] = Date.now() - started;
        return res;
      }),
    );
    // One call holds the only slot and one waits for it: both visible on /metrics meanwhile.
    await until(() => t.sim.statusCalls() === 1);
    const during = await scrape(t);
    expect(seriesValue(during, 'polytomic_upstream_calls{state="active"}')).toBe(1);
    expect(seriesValue(during, 'polytomic_upstream_calls{state="queued"}')).toBe(1);

    const results = await Promise.all(pending);
    const refused = results.findIndex((res) => res.body.errors !== undefined);
    expect(refused).toBeGreaterThanOrEqual(0);
    expect(results[refused]?.body.data).toEqual({ bulkSync: null });
    expect(errorCodes(results[refused] as GraphQLResponse)).toEqual(['UPSTREAM_UNAVAILABLE']);
    results.forEach((res, i) => {
      if (i !== refused) expectServed(res, ids[i] ?? '');
    });
    // Failed fast: before either served query, each of which waited out the 300 ms delay.
    const served = settledAt.filter((_, i) => i !== refused);
    expect(settledAt[refused]).toBeLessThan(Math.min(...served));
    expect(Math.min(...served)).toBeGreaterThanOrEqual(300);
    expect(t.sim.statusCalls()).toBe(2);
    expect(t.sim.statusCalls(ids[refused])).toBe(0);

    const after = await scrape(t);
    expect(seriesValue(after, 'polytomic_upstream_calls{state="active"}')).toBe(0);
    expect(seriesValue(after, 'polytomic_upstream_calls{state="queued"}')).toBe(0);
    expect(seriesValue(after, 'polytomic_upstream_breaker_state')).toBe(0);
    // The refused sync is served once there is room.
    expectServed(await t.query(ONE_SYNC, { id: ids[refused] }), ids[refused] ?? '');
    expect(t.sim.statusCalls()).toBe(3);
  });
});
