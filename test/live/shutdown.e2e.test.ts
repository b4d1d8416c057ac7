import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SIM_CATALOGUE_SYNCS, SIM_KEY } from '../../tools/simulator/index.js';
import { envelope, syncId } from '../fixtures/status.js';
import { leftover } from '../utils/leftovers.js';
import { startLive, startLiveGateway } from '../utils/live.js';
import { metric } from '../utils/metrics.js';
import { SUB_COUNT } from '../utils/operations.js';
import { sseInit, sseReader } from '../utils/sse.js';
import { until } from '../utils/wait.js';
import { ended, watch, wsClient } from '../utils/ws.js';

const SYNC_COUNT = /* GraphQL */ `
  query ($id: ID!) { bulkSync(id: $id) { status { currentExecution { recordCount } } } }
`;

describe('graceful stop', () => {
  it('closes an open WebSocket with 1001 and stops every poller', async () => {
    expect.assertions(5);
    const { t, scheduler, url } = await startLiveGateway();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const closes: number[] = [];
    const client = wsClient(url, {
      on: { closed: (event) => closes.push((event as { code: number }).code) },
    });
    const w = watch(client, SUB_COUNT, { id });
    await until(() => w.events.length === 1);

    await t.app.stop();
    await ended(w);
    await until(() => closes.length === 1);
    expect(closes).toEqual([1001]);
    expect(w.events).toHaveLength(1);
    expect(scheduler.pending()).toEqual([]);
    expect(await metric(t, 'gateway_active_pollers')).toBe(0);
    expect(await metric(t, 'gateway_active_subscriptions')).toBe(0);
  });

  it('does not wait for a WebSocket client that never answers the close: stop ends by SHUTDOWN_TIMEOUT_MS', async () => {
    const live = await startLive({ SHUTDOWN_TIMEOUT_MS: '300' });
    const url = new URL(await live.t.app.start());
    // A raw client: it completes the upgrade, then never answers a frame (ws would wait 30 s).
    const socket = connect(Number(url.port), url.hostname);
    leftover('socket', () => socket.destroy());
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.write(
      'GET /graphql HTTP/1.1\r\nHost: gateway\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
        'Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n',
    );
    await until(() => received.startsWith('HTTP/1.1 101'));
    const started = Date.now();
    await live.t.app.stop();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('ends an open SSE stream over the port', async () => {
    const { t, scheduler, url } = await startLiveGateway();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const response = await fetch(`${url}/graphql`, sseInit(SUB_COUNT, { id }));
    if (!response.body) throw new Error('no body');
    const reader = sseReader(response.body);
    expect((await reader.next())?.event).toBe('next');

    await t.app.stop();
    expect((await reader.next())?.event).toBe('complete');
    expect(await reader.next()).toBeUndefined();
    expect(scheduler.pending()).toEqual([]);
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('stops WebSocket and SSE subscribers of one shared poller together', async () => {
    const { t, scheduler, url } = await startLiveGateway();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const closes: number[] = [];
    const client = wsClient(url, {
      on: { closed: (event) => closes.push((event as { code: number }).code) },
    });
    const w = watch(client, SUB_COUNT, { id });
    const response = await t.app.yoga.fetch(
      'http://gateway.test/graphql',
      sseInit(SUB_COUNT, { id }),
    );
    if (!response.body) throw new Error('no body');
    const reader = sseReader(response.body);
    expect((await reader.next())?.event).toBe('next');
    await until(() => w.events.length === 1);
    expect(t.sim.statusCalls()).toBe(1);

    await t.app.stop();
    expect((await reader.next())?.event).toBe('complete');
    await until(() => closes.length === 1);
    expect(closes).toEqual([1001]);
    expect(scheduler.pending()).toEqual([]);
  });

  it('answers a query in flight, with Connection: close, and does not wait out its keep-alive', async () => {
    const { t, url } = await startLiveGateway();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 7 }));
    t.sim.inject({ kind: 'delay', ms: 200 }, { times: 1 });
    const agent = new Agent({ keepAlive: true });
    leftover('HTTP agent', () => agent.destroy());
    let serverClosed = false;
    const answer = new Promise<{ connection: string | undefined; body: string }>(
      (resolve, reject) => {
        const req = request(`${url}/graphql`, {
          agent,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        });
        req.on('socket', (socket) => socket.on('close', () => (serverClosed = true)));
        req.on('error', reject);
        req.on('response', (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk));
          res.on('end', () => resolve({ connection: res.headers.connection, body }));
        });
        req.end(JSON.stringify({ query: SYNC_COUNT, variables: { id } }));
      },
    );
    await until(() => t.sim.statusCalls(id) === 1);

    const stopping = t.app.stop();
    expect(await answer).toEqual({
      connection: 'close',
      body: JSON.stringify({
        data: { bulkSync: { status: { currentExecution: { recordCount: 7 } } } },
      }),
    });
    // Closed by the gateway: the agent would have kept it.
    await stopping;
    await until(() => serverClosed);
  });

  /**
   * A WebSocket client watching sync 2 whose query of sync 1 then waits 300 ms on Polytomic, and
   * the socket's close codes.
   */
  async function queryingOverWebSocket({ env = {}, delayMs = 300 } = {}) {
    const { t } = await startLive(env);
    const url = await t.app.start();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 7 }));
    t.sim.addSync(syncId(2), envelope({ recordCount: 2 }));
    const closes: number[] = [];
    const client = wsClient(url, {
      on: { closed: (event) => closes.push((event as { code: number }).code) },
    });
    const subscription = watch(client, SUB_COUNT, { id: syncId(2) });
    await until(() => subscription.events.length === 1);
    t.sim.inject({ kind: 'delay', ms: delayMs }, { times: 1, syncId: id });
    const query = watch(client, SYNC_COUNT, { id });
    await until(() => t.sim.statusCalls(id) === 1);
    return { t, url, id, client, query, subscription, closes };
  }

  it('answers a query in flight over a WebSocket before closing it with 1001', async () => {
    const { t, query, subscription, closes } = await queryingOverWebSocket();
    await t.app.stop();
    await ended(query);
    expect(query.events).toEqual([
      { data: { bulkSync: { status: { currentExecution: { recordCount: 7 } } } } },
    ]);
    expect(query.completed).toBe(true);
    await until(() => closes.length === 1);
    expect(closes).toEqual([1001]);
    // Not `complete`d while the socket waited: a client resubscribes after a 1001 only to what
    // was still open.
    await ended(subscription);
    expect(subscription.completed).toBe(false);
    expect((subscription.error as { code?: number }).code).toBe(1001);
  });

  it('answers a mutation in flight over a WebSocket before closing it with 1001', async () => {
    const { t, url } = await startLiveGateway();
    const sync = SIM_CATALOGUE_SYNCS.hubspotSnowflake;
    const closes: number[] = [];
    const client = wsClient(url, {
      connectionParams: { authorization: `Bearer ${SIM_KEY}` },
      on: { closed: (event) => closes.push((event as { code: number }).code) },
    });
    t.sim.inject({ kind: 'delay', ms: 300 }, { times: 1, route: 'start' });
    const start = watch(
      client,
      'mutation ($id: ID!) { startBulkSync(id: $id) { execution { isTest } } }',
      { id: sync },
    );
    await until(() => t.sim.calls('start') === 1);
    await t.app.stop();
    await ended(start);
    // Its client learns the run started, rather than send the mutation again elsewhere.
    expect(start.events).toEqual([{ data: { startBulkSync: { execution: { isTest: false } } } }]);
    await until(() => closes.length === 1);
    expect(closes).toEqual([1001]);
  });

  it('completes SSE streams at once, without waiting for a WebSocket query', async () => {
    const { t, url, query } = await queryingOverWebSocket();
    t.sim.addSync(syncId(3), envelope({ recordCount: 3 }));
    const response = await fetch(`${url}/graphql`, sseInit(SUB_COUNT, { id: syncId(3) }));
    if (!response.body) throw new Error('no body');
    const reader = sseReader(response.body);
    expect((await reader.next())?.event).toBe('next');

    const stopping = t.app.stop();
    expect((await reader.next())?.event).toBe('complete');
    // The WebSocket query still waits on Polytomic (300 ms), and is answered after.
    expect(query.events).toEqual([]);
    await stopping;
    expect(query.events).toHaveLength(1);
  });

  it('closes a socket whose query outlives SHUTDOWN_TIMEOUT_MS with 1001 too', async () => {
    const { t, query, closes } = await queryingOverWebSocket({
      env: { SHUTDOWN_TIMEOUT_MS: '200' },
      delayMs: 2000,
    });
    await t.app.stop();
    await until(() => closes.length === 1);
    expect(closes).toEqual([1001]);
    expect(query.events).toEqual([]);
  });

  it('closes with 1001 at once a WebSocket that sends an operation while its query finishes', async () => {
    const { t, id, client, query, closes } = await queryingOverWebSocket();
    const stopping = t.app.stop();
    // A graphql-ws client sends its operations again on its next connection (another replica).
    const late = watch(client, SUB_COUNT, { id });
    await until(() => closes.length === 1);
    expect(closes).toEqual([1001]);
    await stopping;
    await ended(late);
    expect(late.events).toEqual([]);
    expect((late.error as { code?: number }).code).toBe(1001);
    expect(query.events).toEqual([]);
    expect(t.sim.statusCalls(id)).toBe(1);
  });

  it('two overlapping stop() calls both resolve', async () => {
    const { t } = await startLiveGateway();
    await expect(Promise.all([t.app.stop(), t.app.stop()])).resolves.toEqual([
      undefined,
      undefined,
    ]);
  });

  it('stop() is idempotent: a second call after the first has finished resolves too', async () => {
    const { t } = await startLiveGateway();
    await t.app.stop();
    await expect(t.app.stop()).resolves.toBeUndefined();
  });
});
