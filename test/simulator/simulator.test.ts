import { Buffer } from 'node:buffer';
import { Agent, get as httpGet } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSimulator,
  SIM_CATALOGUE_SYNCS,
  SIM_DEPLOYMENT_KEY,
  SIM_ORG_ID,
  SIM_OTHER_KEY,
  SIM_SYNCS,
  TRUNCATED_BODY,
} from '../../tools/simulator/index.js';
import { boot, get, shutdown } from './helpers.js';

afterEach(shutdown);

const ORDERS_STATUS = `/api/bulk/syncs/${SIM_SYNCS.orders}/status`;
const NOT_FOUND = '{"status":404,"message":"bulk sync not found","key":"not_found","metadata":{}}';
const NEW_SYNC = '0a0a0a0a-0000-4000-8000-00000000beef';

describe('auth and routing', () => {
  it('answers 401 without a known credential', async () => {
    const sim = await boot();
    for (const key of [null, 'nope']) {
      const res = await get(sim, ORDERS_STATUS, { key });
      expect(res.status).toBe(401);
      expect(await res.text()).toBe('{"status":401,"message":"unauthorized"}');
    }
  });

  it('accepts the on-prem Basic pair and rejects a wrong one', async () => {
    const sim = await boot();
    const basic = (pair: string) => ({
      authorization: `Basic ${Buffer.from(pair).toString('base64')}`,
    });
    const ok = await get(sim, ORDERS_STATUS, {
      key: null,
      headers: basic(`${SIM_ORG_ID}:${SIM_DEPLOYMENT_KEY}`),
    });
    expect(ok.status).toBe(200);
    const bad = await get(sim, ORDERS_STATUS, { key: null, headers: basic(`${SIM_ORG_ID}:wrong`) });
    expect(bad.status).toBe(401);
  });

  it('hides syncs the other key cannot see', async () => {
    const sim = await boot();
    expect((await get(sim, ORDERS_STATUS, { key: SIM_OTHER_KEY })).status).toBe(200);
    const hidden = await get(sim, `/api/bulk/syncs/${SIM_SYNCS.invoices}/status`, {
      key: SIM_OTHER_KEY,
    });
    expect(hidden.status).toBe(404);
    expect(await hidden.text()).toBe(NOT_FOUND);
    const list = (await (await get(sim, '/api/bulk/syncs', { key: SIM_OTHER_KEY })).json()) as {
      data: { id: string }[];
    };
    expect(list.data.map((s) => s.id)).toEqual([SIM_SYNCS.orders, SIM_SYNCS.cdc]);
  });

  it('answers 404, 400 and 405 with ApiError bodies', async () => {
    const sim = await boot();
    const missing = await get(sim, `/api/bulk/syncs/${NEW_SYNC}/status`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe(NOT_FOUND);
    const invalid = await get(sim, '/api/bulk/syncs/not-a-uuid/status');
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ status: 400, key: 'bad_request' });
    const post = await fetch(`${sim.url}${ORDERS_STATUS}`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('echoes X-Polytomic-Version and defaults to 2025-09-18', async () => {
    const sim = await boot();
    const pinned = await get(sim, ORDERS_STATUS, {
      headers: { 'x-polytomic-version': '2024-02-08' },
    });
    expect(pinned.headers.get('x-polytomic-version')).toBe('2024-02-08');
    expect((await get(sim, ORDERS_STATUS)).headers.get('x-polytomic-version')).toBe('2025-09-18');
  });

  it('lists syncs and filters by active', async () => {
    const sim = await boot();
    const res = await get(sim, '/api/bulk/syncs?active=false');
    const body = (await res.json()) as { data: { id: string; active: boolean }[] };
    // The catalogue has two paused syncs; the one paused more recently comes first.
    expect(body.data).toEqual([
      expect.objectContaining({ id: SIM_CATALOGUE_SYNCS.salesforceRedshift, active: false }),
      expect.objectContaining({ id: SIM_SYNCS.unknown, active: false }),
    ]);
  });
});

describe('programmable state', () => {
  it('overrides and restores a status', async () => {
    const sim = await boot();
    sim.setStatus(SIM_SYNCS.orders, '{"data":{}}');
    expect(await (await get(sim, ORDERS_STATUS)).text()).toBe('{"data":{}}');
    sim.setStatus(SIM_SYNCS.orders, { data: { next_execution_time: null } });
    expect(await (await get(sim, ORDERS_STATUS)).json()).toEqual({
      data: { next_execution_time: null },
    });
    sim.clearStatus(SIM_SYNCS.orders);
    expect(await (await get(sim, ORDERS_STATUS)).json()).toHaveProperty('data.current_execution');
    expect(() => sim.setStatus(NEW_SYNC, '{}')).toThrow(/unknown sync/);
  });

  it('adds syncs and keys', async () => {
    const sim = await boot();
    sim.addSync(NEW_SYNC, { data: {} }, { keys: [SIM_OTHER_KEY] });
    sim.addKey('tenant_key', [NEW_SYNC]);
    const path = `/api/bulk/syncs/${NEW_SYNC}/status`;
    expect(await (await get(sim, path, { key: SIM_OTHER_KEY })).json()).toEqual({ data: {} });
    expect((await get(sim, path, { key: 'tenant_key' })).status).toBe(200);
    expect((await get(sim, ORDERS_STATUS, { key: 'tenant_key' })).status).toBe(404);
  });
});

describe('faults', () => {
  it('answers an injected status with headers, only `times` times', async () => {
    const sim = await boot();
    sim.inject({ kind: 'status', status: 429, headers: { 'retry-after': '1' } }, { times: 1 });
    const limited = await get(sim, ORDERS_STATUS);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await limited.json()).toEqual({
      status: 429,
      message: 'too many requests',
      key: 'too_many_requests',
      metadata: {},
    });
    expect((await get(sim, ORDERS_STATUS)).status).toBe(200);
  });

  it('sends a non-ApiError body and scopes faults to one sync', async () => {
    const sim = await boot();
    const body = { code: 401, error: 'unauthorized', status: 'Unauthorized', context: {} };
    sim.inject({ kind: 'status', status: 401, body }, { syncId: SIM_SYNCS.invoices });
    expect((await get(sim, ORDERS_STATUS)).status).toBe(200);
    const res = await get(sim, `/api/bulk/syncs/${SIM_SYNCS.invoices}/status`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(body);
  });

  it('queues faults first in, first out', async () => {
    const sim = await boot();
    sim.inject({ kind: 'status', status: 503 }, { times: 2 });
    sim.inject({ kind: 'malformed', body: '[]' }, { times: 1 });
    const seen = [];
    for (let i = 0; i < 4; i += 1) seen.push((await get(sim, ORDERS_STATUS)).status);
    expect(seen).toEqual([503, 503, 200, 200]);
    sim.inject({ kind: 'status', status: 500 });
    sim.clearFaults();
    expect((await get(sim, ORDERS_STATUS)).status).toBe(200);
  });

  it('sends malformed bodies', async () => {
    const sim = await boot();
    sim.inject({ kind: 'malformed' }, { times: 1 });
    sim.inject({ kind: 'malformed', body: '{"data": 42}' }, { times: 1 });
    const truncated = await get(sim, ORDERS_STATUS);
    expect(truncated.status).toBe(200);
    expect(await truncated.text()).toBe(TRUNCATED_BODY);
    expect(await (await get(sim, ORDERS_STATUS)).text()).toBe('{"data": 42}');
  });

  it('resets the connection', async () => {
    const sim = await boot();
    sim.inject({ kind: 'reset' });
    await expect(get(sim, ORDERS_STATUS)).rejects.toThrow(TypeError);
  });

  it('hangs until the client gives up', async () => {
    const sim = await boot();
    sim.inject({ kind: 'hang' });
    const request = get(sim, ORDERS_STATUS, { signal: AbortSignal.timeout(150) });
    await expect(request).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('delays the answer and delays the body', async () => {
    const sim = await boot();
    sim.inject({ kind: 'delay', ms: 200 }, { times: 1 });
    sim.inject({ kind: 'slowBody', ms: 300 }, { times: 1 });
    let start = performance.now();
    expect((await get(sim, ORDERS_STATUS)).status).toBe(200);
    expect(performance.now() - start).toBeGreaterThanOrEqual(190);
    start = performance.now();
    const slow = await get(sim, ORDERS_STATUS);
    expect(performance.now() - start).toBeLessThan(250);
    expect(await slow.json()).toHaveProperty('data.current_execution');
    expect(performance.now() - start).toBeGreaterThanOrEqual(290);
  });

  it('trickles the body in parts, each a while after the last', async () => {
    const sim = await boot();
    sim.inject({ kind: 'trickle', chunks: 4, everyMs: 100 }, { times: 1 });
    const start = performance.now();
    const response = await get(sim, ORDERS_STATUS);
    expect(performance.now() - start).toBeLessThan(90);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const arrivals: number[] = [];
    let text = '';
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      arrivals.push(performance.now() - start);
      text += Buffer.from(part.value).toString();
    }
    expect(arrivals).toHaveLength(4);
    expect(arrivals.map((at, i) => at >= 95 * (i + 1))).toEqual([true, true, true, true]);
    expect(JSON.parse(text)).toHaveProperty('data.current_execution');
  });
});

describe('recording and lifecycle', () => {
  it('records requests and counts status calls', async () => {
    const sim = await boot();
    await get(sim, ORDERS_STATUS, { headers: { 'x-polytomic-version': '2024-02-08' } });
    await get(sim, ORDERS_STATUS);
    await get(sim, `/api/bulk/syncs/${SIM_SYNCS.idle}/status`, { key: null });
    await get(sim, '/api/bulk/syncs');
    expect(sim.statusCalls()).toBe(3);
    expect(sim.statusCalls(SIM_SYNCS.orders)).toBe(2);
    expect(sim.requests).toHaveLength(4);
    expect(sim.requests[0]).toMatchObject({
      method: 'GET',
      path: ORDERS_STATUS,
      syncId: SIM_SYNCS.orders,
      at: sim.startedAt,
    });
    expect(sim.requests[0]?.headers['x-polytomic-version']).toBe('2024-02-08');
    expect(sim.requests[3]).not.toHaveProperty('syncId');
    sim.resetRequests();
    expect(sim.requests).toHaveLength(0);
    expect(sim.statusCalls()).toBe(0);
  });

  it('keeps a bounded log of the latest requests, and exact counts of all of them', async () => {
    const sim = await boot({ requestLogSize: 3 });
    const paths = [ORDERS_STATUS, `/api/bulk/syncs/${SIM_SYNCS.idle}/status`, '/api/bulk/syncs'];
    for (let n = 0; n < 10; n++) await get(sim, paths[n % 3] as string);
    // 10 requests: the log drops to the latest 3 whenever it holds twice that (at the 6th, the 9th).
    expect(sim.requests.map((r) => r.path)).toEqual([paths[0], paths[1], paths[2], paths[0]]);
    expect(sim.statusCalls()).toBe(7);
    expect(sim.statusCalls(SIM_SYNCS.orders)).toBe(4);
    expect(sim.statusCalls(SIM_SYNCS.idle.toUpperCase())).toBe(3);
  });

  it('refuses a request log size that is not a positive integer', () => {
    for (const size of [0, -1, 1.5]) {
      expect(() => createSimulator({ requestLogSize: size })).toThrow(
        `requestLogSize must be a positive integer, got ${size}`,
      );
    }
  });

  it('reuses keep-alive sockets and closes them, hung requests included', async () => {
    const sim = await boot();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const reused = (): Promise<boolean> =>
      new Promise((resolve, reject) => {
        const req = httpGet(`${sim.url}/api/bulk/syncs`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(req.reusedSocket));
        });
        req.on('error', reject);
      });
    expect(await reused()).toBe(false);
    expect(await reused()).toBe(true);
    sim.inject({ kind: 'hang' });
    const hung = get(sim, ORDERS_STATUS);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sim.close();
    await expect(hung).rejects.toThrow(TypeError);
    agent.destroy();
  });
});
