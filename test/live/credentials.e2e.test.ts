import { describe, expect, it } from 'vitest';
import { SIM_KEY, SIM_OTHER_KEY, SIM_SYNCS } from '../../tools/simulator/index.js';
import { envelope } from '../fixtures/status.js';
import { round, startLiveGateway } from '../utils/live.js';
import { metric } from '../utils/metrics.js';
import { codeOf, executionOf, SUB_COUNT } from '../utils/operations.js';
import { until } from '../utils/wait.js';
import { ended, sentinel, watch, webSocketWithHeaders } from '../utils/ws.js';

const NO_SERVICE_KEY = { POLYTOMIC_API_KEY: undefined };
const DEMO = `Bearer ${SIM_KEY}`;
const OTHER = `Bearer ${SIM_OTHER_KEY}`;
const NO_CREDENTIAL =
  'No usable credential: send an Authorization header of printable characters, or configure a service credential.';

describe('WebSocket credentials', () => {
  it('fails an operation with no credential anywhere with UNAUTHENTICATED, socket kept open', async () => {
    const { t, open } = await startLiveGateway(NO_SERVICE_KEY);
    const closed: number[] = [];
    // Not lazy: a lazy client closes its socket itself (1000) once no operation is left.
    const client = open({
      lazy: false,
      on: { closed: (event) => closed.push((event as { code: number }).code) },
    });
    const w = watch(client, SUB_COUNT, { id: SIM_SYNCS.orders });
    await ended(w);
    expect(w.events.map(codeOf)).toEqual(['UNAUTHENTICATED']);
    expect(w.events[0]?.errors?.[0]?.message).toBe(NO_CREDENTIAL);
    expect(w.completed).toBe(true);
    expect(w.error).toBeUndefined();
    // A close code would not say why, and graphql-ws clients retry 4403 as a network failure.
    // A close after the error would have come before the sentinel's answer.
    await sentinel(client);
    expect(closed).toEqual([]);
    expect(t.sim.statusCalls()).toBe(0);
  });

  it('refuses a credential no HTTP header can carry, without the service key and without a call', async () => {
    // A service key is configured: a bad client credential must not fall back to it.
    const { t, open } = await startLiveGateway();
    for (const authorization of ['Bearer x\r\nX-Evil: 1', 'Bearer ключ']) {
      const w = watch(open({ connectionParams: { authorization } }), SUB_COUNT, {
        id: SIM_SYNCS.orders,
      });
      await ended(w);
      expect(w.events.map(codeOf)).toEqual(['UNAUTHENTICATED']);
      expect(w.events[0]?.errors?.[0]?.message).toBe(NO_CREDENTIAL);
    }
    expect(t.sim.statusCalls()).toBe(0);
    expect(await metric(t, 'polytomic_upstream_breaker_state')).toBe(0);
  });

  it('accepts connectionParams.authorization and forwards it exactly', async () => {
    const { t, open } = await startLiveGateway(NO_SERVICE_KEY);
    t.sim.setStatus(SIM_SYNCS.orders, envelope({ recordCount: 1 }));
    const w = watch(open({ connectionParams: { authorization: DEMO } }), SUB_COUNT, {
      id: SIM_SYNCS.orders,
    });
    await until(() => w.events.length === 1);
    expect(executionOf(w.events[0])).toEqual({ recordCount: 1 });
    expect(t.sim.requests.map((r) => r.headers['authorization'])).toEqual([DEMO]);
  });

  it('accepts the Authorization header of the upgrade request', async () => {
    const { t, open } = await startLiveGateway(NO_SERVICE_KEY);
    t.sim.setStatus(SIM_SYNCS.orders, envelope({ recordCount: 1 }));
    const client = open({ webSocketImpl: webSocketWithHeaders({ authorization: DEMO }) });
    const w = watch(client, SUB_COUNT, { id: SIM_SYNCS.orders });
    await until(() => w.events.length === 1);
    expect(t.sim.requests.map((r) => r.headers['authorization'])).toEqual([DEMO]);
  });

  it('prefers connectionParams over the upgrade header, and both over the service key', async () => {
    const { t, open } = await startLiveGateway();
    t.sim.setStatus(SIM_SYNCS.orders, envelope({ recordCount: 1 }));
    const client = open({
      connectionParams: { authorization: OTHER },
      webSocketImpl: webSocketWithHeaders({ authorization: DEMO }),
    });
    const w = watch(client, SUB_COUNT, { id: SIM_SYNCS.orders });
    await until(() => w.events.length === 1);
    expect(t.sim.requests.map((r) => r.headers['authorization'])).toEqual([OTHER]);
  });
});

describe('two credentials on one sync', () => {
  it('polls once per credential per round, with no cross-talk between them', async () => {
    const live = await startLiveGateway(NO_SERVICE_KEY);
    const { t, open } = live;
    const id = SIM_SYNCS.orders;
    t.sim.setStatus(id, envelope({ recordCount: 1 }));
    const demoClient = open({ connectionParams: { authorization: DEMO } });
    const demo = watch(demoClient, SUB_COUNT, { id });
    const other = watch(open({ connectionParams: { authorization: OTHER } }), SUB_COUNT, { id });
    await until(() => demo.events.length === 1 && other.events.length === 1);
    expect(t.sim.statusCalls()).toBe(2);
    expect(t.sim.requests.map((r) => r.headers['authorization']).sort()).toEqual([DEMO, OTHER]);
    expect(live.scheduler.pending()).toHaveLength(2);

    t.sim.setStatus(id, envelope({ recordCount: 2 }));
    await round(live, 4, 2);
    await until(() => demo.events.length === 2 && other.events.length === 2);
    expect(t.sim.requests.slice(2).map((r) => r.headers['authorization'])).toHaveLength(2);
    expect(
      t.sim.requests
        .slice(2)
        .map((r) => r.headers['authorization'])
        .sort(),
    ).toEqual([DEMO, OTHER]);

    // The other key loses the sync while the body changes: only the demo key sees the change,
    // the other key's subscriber gets NOT_FOUND and ends; the demo key's poller goes on alone.
    t.sim.addKey(SIM_OTHER_KEY, []);
    t.sim.setStatus(id, envelope({ recordCount: 3 }));
    await round(live, 6, 1);
    await ended(other);
    await until(() => demo.events.length === 3);
    expect(demo.events.map(executionOf)).toEqual([1, 2, 3].map((n) => ({ recordCount: n })));
    expect(other.events.map(executionOf)).toEqual([{ recordCount: 1 }, { recordCount: 2 }, null]);
    expect(codeOf(other.events[2])).toBe('NOT_FOUND');
    expect(other.completed).toBe(true);
    expect(demo.completed).toBe(false);

    await round(live, 7, 1);
    await sentinel(demoClient);
    expect(t.sim.requests.at(-1)?.headers['authorization']).toBe(DEMO);
    expect(demo.events).toHaveLength(3);
  });
});
