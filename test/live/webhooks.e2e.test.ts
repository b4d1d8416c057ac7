import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_BURST, WEBHOOK_MAX_BYTES } from '../../src/http/webhooks.js';
import { envelope, syncId } from '../fixtures/status.js';
import { startLiveGateway } from '../utils/live.js';
import { metric } from '../utils/metrics.js';
import { SUB_COUNT } from '../utils/operations.js';
import { until } from '../utils/wait.js';
import { watch } from '../utils/ws.js';

// Polytomic's webhook: src/http/webhooks.ts. A verified event is a hint to poll, nothing more.

const SECRET = 'webhook-secret-1';
const WEBHOOK_ENV = { POLYTOMIC_EVENTS: 'webhook', POLYTOMIC_WEBHOOK_SECRET: SECRET };

const hmac = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body);
const eventBody = (id: string, type = 'bulk_sync.running') =>
  JSON.stringify({
    id: '7b0f5c3e-1111-4000-8000-000000000001',
    organization_id: '7b0f5c3e-2222-4000-8000-000000000002',
    type,
    created_at: new Date().toISOString(),
    event: { sync_id: id, execution_id: '7b0f5c3e-3333-4000-8000-000000000003', sync_name: 'x' },
  });

/** A gateway in webhook mode with one idle sync watched, and a way to post to it. */
async function watchedSync() {
  const live = await startLiveGateway(WEBHOOK_ENV);
  const id = syncId(1);
  live.t.sim.addSync(id, envelope({ status: 'completed' }));
  const w = watch(live.open(), SUB_COUNT, { id });
  await until(() => w.events.length === 1 && live.t.sim.statusCalls() === 1);
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${live.url}/webhooks/polytomic`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  /** Fires every timer due now (a poll the webhook asked for), and waits for its call. */
  const settle = async (calls: number) => {
    live.scheduler.advance(0);
    await until(() => live.t.sim.statusCalls() === calls && live.scheduler.busy() === 0);
  };
  return { ...live, id, w, post, settle };
}

const webhooks = (t: Parameters<typeof metric>[0], result: string) =>
  metric(t, `gateway_webhooks_total{result="${result}"}`);

describe('POST /webhooks/polytomic', () => {
  it('a verified bulk sync event (hex or base64 HMAC-SHA256) makes exactly one poll', async () => {
    const g = await watchedSync();
    const body = eventBody(g.id);
    const hex = await g.post(body, { 'polytomic-signature': hmac(body).digest('hex') });
    expect(hex.status).toBe(202);
    await g.settle(2);
    expect(g.t.sim.statusCalls()).toBe(2);

    // base64, with the sha256= prefix, after the 500 ms spacing of event polls.
    await new Promise((resolve) => setTimeout(resolve, 550));
    const b64 = await g.post(body, {
      'polytomic-signature': `sha256=${hmac(body).digest('base64')}`,
    });
    expect(b64.status).toBe(202);
    await g.settle(3);
    expect(await webhooks(g.t, 'accepted')).toBe(2);
    expect(await metric(g.t, 'polytomic_upstream_calls_by_reason_total{reason="webhook"}')).toBe(2);
  });

  it('refuses unsigned and badly signed posts with 401, and polls nothing', async () => {
    const g = await watchedSync();
    const body = eventBody(g.id);
    const cases: Record<string, string>[] = [
      {},
      { 'polytomic-signature': hmac(body, 'another-secret').digest('hex') },
      { 'polytomic-signature': hmac(`${body} `).digest('hex') },
      { 'polytomic-signature': 'not a signature' },
    ];
    const statuses: number[] = [];
    for (const headers of cases) statuses.push((await g.post(body, headers)).status);
    expect(statuses).toEqual([401, 401, 401, 401]);
    await g.settle(1);
    expect(g.t.sim.statusCalls()).toBe(1);
    expect(await webhooks(g.t, 'unsigned')).toBe(1);
    expect(await webhooks(g.t, 'bad_signature')).toBe(3);
  });

  it('1,000 forged posts: the first burst gets 401, the rest 429, and not one poll', async () => {
    const g = await watchedSync();
    const body = eventBody(g.id);
    const forged = { 'polytomic-signature': hmac(body, 'guessed-secret').digest('hex') };
    const statuses = await Promise.all(
      Array.from({ length: 1000 }, () => g.post(body, forged).then((r) => r.status)),
    );
    const count = (status: number) => statuses.filter((s) => s === status).length;
    // The bucket refills at 20 a second while the posts arrive: a few more than the burst.
    expect(count(401)).toBeGreaterThanOrEqual(WEBHOOK_BURST);
    expect(count(401)).toBeLessThan(WEBHOOK_BURST + 40);
    expect(count(401) + count(429)).toBe(1000);
    await g.settle(1);
    expect(g.t.sim.statusCalls()).toBe(1);
  });

  it('answers 202 without a poll for another event type or an unwatched sync; 413 and 405', async () => {
    const g = await watchedSync();
    const signed = (body: string) => ({ 'polytomic-signature': hmac(body).digest('hex') });
    const model = eventBody(g.id, 'sync.running');
    expect((await g.post(model, signed(model))).status).toBe(202);
    const other = eventBody(syncId(2));
    expect((await g.post(other, signed(other))).status).toBe(202);
    const huge = 'x'.repeat(WEBHOOK_MAX_BYTES + 1);
    expect((await g.post(huge, signed(huge))).status).toBe(413);
    const get = await fetch(`${g.url}/webhooks/polytomic`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    await g.settle(1);
    expect(g.t.sim.statusCalls()).toBe(1);
    expect(await webhooks(g.t, 'ignored')).toBe(1);
    expect(await webhooks(g.t, 'accepted')).toBe(1);
    expect(await webhooks(g.t, 'too_large')).toBe(1);
  });

  it('is not served unless POLYTOMIC_EVENTS=webhook', async () => {
    const { url } = await startLiveGateway();
    const response = await fetch(`${url}/webhooks/polytomic`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });
});
