import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  SIM_CATALOGUE_SYNCS as CAT,
  IDEMPOTENCY_TTL_MS,
  SIM_MANUAL_RUN,
  SIM_OTHER_KEY,
  SIM_SYNCS,
  type Simulator,
} from '../../tools/simulator/index.js';
import { at, boot, get, type PostOptions, post, shutdown, status } from './helpers.js';

afterEach(shutdown);

const MANUAL = CAT.hubspotSnowflake;
const START = `/api/bulk/syncs/${MANUAL}/executions`;

/** POSTs and reads status, body text and the replay header. */
async function send(sim: Simulator, path: string, options: PostOptions = {}) {
  const res = await post(sim, path, options);
  return {
    status: res.status,
    text: await res.text(),
    replayed: res.headers.get('idempotent-replayed'),
  };
}

function apiError(status: number, message: string, key: string): string {
  return JSON.stringify({ status, message, key, metadata: {} });
}

const IN_USE = apiError(
  409,
  'a request with this Idempotency-Key is still being processed',
  'idempotency_key_in_use',
);

describe('Idempotency-Key', () => {
  it('replays the first outcome exactly and does not act twice', async () => {
    const sim = await boot();
    const first = await send(sim, START, { idempotencyKey: 'start-0001', body: {} });
    expect(first).toMatchObject({ status: 200, replayed: null });
    at(5_000);
    const again = await send(sim, START, { idempotencyKey: 'start-0001', body: {} });
    expect(again).toEqual({ status: 200, text: first.text, replayed: 'true' });
    // The run is running now, not `created` as the replayed body says: it is the first answer.
    const run = (await status(sim, MANUAL)).data?.current_execution;
    expect(run).toMatchObject({ id: JSON.parse(first.text).data.id, status: 'running' });
    expect(sim.calls('start')).toBe(2);
  });

  it('replays a 503 injected on the first request, and acts on a new key', async () => {
    const sim = await boot();
    sim.inject({ kind: 'status', status: 503 }, { route: 'start', times: 1 });
    const unavailable = apiError(503, 'service unavailable', 'service_unavailable');
    const first = await send(sim, START, { idempotencyKey: 'retry-me-1', body: {} });
    expect(first).toEqual({ status: 503, text: unavailable, replayed: null });
    const again = await send(sim, START, { idempotencyKey: 'retry-me-1', body: {} });
    expect(again).toEqual({ status: 503, text: unavailable, replayed: 'true' });
    expect((await status(sim, MANUAL)).data).not.toHaveProperty('current_execution');
    expect((await send(sim, START, { idempotencyKey: 'retry-me-2', body: {} })).status).toBe(200);
  });

  it('replays a conflict too, even once the run it met is over', async () => {
    const sim = await boot();
    expect((await send(sim, START)).status).toBe(200);
    const conflict = await send(sim, START, { idempotencyKey: 'second-start' });
    expect(conflict.status).toBe(409);
    at(SIM_MANUAL_RUN.totalMs);
    expect(await send(sim, START, { idempotencyKey: 'second-start' })).toEqual({
      ...conflict,
      replayed: 'true',
    });
  });

  it('answers 409 to a duplicate that arrives while the first is still being answered', async () => {
    const sim = await boot();
    sim.inject({ kind: 'delay', ms: 300 }, { route: 'start', times: 1 });
    const first = send(sim, START, { idempotencyKey: 'slow-start-1', body: {} });
    await vi.waitFor(() => expect(sim.calls('start')).toBe(1));
    const duplicate = await send(sim, START, { idempotencyKey: 'slow-start-1', body: {} });
    expect(duplicate).toEqual({ status: 409, text: IN_USE, replayed: null });
    const answer = await first;
    expect(answer.status).toBe(200);
    expect(await send(sim, START, { idempotencyKey: 'slow-start-1', body: {} })).toEqual({
      ...answer,
      replayed: 'true',
    });
  });

  it('frees the key of a request that hung or was reset: it never reached Polytomic', async () => {
    const sim = await boot();
    sim.inject({ kind: 'hang' }, { route: 'start', times: 1 });
    sim.inject({ kind: 'reset' }, { route: 'start', times: 1 });
    const hung = send(sim, START, {
      idempotencyKey: 'lost-one-1',
      signal: AbortSignal.timeout(100),
    });
    await expect(hung).rejects.toMatchObject({ name: 'TimeoutError' });
    await expect(send(sim, START, { idempotencyKey: 'lost-one-1' })).rejects.toThrow(TypeError);
    expect(await send(sim, START, { idempotencyKey: 'lost-one-1' })).toMatchObject({
      status: 200,
      replayed: null,
    });
  });

  it('refuses a malformed key with 400 and acts on none of them', async () => {
    const sim = await boot();
    const invalid = apiError(
      400,
      'Idempotency-Key must be 8 to 255 letters, digits, _ or -',
      'invalid_idempotency_key',
    );
    for (const key of ['short-7', 'has space', 'dots.are.out', 'x'.repeat(256)]) {
      expect(await send(sim, START, { idempotencyKey: key })).toEqual({
        status: 400,
        text: invalid,
        replayed: null,
      });
    }
    expect((await status(sim, MANUAL)).data).not.toHaveProperty('current_execution');
    expect((await send(sim, START, { idempotencyKey: 'Ab_-0123' })).status).toBe(200);
    const longest = `/api/bulk/syncs/${CAT.mysqlBigquery}/executions`;
    expect((await send(sim, longest, { idempotencyKey: 'k'.repeat(255) })).status).toBe(200);
  });

  it('keeps keys per credential, and a key to one endpoint', async () => {
    const sim = await boot();
    at(5_000);
    const cancel = `/api/bulk/syncs/${SIM_SYNCS.orders}/cancel`;
    const mine = await send(sim, cancel, { idempotencyKey: 'cancel-orders' });
    expect(mine.text).toMatch(/"cancellation of execution [0-9a-f-]+ requested"/);
    const theirs = await send(sim, cancel, { idempotencyKey: 'cancel-orders', key: SIM_OTHER_KEY });
    expect(theirs).toEqual({
      status: 200,
      text: '{"data":{"message":"cancellation already requested"}}',
      replayed: null,
    });
    expect(await send(sim, cancel, { idempotencyKey: 'cancel-orders' })).toEqual({
      ...mine,
      replayed: 'true',
    });
    const reused = apiError(
      422,
      'this Idempotency-Key was already used for a different request',
      'idempotency_key_reused',
    );
    const activate = `/api/bulk/syncs/${SIM_SYNCS.orders}/activate`;
    const elsewhere = await send(sim, activate, {
      idempotencyKey: 'cancel-orders',
      body: { active: true },
    });
    expect(elsewhere).toEqual({ status: 422, text: reused, replayed: null });
    const otherSync = `/api/bulk/syncs/${SIM_SYNCS.cdc}/cancel`;
    expect((await send(sim, otherSync, { idempotencyKey: 'cancel-orders' })).status).toBe(422);
  });

  it('does not keep the answer to a request without a valid credential', async () => {
    const sim = await boot();
    expect((await send(sim, START, { idempotencyKey: 'who-am-i-1', key: null })).status).toBe(401);
    expect((await send(sim, START, { idempotencyKey: 'who-am-i-1', key: 'nope' })).status).toBe(
      401,
    );
    expect(await send(sim, START, { idempotencyKey: 'who-am-i-1' })).toMatchObject({
      status: 200,
      replayed: null,
    });
  });

  it('forgets a key after 24 hours on the simulator clock', async () => {
    const sim = await boot();
    const first = await send(sim, START, { idempotencyKey: 'daily-start' });
    at(IDEMPOTENCY_TTL_MS - 1);
    expect((await send(sim, START, { idempotencyKey: 'daily-start' })).replayed).toBe('true');
    at(IDEMPOTENCY_TTL_MS);
    const later = await send(sim, START, { idempotencyKey: 'daily-start' });
    expect(later).toMatchObject({ status: 200, replayed: null });
    expect(later.text).not.toBe(first.text);
  });

  it('keeps at most idempotencyKeyLimit keys, dropping the oldest first', async () => {
    const sim = await boot({ idempotencyKeyLimit: 2 });
    const activate = `/api/bulk/syncs/${MANUAL}/activate`;
    for (const key of ['key-one-1', 'key-two-2', 'key-three-3']) {
      await send(sim, activate, { idempotencyKey: key, body: { active: true } });
    }
    const replayed = async (key: string) =>
      (await send(sim, activate, { idempotencyKey: key, body: { active: true } })).replayed;
    expect(await replayed('key-three-3')).toBe('true');
    expect(await replayed('key-one-1')).toBeNull();
  });

  it('ignores the header on a GET', async () => {
    const sim = await boot();
    const headers = { 'idempotency-key': 'bad key' };
    expect((await get(sim, `/api/bulk/syncs/${MANUAL}`, { headers })).status).toBe(200);
  });
});
