import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/observability/logger.js';
import { DEMO_WEBHOOK_SECRET, demoEnv } from '../tools/demo-config.js';
import { SIM_KEY, SIM_SYNCS } from '../tools/simulator/index.js';
import { leftover } from './utils/leftovers.js';
import { captureLogs, startSimulator } from './utils/test-app.js';
import { until } from './utils/wait.js';

// The gateway `npm run demo` starts (tools/demo.ts loads demoEnv), called by a frontend dev
// server on this machine: Vite's http://localhost:5173.

const ORIGIN = 'http://localhost:5173';

/** What Apollo Client 4's HttpLink and @urql/core 6 send with a query, besides the body. */
const CLIENT_HEADERS = {
  'Apollo Client': { accept: 'application/graphql-response+json,application/json;q=0.9' },
  urql: {
    accept:
      'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed',
  },
};

/** The demo's gateway (production mode, as the demo runs it), on a fresh simulator. */
async function startDemoGateway() {
  const sim = await startSimulator();
  // The demo's environment on its own: none of this process's variables (vitest sets NODE_ENV).
  const config = loadConfig(demoEnv(sim.url, {}));
  const { sink } = captureLogs();
  const app = createApp(config, { logger: createLogger(config.logLevel, sink) });
  leftover('demo gateway', () => app.stop());
  return { sim, config, app };
}

describe("the demo's CORS", () => {
  it('allows any port on localhost, 127.0.0.1 and [::1], in production mode', async () => {
    const { config } = await startDemoGateway();
    expect(config.env).toBe('production');
    expect(config.safety.corsOrigins).toEqual([
      'http://localhost:*',
      'http://127.0.0.1:*',
      'http://[::1]:*',
    ]);
    expect(config.safety.csrfPrevention).toBe(true);
  });

  it('answers the preflight of http://localhost:5173 asking for authorization and content-type', async () => {
    const { app, sim } = await startDemoGateway();
    const response = await app.yoga.fetch('http://localhost:4000/graphql', {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
        'sec-fetch-mode': 'cors',
        'sec-fetch-site': 'same-site',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'authorization, content-type, x-request-id, traceparent, x-graphql-yoga-csrf, apollo-require-preflight, graphql-preflight',
    );
    expect(sim.requests).toEqual([]);
  });

  for (const [client, headers] of Object.entries(CLIENT_HEADERS)) {
    it(`runs a query POSTed from http://localhost:5173 with ${client}'s headers (CSRF prevention lets JSON through)`, async () => {
      const { app, sim } = await startDemoGateway();
      const response = await app.yoga.fetch('http://localhost:4000/graphql', {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          authorization: `Bearer ${SIM_KEY}`,
          origin: ORIGIN,
          'sec-fetch-mode': 'cors',
          'sec-fetch-site': 'same-site',
        },
        body: JSON.stringify({
          query: 'query ($id: ID!) { bulkSync(id: $id) { id name } }',
          variables: { id: SIM_SYNCS.orders },
        }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(response.headers.get('access-control-expose-headers')).toBe('x-request-id');
      expect(await response.json()).toEqual({
        data: { bulkSync: { id: SIM_SYNCS.orders, name: 'Postgres → Snowflake' } },
      });
      // The sync's status (bulkSync's own look-up), then its catalogue entry (its name), each
      // with the caller's key.
      expect(sim.requests.map((r) => [r.route, r.headers['authorization']])).toEqual([
        ['status', `Bearer ${SIM_KEY}`],
        ['sync', `Bearer ${SIM_KEY}`],
      ]);
    });
  }
});

describe("the demo's webhook", () => {
  it("accepts the simulator's signed events: a sync that starts is polled at once", async () => {
    const { sim, config, app } = await startDemoGateway();
    expect(config.events.mode).toBe('webhook');
    const url = await app.start();
    sim.setWebhook({ url: `${url}/webhooks/polytomic`, secret: DEMO_WEBHOOK_SECRET });
    const before = sim.statusCalls(SIM_SYNCS.idle);
    // Someone watches the idle sync; then Polytomic says it started.
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        query: 'subscription ($id: ID!) { bulkSync(id: $id) { id } }',
        variables: { id: SIM_SYNCS.idle },
      }),
    });
    const reader = response.body?.getReader();
    await until(() => sim.statusCalls(SIM_SYNCS.idle) === before + 1);
    sim.emitEvent(SIM_SYNCS.idle, 'bulk_sync.running');
    await sim.webhooksSettled();
    expect(sim.webhookDeliveries().map((d) => [d.eventType, d.status])).toEqual([
      ['bulk_sync.running', 202],
    ]);
    await until(() => sim.statusCalls(SIM_SYNCS.idle) === before + 2);
    await reader?.cancel();
  });
});
