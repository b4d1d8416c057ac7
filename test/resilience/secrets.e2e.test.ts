import { describe, expect, it } from 'vitest';
import {
  type Fault,
  SIM_DEPLOYMENT_KEY,
  SIM_KEY,
  SIM_ORG_ID,
  SIM_OTHER_KEY,
  SIM_SYNCS,
} from '../../tools/simulator/index.js';
import { envelope, syncId } from '../fixtures/status.js';
import { BASIC_VALUE, expectClean } from '../utils/leaks.js';
import { registerSecrets } from '../utils/log-capture.js';
import { breakerState, scrape } from '../utils/metrics.js';
import { ONE_SYNC, SUB_COUNT } from '../utils/operations.js';
import { sseInit, sseReader } from '../utils/sse.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { sleep, until } from '../utils/wait.js';
import { ended, watch, webSocketWithHeaders, wsClient } from '../utils/ws.js';

function start(env: Record<string, string | undefined>): Promise<TestApp> {
  return startTestApp({ LOG_LEVEL: 'trace', ...env });
}

/** Client keys known to the simulator for this run; none may appear anywhere. */
const CLIENT_KEY = 'sk_live_client_5f3a9c1e77d0';
const WS_KEY = 'sk_live_ws_8d2b7e40c9a1';
const HEADER_WS_KEY = 'sk_live_upgrade_1a2b3c4d5e6f';
const UNKNOWN_KEY = 'sk_live_unknown_0b1c2d3e4f5a';
const SECRETS = [
  SIM_KEY,
  SIM_OTHER_KEY,
  SIM_DEPLOYMENT_KEY,
  BASIC_VALUE,
  CLIENT_KEY,
  WS_KEY,
  HEADER_WS_KEY,
  UNKNOWN_KEY,
];
registerSecrets([CLIENT_KEY, WS_KEY, HEADER_WS_KEY, UNKNOWN_KEY]);

const FAULTS: Fault[] = [
  { kind: 'status', status: 500 },
  { kind: 'status', status: 429, headers: { 'retry-after': '0' } },
  { kind: 'hang' },
  { kind: 'reset' },
  { kind: 'malformed' },
  { kind: 'slowBody', ms: 1000 },
  { kind: 'status', status: 403 },
  { kind: 'status', status: 404 },
  { kind: 'status', status: 401 },
];

const RESILIENCE_ENV = {
  UPSTREAM_TIMEOUT_MS: '100',
  UPSTREAM_MAX_ATTEMPTS: '2',
  BREAKER_THRESHOLD: '3',
  BREAKER_HALF_OPEN_MS: '100',
  STALE_IF_ERROR_MS: '60000',
};

/**
 * Lets an open breaker half-open, so the next fault reaches the simulator again (a real wait:
 * BREAKER_HALF_OPEN_MS runs on the real clock).
 */
async function closeBreaker(t: TestApp): Promise<void> {
  if ((await breakerState(t)) === 2) await sleep(110);
}

describe('no credential ever leaks (LOG_LEVEL trace, every failure kind)', () => {
  it('keeps every key out of every log line, /metrics and every response', async () => {
    const texts: string[] = [];
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

    // A: Bearer service key, client Bearer and Basic keys, WebSocket and SSE credentials.
    const a = await start(RESILIENCE_ENV);
    for (const key of [CLIENT_KEY, WS_KEY, HEADER_WS_KEY]) a.sim.addKey(key, 'all');
    const id = syncId(1);
    a.sim.addSync(id, envelope({ recordCount: 3 }));
    const url = await a.app.start();

    for (const headers of [{}, bearer(CLIENT_KEY), { authorization: `Basic ${BASIC_VALUE}` }]) {
      const res = await a.query(ONE_SYNC, { id }, headers);
      expect(res.body.errors).toBeUndefined();
      texts.push(res.text);
    }
    const unknown = await a.query(ONE_SYNC, { id }, bearer(UNKNOWN_KEY));
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    texts.push(unknown.text);

    for (const fault of FAULTS) {
      a.sim.inject(fault, { times: 2 });
      for (const headers of [bearer(CLIENT_KEY), { authorization: `Basic ${BASIC_VALUE}` }]) {
        texts.push((await a.query(ONE_SYNC, { id }, headers)).text);
      }
      a.sim.clearFaults();
      await closeBreaker(a);
    }
    // Stale stand-ins and an open breaker, for a client key.
    a.sim.inject({ kind: 'status', status: 503 });
    for (let n = 0; n < 4; n++)
      texts.push((await a.query(ONE_SYNC, { id }, bearer(CLIENT_KEY))).text);
    a.sim.clearFaults();
    await closeBreaker(a);

    // Hostile requests carrying a credential.
    for (const body of ['{"query": ', JSON.stringify([{ query: ONE_SYNC }])]) {
      const response = await a.app.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(CLIENT_KEY) },
        body,
      });
      texts.push(await response.text());
    }

    // WebSocket: connectionParams, the upgrade header, and a key Polytomic refuses.
    const viaParams = wsClient(url, { connectionParams: { authorization: `Bearer ${WS_KEY}` } });
    const viaHeader = wsClient(url, {
      webSocketImpl: webSocketWithHeaders(bearer(HEADER_WS_KEY)),
    });
    const refused = wsClient(url, { connectionParams: { Authorization: `Bearer ${UNKNOWN_KEY}` } });
    const watches = [viaParams, viaHeader].map((client) => watch(client, SUB_COUNT, { id }));
    const failing = watch(refused, SUB_COUNT, { id: SIM_SYNCS.orders });
    await until(() => watches.every((w) => w.events.length === 1));
    await ended(failing);
    texts.push(JSON.stringify([...watches, failing].map((w) => [w.events, w.error])));

    // SSE with a client key.
    const sse = await a.app.yoga.fetch(
      'http://gateway.test/graphql',
      sseInit(SUB_COUNT, { id }, bearer(CLIENT_KEY)),
    );
    if (!sse.body) throw new Error('no SSE body');
    const reader = sseReader(sse.body);
    texts.push(JSON.stringify(await reader.next()));
    await reader.cancel();

    // B: the on-premises Basic service credential.
    const b = await start({
      ...RESILIENCE_ENV,
      POLYTOMIC_API_KEY: undefined,
      POLYTOMIC_ORGANIZATION_ID: SIM_ORG_ID,
      POLYTOMIC_DEPLOYMENT_KEY: SIM_DEPLOYMENT_KEY,
    });
    texts.push((await b.query(ONE_SYNC, { id: SIM_SYNCS.idle })).text);
    for (const fault of FAULTS) {
      b.sim.inject(fault, { times: 2 });
      texts.push((await b.query(ONE_SYNC, { id: SIM_SYNCS.idle })).text);
      b.sim.clearFaults();
      await closeBreaker(b);
    }

    // The credentials did travel upstream, so the run exercised them.
    const sent = new Set(
      [...a.sim.requests, ...b.sim.requests].map((r) => r.headers['authorization']),
    );
    for (const value of [
      `Bearer ${SIM_KEY}`,
      `Bearer ${CLIENT_KEY}`,
      `Bearer ${WS_KEY}`,
      `Bearer ${HEADER_WS_KEY}`,
      `Bearer ${UNKNOWN_KEY}`,
      `Basic ${BASIC_VALUE}`,
    ]) {
      expect(sent.has(value), value).toBe(true);
    }

    const logs = [...a.logs, ...b.logs];
    // The logs are substantive: debug detail plus warnings for the failures.
    expect(logs.length).toBeGreaterThan(100);
    expect(logs.some((line) => line.includes('"level":20'))).toBe(true);
    expect(logs.some((line) => line.includes('bulk sync unreadable'))).toBe(true);
    expect(logs.some((line) => line.includes('circuit breaker changed state'))).toBe(true);
    for (const line of logs) expectClean(line, a.sim.url, SECRETS);
    for (const line of logs) expect(line).not.toContain(new URL(b.sim.url).host);

    const metrics = `${await scrape(a)}\n${await scrape(b)}`;
    expectClean(metrics, a.sim.url, SECRETS);
    for (const text of texts) {
      expectClean(text, a.sim.url, SECRETS);
      expect(text).not.toContain(new URL(b.sim.url).host);
    }
  });
});
