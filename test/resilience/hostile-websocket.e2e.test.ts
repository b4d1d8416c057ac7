import { createHash } from 'node:crypto';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { SIM_SYNCS } from '../../tools/simulator/index.js';
import { envelope, syncId } from '../fixtures/status.js';
import { expectNoLeak } from '../utils/leaks.js';
import { metric } from '../utils/metrics.js';
import { ONE_SYNC } from '../utils/operations.js';
import { persistedOperationsFile, startTestApp, type TestApp } from '../utils/test-app.js';
import { until } from '../utils/wait.js';
import { acknowledgedSocket, messageCode, type RawSocket, rawSocket } from '../utils/ws.js';

async function begin(env: Record<string, string | undefined> = {}) {
  // Idle syncs: the poll timers of any subscription that gets through stay far away.
  const t = await startTestApp({
    POLL_INTERVAL_MS: '60000',
    POLL_IDLE_INTERVAL_MS: '60000',
    ...env,
  });
  const url = await t.app.start();
  return { t, url };
}

const SUB = /* GraphQL */ `
  subscription Sub($id: ID!) { bulkSync(id: $id) { id status { nextExecutionTime } } }
`;

const subscribe = (id: string, syncIdValue: string) => ({
  id,
  type: 'subscribe',
  payload: { query: SUB, variables: { id: syncIdValue } },
});

/**
 * The server still serves: a fresh WebSocket gets a subscription's first event, and an HTTP
 * query is answered. Costs exactly one upstream call each.
 */
async function expectStillServing(t: TestApp, url: string): Promise<void> {
  const calls = t.sim.statusCalls();
  const socket = await acknowledgedSocket(url);
  socket.send(subscribe('ok', SIM_SYNCS.idle));
  const next = await socket.waitFor((m) => m['type'] === 'next' && m['id'] === 'ok');
  expect(next['payload']).toEqual({
    data: { bulkSync: { id: SIM_SYNCS.idle, status: { nextExecutionTime: expect.any(String) } } },
  });
  const res = await t.query(ONE_SYNC, { id: SIM_SYNCS.orders });
  expect(res.body.errors).toBeUndefined();
  expect(t.sim.statusCalls()).toBe(calls + 2);
  socket.ws.close();
}

describe('hostile WebSocket frames close the socket; the server keeps serving', () => {
  const frames: [string, (socket: RawSocket) => void, number][] = [
    ['an invalid JSON frame', (s) => s.send('{"type": "connection_init", '), 4400],
    ['a JSON frame that is not a message', (s) => s.send({ type: 'hello', payload: 1 }), 4400],
    ['a binary garbage frame', (s) => s.send(Buffer.from([0xff, 0x00, 0x13, 0x37])), 4400],
  ];
  for (const [name, sendFrame, code] of frames) {
    it(`${name} → ${code}`, async () => {
      const { t, url } = await begin();
      const socket = rawSocket(url);
      await socket.opened;
      sendFrame(socket);
      expect(await socket.waitClosed()).toBe(code);
      expect(t.sim.statusCalls()).toBe(0);
      await expectStillServing(t, url);
    });
  }

  it('an invalid frame after the handshake closes the socket (4400) and ends its subscriptions', async () => {
    const { t, url } = await begin();
    t.sim.addSync(syncId(1), envelope({ status: null, nextExecutionTime: null }));
    const socket = await acknowledgedSocket(url);
    socket.send(subscribe('s1', syncId(1)));
    await socket.waitFor((m) => m['type'] === 'next');
    expect(await metric(t, 'gateway_active_pollers')).toBe(1);
    socket.send('not json at all');
    expect(await socket.waitClosed()).toBe(4400);
    await until(() => t.sim.statusCalls() === 1);
    await expect.poll(() => metric(t, 'gateway_active_subscriptions'), { timeout: 2000 }).toBe(0);
    expect(await metric(t, 'gateway_active_pollers')).toBe(0);
    await expectStillServing(t, url);
  });

  it('a message larger than WS_MAX_PAYLOAD_BYTES → 1009, logged at debug without a stack', async () => {
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    onTestFinished(() => stderr.mockRestore());
    const { t, url } = await begin({ WS_MAX_PAYLOAD_BYTES: '1024', LOG_LEVEL: 'debug' });
    const socket = await acknowledgedSocket(url);
    socket.send({
      id: 'big',
      type: 'subscribe',
      payload: { query: `# ${'x'.repeat(2000)}\n${SUB}` },
    });
    expect(await socket.waitClosed()).toBe(1009);
    expect(t.sim.statusCalls()).toBe(0);
    // graphql-ws would print the error with ws's stack on stderr, once per hostile frame.
    expect(stderr).not.toHaveBeenCalled();
    const logged = t.logs
      .map((line) => JSON.parse(line))
      .filter((l) => l.msg.includes('WebSocket'));
    expect(logged.map(({ level, msg, code }) => ({ level, msg, code }))).toEqual([
      {
        level: 20,
        msg: 'WebSocket closed on a frame error',
        code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
      },
    ]);
    expect(t.logs.join('\n')).not.toMatch(/receiver\.js/);
    await expectStillServing(t, url);
  });

  it('past WS_MAX_CONNECTIONS an upgrade is refused with 503, until a socket closes', async () => {
    const { t, url } = await begin({ WS_MAX_CONNECTIONS: '2' });
    const [first, second] = [rawSocket(url), rawSocket(url)];
    await Promise.all([first.opened, second.opened]);
    const refused = rawSocket(url);
    await expect(refused.opened).rejects.toThrow('Unexpected server response: 503');
    expect(t.sim.statusCalls()).toBe(0);
    expect(await metric(t, 'gateway_websocket_connections')).toBe(2);
    expect(await metric(t, 'gateway_websocket_refused_total')).toBe(1);
    first.ws.close();
    await first.waitClosed();
    // Counted until the server has seen the close too.
    await expect.poll(() => metric(t, 'gateway_websocket_connections')).toBe(1);
    const again = await acknowledgedSocket(url);
    again.send(subscribe('ok', SIM_SYNCS.idle));
    await again.waitFor((m) => m['type'] === 'next' && m['id'] === 'ok');
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('refuses an upgrade from a browser page of another origin (403) unless CORS_ORIGINS lists it', async () => {
    // A page on any site could otherwise read statuses with the service credential.
    const { t, url } = await begin();
    const fromPage = (origin: string) => rawSocket(url, undefined, { origin });
    await expect(fromPage('https://evil.example').opened).rejects.toThrow(
      'Unexpected server response: 403',
    );
    // The gateway's own pages (GraphiQL) and clients that are no browser (no Origin) connect.
    await fromPage(url).opened;
    await rawSocket(url).opened;
    // Behind a proxy that rewrote Host: the host the browser addressed, in X-Forwarded-Host.
    const proxied = (origin: string, forwarded: string) =>
      rawSocket(url, undefined, { origin, 'x-forwarded-host': forwarded });
    await proxied('https://status.example.com', 'status.example.com').opened;
    await proxied('https://Status.Example.com', 'status.example.com:443').opened;
    await expect(proxied('https://evil.example', 'status.example.com').opened).rejects.toThrow(
      'Unexpected server response: 403',
    );
    await t.close();

    const listed = await begin({ CORS_ORIGINS: 'https://app.example' });
    const allowed = rawSocket(listed.url, undefined, { origin: 'https://app.example' });
    await allowed.opened;
    const other = rawSocket(listed.url, undefined, { origin: 'https://evil.example' });
    await expect(other.opened).rejects.toThrow('Unexpected server response: 403');
    expect(listed.t.sim.statusCalls()).toBe(0);
  });

  it('no connection_init within WS_CONNECTION_INIT_TIMEOUT_MS → 4408', async () => {
    const { t, url } = await begin({ WS_CONNECTION_INIT_TIMEOUT_MS: '100' });
    const socket = rawSocket(url);
    await socket.opened;
    const opened = Date.now();
    expect(await socket.waitClosed(2000)).toBe(4408);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(90);
    await expectStillServing(t, url);
  });

  it('subscribe before connection_ack → 4401; a second connection_init → 4429; a reused id → 4409', async () => {
    const { t, url } = await begin();
    const early = rawSocket(url);
    await early.opened;
    early.send(subscribe('s1', SIM_SYNCS.idle));
    expect(await early.waitClosed()).toBe(4401);

    const twice = await acknowledgedSocket(url);
    twice.send({ type: 'connection_init', payload: {} });
    expect(await twice.waitClosed()).toBe(4429);

    const reused = await acknowledgedSocket(url);
    reused.send(subscribe('same', SIM_SYNCS.idle));
    await reused.waitFor((m) => m['type'] === 'next');
    reused.send(subscribe('same', SIM_SYNCS.orders));
    expect(await reused.waitClosed()).toBe(4409);
    expect(t.sim.statusCalls(SIM_SYNCS.orders)).toBe(0);
    await expectStillServing(t, url);
  });

  it('a socket without the graphql-transport-ws subprotocol is refused (4406)', async () => {
    const { t, url } = await begin();
    const socket = rawSocket(url, []);
    expect(await socket.waitClosed()).toBe(4406);
    await expectStillServing(t, url);
  });
});

describe('subscribe floods', () => {
  it('past WS_MAX_SUBSCRIBES_PER_MINUTE the connection is closed (4429), with no upstream call', async () => {
    const { t, url } = await begin({ WS_MAX_SUBSCRIBES_PER_MINUTE: '10' });
    const socket = await acknowledgedSocket(url);
    // Invalid documents: each costs parsing only; the 11th subscribe closes the socket.
    for (let n = 1; n <= 50; n++) {
      if (socket.closed) break;
      socket.send({
        id: `f${n}`,
        type: 'subscribe',
        payload: { query: `subscription { nope${n} }` },
      });
    }
    expect(await socket.waitClosed()).toBe(4429);
    const errors = socket.messages.filter((m) => m['type'] === 'error');
    expect(errors.length).toBeLessThanOrEqual(10);
    expect(errors.every((m) => messageCode(m) === 'BAD_USER_INPUT')).toBe(true);
    expect(t.sim.statusCalls()).toBe(0);
    await expectStillServing(t, url);
  });

  it('MAX_SUBSCRIPTIONS_PER_CONNECTION holds under a flood, and the flood bound closes the socket', async () => {
    const { t, url } = await begin({
      MAX_SUBSCRIPTIONS_PER_CONNECTION: '2',
      WS_MAX_SUBSCRIBES_PER_MINUTE: '5',
    });
    const ids = [1, 2, 3, 4, 5, 6].map(syncId);
    for (const id of ids) t.sim.addSync(id, envelope({ status: null, nextExecutionTime: null }));
    const socket = await acknowledgedSocket(url);
    socket.send(subscribe('s1', ids[0] ?? ''));
    socket.send(subscribe('s2', ids[1] ?? ''));
    await until(() => socket.messages.filter((m) => m['type'] === 'next').length === 2);
    expect(t.sim.statusCalls()).toBe(2);

    for (const n of [3, 4, 5]) socket.send(subscribe(`s${n}`, ids[n - 1] ?? ''));
    await until(() => socket.messages.filter((m) => m['type'] === 'error').length === 3);
    const refused = socket.messages.filter((m) => m['type'] === 'error');
    expect(refused.map((m) => [m['id'], messageCode(m)])).toEqual([
      ['s3', 'BAD_USER_INPUT'],
      ['s4', 'BAD_USER_INPUT'],
      ['s5', 'BAD_USER_INPUT'],
    ]);
    expect(t.sim.statusCalls()).toBe(2);

    socket.send(subscribe('s6', ids[5] ?? ''));
    expect(await socket.waitClosed()).toBe(4429);
    expect(t.sim.statusCalls()).toBe(2);
    await expect.poll(() => metric(t, 'gateway_active_pollers'), { timeout: 2000 }).toBe(0);
    expect(await metric(t, 'gateway_active_subscriptions')).toBe(0);
    await expectStillServing(t, url);
  });
});

describe('persisted operations over WebSocket', () => {
  const hash = createHash('sha256').update(SUB).digest('hex');

  /** A gateway whose PERSISTED_OPERATIONS_FILE lists SUB alone. */
  const beginPersisted = () => begin({ PERSISTED_OPERATIONS_FILE: persistedOperationsFile([SUB]) });

  it('refuses an arbitrary subscription (BAD_USER_INPUT) and runs an allow-listed one by hash', async () => {
    const { t, url } = await beginPersisted();
    const socket = await acknowledgedSocket(url);
    socket.send(subscribe('arbitrary', SIM_SYNCS.idle));
    const refused = await socket.waitFor((m) => m['id'] === 'arbitrary');
    expect(refused['type']).toBe('error');
    expect(messageCode(refused)).toBe('BAD_USER_INPUT');
    expect(t.sim.statusCalls()).toBe(0);

    socket.send({
      id: 'listed',
      type: 'subscribe',
      // graphql-ws requires `query` to be a string; in persisted mode the hash alone decides.
      payload: {
        query: '',
        variables: { id: SIM_SYNCS.idle },
        extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
      },
    });
    const next = await socket.waitFor((m) => m['id'] === 'listed');
    expect(next['type']).toBe('next');
    // With the listed document itself as `query`, as Apollo's GraphQLWsLink sends it.
    socket.send({
      id: 'listed-with-document',
      type: 'subscribe',
      payload: {
        query: SUB,
        variables: { id: SIM_SYNCS.idle },
        extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
      },
    });
    const again = await socket.waitFor((m) => m['id'] === 'listed-with-document');
    expect(again['type']).toBe('next');
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('refuses as HTTP does: a document of its own, no hash, a hash not on the list', async () => {
    const { t, url } = await beginPersisted();
    const socket = await acknowledgedSocket(url);
    const cases: [string, Record<string, unknown>, string][] = [
      [
        'listed hash, own document',
        { query: '{ __typename }', extensions: { persistedQuery: { sha256Hash: hash } } },
        'Only persisted operations are allowed.',
      ],
      [
        'no hash',
        { query: '' },
        'Send the persisted operation as extensions.persistedQuery.sha256Hash.',
      ],
      [
        'unknown hash',
        { query: '', extensions: { persistedQuery: { sha256Hash: 'f'.repeat(64) } } },
        'This operation is not in the persisted-operations allow-list.',
      ],
    ];
    for (const [id, payload, message] of cases) {
      socket.send({
        id,
        type: 'subscribe',
        payload: { ...payload, variables: { id: SIM_SYNCS.idle } },
      });
      const refused = await socket.waitFor((m) => m['id'] === id);
      expect(refused['type'], id).toBe('error');
      expect(refused['payload'], id).toEqual([{ message, extensions: { code: 'BAD_USER_INPUT' } }]);
    }
    expect(socket.closed).toBeUndefined();
    expect(t.sim.statusCalls()).toBe(0);
  });
});

describe('HTTP over the real port', () => {
  it('answers a 10 MB body with 413 and keeps serving', async () => {
    const { t, url } = await begin();
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: '{ __typename }',
        variables: { pad: 'x'.repeat(10 * 1024 * 1024) },
      }),
    });
    expect(response.status).toBe(413);
    const text = await response.text();
    expectNoLeak(t, text);
    const ok = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: ONE_SYNC, variables: { id: SIM_SYNCS.idle } }),
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      data: { bulkSync: { id: SIM_SYNCS.idle, status: expect.any(Object) } },
    });
    expect(t.sim.statusCalls()).toBe(1);
  });
});
