import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  SIM_SYNCS,
  type Simulator,
  WEBHOOK_RETRIES,
  webhookSignature,
} from '../../tools/simulator/index.js';
import { simulatorWebhookOptions } from '../../tools/simulator/webhook-env.js';
import { at, boot, shutdown } from './helpers.js';

const SECRET = 'whsec_simulated';

/** One POST the receiver got. */
interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** `performance.now()` on arrival. */
  at: number;
}

/** A webhook endpoint that answers each POST with the next status of `answers` (then 200). */
async function receiver(answers: (number | 'destroy')[] = []) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      });
      const answer = answers.shift() ?? 200;
      if (answer === 'destroy') req.socket.destroy();
      else res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  receivers.push(close);
  return { url: `http://127.0.0.1:${port}/hooks/polytomic`, received, close };
}

let receivers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await shutdown();
  await Promise.all(receivers.map((close) => close()));
  receivers = [];
});

/** The delivery records without their clock and signature, for exact comparison. */
function attempts(sim: Simulator) {
  return sim.webhookDeliveries().map(({ at: _, signature: __, ...rest }) => rest);
}

describe('webhook deliveries', () => {
  it('POSTs each new event as JSON with a hex HMAC-SHA256 of the raw body', async () => {
    const hook = await receiver();
    const sim = await boot({ webhook: { url: hook.url, secret: SECRET } });
    const event = sim.emitEvent(SIM_SYNCS.orders, 'bulk_sync.completed');
    await sim.webhooksSettled();
    expect(hook.received).toHaveLength(1);
    const [got] = hook.received;
    expect(got?.headers['content-type']).toBe('application/json');
    const expected = createHmac('sha256', SECRET)
      .update(got?.body ?? '')
      .digest('hex');
    expect(got?.headers['polytomic-signature']).toBe(expected);
    expect(webhookSignature(got?.body ?? '', SECRET)).toBe(expected);
    expect(JSON.parse(got?.body ?? '')).toEqual(event);
    expect(sim.webhookDeliveries()).toEqual([
      {
        eventId: event.id,
        eventType: 'bulk_sync.completed',
        attempt: 1,
        status: 200,
        outcome: 'delivered',
        signature: expected,
        at: sim.now(),
      },
    ]);
  });

  it('signs in base64 when asked, and a signature with another secret does not match', async () => {
    const hook = await receiver();
    const sim = await boot({ webhook: { url: hook.url, secret: SECRET, encoding: 'base64' } });
    sim.emitEvent(SIM_SYNCS.cdc, 'bulk_sync.running');
    await sim.webhooksSettled();
    const [got] = hook.received;
    const body = got?.body ?? '';
    const signature = got?.headers['polytomic-signature'];
    expect(signature).toBe(createHmac('sha256', SECRET).update(body).digest('base64'));
    expect(signature).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(signature).not.toBe(createHmac('sha256', 'other!').update(body).digest('base64'));
  });

  it('retries a 500 with exponential backoff until a 2xx, the same body and signature', async () => {
    const hook = await receiver([500, 503, 204]);
    const sim = await boot({ webhook: { url: hook.url, secret: SECRET, retryBaseMs: 40 } });
    const event = sim.emitEvent(SIM_SYNCS.orders, 'bulk_sync.failed');
    await sim.webhooksSettled();
    const about = { eventId: event.id, eventType: 'bulk_sync.failed' };
    expect(attempts(sim)).toEqual([
      { ...about, attempt: 1, status: 500, outcome: 'failed' },
      { ...about, attempt: 2, status: 503, outcome: 'failed' },
      { ...about, attempt: 3, status: 204, outcome: 'delivered' },
    ]);
    expect(new Set(hook.received.map((r) => r.body)).size).toBe(1);
    expect(new Set(hook.received.map((r) => r.headers['polytomic-signature'])).size).toBe(1);
    const [first, second, third] = hook.received.map((r) => r.at);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(38);
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(78);
  });

  it('gives up after five retries, and records network errors without crashing', async () => {
    const hook = await receiver(Array(10).fill(500));
    const sim = await boot({ webhook: { url: hook.url, secret: SECRET, retryBaseMs: 1 } });
    sim.emitEvent(SIM_SYNCS.orders, 'bulk_sync.failed');
    await sim.webhooksSettled();
    expect(hook.received).toHaveLength(1 + WEBHOOK_RETRIES);
    expect(attempts(sim).map((a) => [a.attempt, a.status, a.outcome])).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => [n, 500, 'failed']),
    );

    // A dropped connection, then a port nobody listens on.
    const flaky = await receiver(['destroy']);
    sim.setWebhook({ url: flaky.url, secret: SECRET, retryBaseMs: 1 });
    const second = sim.emitEvent(SIM_SYNCS.orders, 'bulk_sync.running');
    await sim.webhooksSettled();
    const mine = attempts(sim).filter((a) => a.eventId === second.id);
    expect(mine).toEqual([
      {
        eventId: second.id,
        eventType: 'bulk_sync.running',
        attempt: 1,
        status: null,
        outcome: 'failed',
        error: expect.any(String),
      },
      {
        eventId: second.id,
        eventType: 'bulk_sync.running',
        attempt: 2,
        status: 200,
        outcome: 'delivered',
      },
    ]);
    await flaky.close();
    sim.setWebhook({ url: flaky.url, secret: SECRET, retryBaseMs: 1 });
    const third = sim.emitEvent(SIM_SYNCS.orders, 'bulk_sync.running');
    await sim.webhooksSettled();
    const lost = attempts(sim).filter((a) => a.eventId === third.id);
    expect(lost.map((a) => [a.attempt, a.status, a.outcome])).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => [n, null, 'failed']),
    );
    // The simulator still answers.
    expect((await fetch(`${sim.url}/api/events_types`)).status).toBe(401);
  });

  it('delivers the events the clock makes, from setStatus too, and stops when removed', async () => {
    const hook = await receiver();
    const sim = await boot();
    sim.emitEvent(SIM_SYNCS.orders, 'before.the.webhook');
    sim.setWebhook({ url: hook.url, secret: SECRET });
    at(2_000);
    // The simulator looks at the clock on its own while a webhook is set.
    await vi.waitFor(() => expect(hook.received).toHaveLength(1), { timeout: 2_000 });
    expect(JSON.parse(hook.received[0]?.body ?? '')).toMatchObject({
      type: 'bulk_sync.running',
      created_at: '2026-11-29T10:00:02.000Z',
      event: { sync_id: SIM_SYNCS.orders },
    });
    const failed = { data: { last_execution: { id: 'x', status: 'failed' } } };
    sim.setStatus(SIM_SYNCS.idle, JSON.stringify(failed));
    await sim.webhooksSettled();
    expect(hook.received.map((r) => JSON.parse(r.body).type)).toEqual([
      'bulk_sync.running',
      'bulk_sync.failed',
    ]);
    sim.setWebhook(undefined);
    sim.emitEvent(SIM_SYNCS.orders, 'after.the.webhook');
    at(60_000);
    sim.events();
    await sim.webhooksSettled();
    expect(hook.received).toHaveLength(2);
  });

  it('drops or delays deliveries on a webhook fault', async () => {
    const hook = await receiver();
    const sim = await boot({ webhook: { url: hook.url, secret: SECRET } });
    sim.injectWebhook({ kind: 'drop' }, { times: 1 });
    sim.injectWebhook({ kind: 'delay', ms: 150 }, { times: 1 });
    const dropped = sim.emitEvent(SIM_SYNCS.orders, 'one');
    await sim.webhooksSettled();
    const started = performance.now();
    sim.emitEvent(SIM_SYNCS.orders, 'two');
    await sim.webhooksSettled();
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    sim.emitEvent(SIM_SYNCS.orders, 'three');
    await sim.webhooksSettled();
    expect(hook.received.map((r) => JSON.parse(r.body).type)).toEqual(['two', 'three']);
    expect(attempts(sim)[0]).toEqual({
      eventId: dropped.id,
      eventType: 'one',
      attempt: 1,
      status: null,
      outcome: 'dropped',
    });
    // clearFaults clears webhook faults too.
    sim.injectWebhook({ kind: 'drop' });
    sim.clearFaults();
    sim.emitEvent(SIM_SYNCS.orders, 'four');
    await sim.webhooksSettled();
    expect(hook.received).toHaveLength(3);
  });

  it('stops retries at close, leaving no timer behind', async () => {
    const hook = await receiver(Array(10).fill(500));
    const sim = await boot({ webhook: { url: hook.url, secret: SECRET, retryBaseMs: 60_000 } });
    sim.emitEvent(SIM_SYNCS.orders, 'bulk_sync.failed');
    await vi.waitFor(() => expect(sim.webhookDeliveries()).toHaveLength(1));
    const started = performance.now();
    await shutdown();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(hook.received).toHaveLength(1);
  });

  it('refuses a webhook that is not a URL or has an unknown encoding', async () => {
    const sim = await boot();
    expect(() => sim.setWebhook({ url: 'not a url', secret: SECRET })).toThrow(/not a URL/);
    expect(() =>
      sim.setWebhook({ url: 'http://x.invalid', secret: SECRET, encoding: 'hex2' as 'hex' }),
    ).toThrow(/hex or base64/);
  });
});

describe('SIMULATOR_WEBHOOK_* environment', () => {
  it('reads the webhook of npm run simulator, or says what is wrong', () => {
    expect(simulatorWebhookOptions({})).toBeUndefined();
    expect(
      simulatorWebhookOptions({
        SIMULATOR_WEBHOOK_URL: 'http://127.0.0.1:9000/hook',
        SIMULATOR_WEBHOOK_SECRET: SECRET,
      }),
    ).toEqual({ url: 'http://127.0.0.1:9000/hook', secret: SECRET });
    expect(
      simulatorWebhookOptions({
        SIMULATOR_WEBHOOK_URL: 'https://hooks.example/p',
        SIMULATOR_WEBHOOK_SECRET: SECRET,
        SIMULATOR_WEBHOOK_ENCODING: 'base64',
      }),
    ).toEqual({ url: 'https://hooks.example/p', secret: SECRET, encoding: 'base64' });
    expect(simulatorWebhookOptions({ SIMULATOR_WEBHOOK_SECRET: SECRET })).toBe(
      'SIMULATOR_WEBHOOK_URL: required with SIMULATOR_WEBHOOK_SECRET',
    );
    expect(simulatorWebhookOptions({ SIMULATOR_WEBHOOK_URL: 'http://h/p' })).toBe(
      'SIMULATOR_WEBHOOK_SECRET: required with SIMULATOR_WEBHOOK_URL, 6 to 32 characters',
    );
    expect(
      simulatorWebhookOptions({
        SIMULATOR_WEBHOOK_URL: 'ftp://h/p',
        SIMULATOR_WEBHOOK_SECRET: SECRET,
      }),
    ).toBe('SIMULATOR_WEBHOOK_URL: must be an http(s) URL, got ftp://h/p');
    expect(
      simulatorWebhookOptions({
        SIMULATOR_WEBHOOK_URL: 'http://h/p',
        SIMULATOR_WEBHOOK_SECRET: SECRET,
        SIMULATOR_WEBHOOK_ENCODING: 'hex64',
      }),
    ).toBe('SIMULATOR_WEBHOOK_ENCODING: must be hex or base64, got hex64');
  });
});
