import { describe, expect, it } from 'vitest';
import { SIM_OTHER_KEY, SIM_SYNCS } from '../../../../tools/simulator/index.js';
import { scrape, seriesValue } from '../../../utils/metrics.js';
import { startTestApp, type TestApp } from '../../../utils/test-app.js';
import { sleep } from '../../../utils/wait.js';

const ORDERS = SIM_SYNCS.orders;
const BY_STATUS = /* GraphQL */ `query ($id: ID!) { bulkSync(id: $id) { id status { currentExecution { status } } } }`;
const BY_COUNT = /* GraphQL */ `query ($id: ID!) { bulkSync(id: $id) { id status { currentExecution { recordCount } } } }`;

async function cacheCount(t: TestApp, result: 'hit' | 'miss'): Promise<number> {
  return seriesValue(await scrape(t), `gateway_response_cache_total{result="${result}"}`) ?? 0;
}

describe('response cache (CACHE_TTL_MS > 0)', () => {
  it('answers a repeated query from the cache with no upstream call and the same data', async () => {
    const t = await startTestApp({ CACHE_TTL_MS: '60000' });
    const first = await t.query(BY_STATUS, { id: ORDERS });
    t.sim.advance(5000); // the simulated sync moves on; the cached answer must not
    const second = await t.query(BY_STATUS, { id: ORDERS });
    expect(second.body).toEqual(first.body);
    expect(t.sim.statusCalls()).toBe(1);
    expect(await cacheCount(t, 'hit')).toBe(1);
    expect(await cacheCount(t, 'miss')).toBe(1);
  });

  it('keys entries by credential: another key gets its own upstream call', async () => {
    const t = await startTestApp({ CACHE_TTL_MS: '60000' });
    await t.query(BY_STATUS, { id: ORDERS });
    const other = await t.query(
      BY_STATUS,
      { id: ORDERS },
      { authorization: `Bearer ${SIM_OTHER_KEY}` },
    );
    expect(other.body.errors).toBeUndefined();
    expect(t.sim.statusCalls()).toBe(2);
    expect(t.sim.requests.map((r) => r.headers['authorization'])).toEqual([
      'Bearer sim_demo_key',
      'Bearer sim_other_key',
    ]);
  });

  it('never caches a result with errors', async () => {
    const t = await startTestApp({ CACHE_TTL_MS: '60000' });
    const missing = '0a0a0a0a-0000-4000-8000-000000000001';
    await t.query(BY_STATUS, { id: missing });
    const again = await t.query(BY_STATUS, { id: missing });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(t.sim.statusCalls()).toBe(2);
  });

  it('expires an entry CACHE_TTL_MS after its oldest status was fetched, not after it was built', async () => {
    const t = await startTestApp({ CACHE_TTL_MS: '400' });
    await t.query(BY_STATUS, { id: ORDERS }); // fetches at t0
    // Real waits: the cache's TTL runs on the real clock.
    await sleep(250);
    // A new shape at t0+250 is built from the status cache (fetched at t0): no upstream call,
    // and its response may live only until t0+400.
    await t.query(BY_COUNT, { id: ORDERS });
    expect(t.sim.statusCalls()).toBe(1);
    await sleep(200);
    // t0+450: past the status's lifetime, although the response was built only 200 ms ago.
    await t.query(BY_COUNT, { id: ORDERS });
    expect(t.sim.statusCalls()).toBe(2);
  });

  it('is off with CACHE_TTL_MS=0: every query reaches Polytomic', async () => {
    const t = await startTestApp({ CACHE_TTL_MS: '0' });
    await t.query(BY_STATUS, { id: ORDERS });
    await t.query(BY_STATUS, { id: ORDERS });
    expect(t.sim.statusCalls()).toBe(2);
    expect(await cacheCount(t, 'hit')).toBe(0);
  });
});
