import { describe, expect, it } from 'vitest';
import { type Fault, SIM_OTHER_KEY, SIM_SYNCS } from '../../tools/simulator/index.js';
import { envelope, syncId } from '../fixtures/status.js';
import { expectNoLeak } from '../utils/leaks.js';
import { breakerState } from '../utils/metrics.js';
import {
  errorCodes,
  type FreshnessView,
  freshnessOf,
  SYNC_FRESHNESS,
} from '../utils/operations.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { sleep } from '../utils/wait.js';

// A query answered from the last good status when Polytomic fails; for subscriptions, which
// never are: stale-if-error.e2e.test.ts.

function start(env: Record<string, string | undefined> = {}): Promise<TestApp> {
  return startTestApp({
    CACHE_TTL_MS: '0',
    STALE_IF_ERROR_MS: '60000',
    UPSTREAM_MAX_ATTEMPTS: '1',
    ...env,
  });
}

const STATUSES = /* GraphQL */ `
  query Statuses($ids: [ID!]!) {
    bulkSyncs(ids: $ids) {
      id
      status { fetchedAt stale currentExecution { recordCount } }
    }
  }
`;

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ID = syncId(1);

/** Starts an app with one sync at recordCount 7 and reads it once; returns that first answer. */
async function primed(env: Record<string, string | undefined> = {}) {
  const t = await start(env);
  t.sim.addSync(ID, envelope({ recordCount: 7 }), { keys: [SIM_OTHER_KEY] });
  const before = Date.now();
  const good = await t.query(SYNC_FRESHNESS, { id: ID });
  const after = Date.now();
  const status = freshnessOf(good);
  expect(good.body.errors).toBeUndefined();
  expect(status?.stale).toBe(false);
  expect(status?.fetchedAt).toMatch(ISO);
  const fetchedAt = Date.parse(status?.fetchedAt ?? '');
  expect(fetchedAt).toBeGreaterThanOrEqual(before);
  expect(fetchedAt).toBeLessThanOrEqual(after);
  return { t, fetchedAt: status?.fetchedAt ?? '' };
}

describe('stale-if-error (CACHE_TTL_MS 0, STALE_IF_ERROR_MS 60000)', () => {
  it('answers a 503 with the last good status, stale: true and its original fetchedAt, no error', async () => {
    const { t, fetchedAt } = await primed();
    t.sim.setStatus(ID, envelope({ recordCount: 8 }));
    t.sim.inject({ kind: 'status', status: 503 }, { syncId: ID, times: 1 });
    const res = await t.query(SYNC_FRESHNESS, { id: ID });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        bulkSync: {
          id: ID,
          status: {
            fetchedAt,
            stale: true,
            currentExecution: { status: 'RUNNING', recordCount: 7 },
          },
        },
      },
    });
    expect(t.sim.statusCalls()).toBe(2);
    expectNoLeak(t, res.text);

    // Recovery: fresh data, stale false, a newer fetchedAt.
    const fresh = await t.query(SYNC_FRESHNESS, { id: ID });
    expect(freshnessOf(fresh)?.stale).toBe(false);
    expect(freshnessOf(fresh)?.currentExecution?.recordCount).toBe(8);
    expect(Date.parse(freshnessOf(fresh)?.fetchedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(fetchedAt),
    );
    expect(t.sim.statusCalls()).toBe(3);
  });

  const standIns: [string, Fault][] = [
    ['a 500', { kind: 'status', status: 500 }],
    ['a 429', { kind: 'status', status: 429, headers: { 'retry-after': '0' } }],
    ['a hang', { kind: 'hang' }],
    ['a reset', { kind: 'reset' }],
    ['a malformed body', { kind: 'malformed' }],
  ];
  for (const [name, fault] of standIns) {
    it(`stands in for ${name}`, async () => {
      const { t, fetchedAt } = await primed({ UPSTREAM_TIMEOUT_MS: '150' });
      t.sim.inject(fault, { syncId: ID, times: 1 });
      const res = await t.query(SYNC_FRESHNESS, { id: ID });
      expect(res.body.errors).toBeUndefined();
      expect(freshnessOf(res)).toEqual({
        fetchedAt,
        stale: true,
        currentExecution: { status: 'RUNNING', recordCount: 7 },
      });
      expect(t.sim.statusCalls()).toBe(2);
    });
  }

  it('stands in while the breaker is open, with zero upstream calls', async () => {
    const { t, fetchedAt } = await primed({ BREAKER_THRESHOLD: '1', BREAKER_HALF_OPEN_MS: '5000' });
    t.sim.inject({ kind: 'status', status: 502 }, { times: 1 });
    const opening = await t.query(SYNC_FRESHNESS, { id: ID });
    expect(freshnessOf(opening)?.stale).toBe(true);
    expect(await breakerState(t)).toBe(2);
    for (let n = 0; n < 3; n++) {
      const res = await t.query(SYNC_FRESHNESS, { id: ID });
      expect(res.body.errors).toBeUndefined();
      expect(freshnessOf(res)?.fetchedAt).toBe(fetchedAt);
      expect(freshnessOf(res)?.stale).toBe(true);
    }
    expect(t.sim.statusCalls()).toBe(2);
  });

  for (const [status, code] of [
    [404, 'NOT_FOUND'],
    [401, 'UNAUTHENTICATED'],
    [403, 'FORBIDDEN'],
  ] as const) {
    it(`never stands in for a ${status}: ${code}`, async () => {
      const { t } = await primed();
      t.sim.inject({ kind: 'status', status }, { syncId: ID, times: 1 });
      const res = await t.query(SYNC_FRESHNESS, { id: ID });
      expect(res.body.data).toEqual({ bulkSync: null });
      expect(errorCodes(res)).toEqual([code]);
      expect(t.sim.statusCalls()).toBe(2);
    });
  }

  it('never serves one credential’s last good status to another', async () => {
    const { t } = await primed();
    t.sim.inject({ kind: 'status', status: 503 }, { syncId: ID });
    const other = await t.query(
      SYNC_FRESHNESS,
      { id: ID },
      { authorization: `Bearer ${SIM_OTHER_KEY}` },
    );
    expect(other.body.data).toEqual({ bulkSync: null });
    expect(errorCodes(other)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expectNoLeak(t, other.text, [SIM_OTHER_KEY]);
    // The key that did read it still gets its stale copy.
    expect(freshnessOf(await t.query(SYNC_FRESHNESS, { id: ID }))?.stale).toBe(true);
    expect(t.sim.statusCalls()).toBe(3);
  });

  it('mixes stale, fresh and failed entries in one bulkSyncs answer', async () => {
    const { t, fetchedAt } = await primed();
    const fresh = syncId(2);
    t.sim.addSync(fresh, envelope({ recordCount: 2 }));
    t.sim.inject({ kind: 'status', status: 503 }, { syncId: ID, times: 1 });
    t.sim.inject({ kind: 'status', status: 503 }, { syncId: SIM_SYNCS.orders, times: 1 });
    const res = await t.query(STATUSES, { ids: [ID, fresh, SIM_SYNCS.orders] });
    const list = res.body.data?.['bulkSyncs'] as ({ id: string; status: FreshnessView } | null)[];
    expect(list[0]?.status).toEqual({
      fetchedAt,
      stale: true,
      currentExecution: { recordCount: 7 },
    });
    expect(list[1]?.status.stale).toBe(false);
    expect(list[1]?.status.currentExecution).toEqual({ recordCount: 2 });
    expect(list[2]).toBeNull();
    expect(res.body.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([
      ['UPSTREAM_UNAVAILABLE', ['bulkSyncs', 2]],
    ]);
    expect(t.sim.statusCalls()).toBe(4);
  });

  it.each([
    ['unset (the default)', undefined],
    ['0', '0'],
  ])('is off with STALE_IF_ERROR_MS %s: UPSTREAM_UNAVAILABLE, RATE_LIMITED', async (_, value) => {
    const { t } = await primed({ STALE_IF_ERROR_MS: value });
    t.sim.inject({ kind: 'status', status: 503 }, { syncId: ID, times: 1 });
    t.sim.inject({ kind: 'status', status: 429 }, { syncId: ID, times: 1 });
    const unavailable = await t.query(SYNC_FRESHNESS, { id: ID });
    expect(unavailable.body.data).toEqual({ bulkSync: null });
    expect(errorCodes(unavailable)).toEqual(['UPSTREAM_UNAVAILABLE']);
    const limited = await t.query(SYNC_FRESHNESS, { id: ID });
    expect(limited.body.data).toEqual({ bulkSync: null });
    expect(errorCodes(limited)).toEqual(['RATE_LIMITED']);
    expect(t.sim.statusCalls()).toBe(3);
  });

  it('stops standing in once the last good status is older than STALE_IF_ERROR_MS', async () => {
    const { t } = await primed({ STALE_IF_ERROR_MS: '150' });
    // Past STALE_IF_ERROR_MS (a real wait: the store's clock is the real one).
    await sleep(200);
    t.sim.inject({ kind: 'status', status: 503 }, { syncId: ID, times: 1 });
    const res = await t.query(SYNC_FRESHNESS, { id: ID });
    expect(errorCodes(res)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  it('with a small CACHE_TTL_MS: a stale answer is never cached, so recovery is seen at once', async () => {
    const { t, fetchedAt } = await primed({ CACHE_TTL_MS: '100' });
    // Past CACHE_TTL_MS (a real wait: the cache's clock is the real one).
    await sleep(120);
    t.sim.setStatus(ID, envelope({ recordCount: 9 }));
    t.sim.inject({ kind: 'status', status: 503 }, { syncId: ID, times: 1 });
    const stale = await t.query(SYNC_FRESHNESS, { id: ID });
    expect(freshnessOf(stale)?.stale).toBe(true);
    expect(freshnessOf(stale)?.fetchedAt).toBe(fetchedAt);
    const fresh = await t.query(SYNC_FRESHNESS, { id: ID });
    expect(freshnessOf(fresh)?.stale).toBe(false);
    expect(freshnessOf(fresh)?.currentExecution?.recordCount).toBe(9);
    expect(t.sim.statusCalls()).toBe(3);
  });
});
