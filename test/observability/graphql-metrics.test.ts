import { describe, expect, it } from 'vitest';
import { SIM_SYNCS } from '../../tools/simulator/index.js';
import { scrape } from '../utils/metrics.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

const UNKNOWN = '00000000-0000-4000-8000-00000000dead';

/** The lines of /metrics that belong to `name` (its samples, not HELP/TYPE). */
async function samples(t: TestApp, name: string): Promise<string[]> {
  return (await scrape(t)).split('\n').filter((line) => line.startsWith(name));
}

describe('GraphQL metrics on /metrics', () => {
  it('counts operations by type, HTTP requests by method and status, errors by phase and code', async () => {
    const t = await startTestApp();
    const byId = `query Named($id: ID!) { bulkSync(id: $id) { id } }`;
    expect((await t.query(byId, { id: SIM_SYNCS.idle })).status).toBe(200);
    const missing = await t.query(byId, { id: UNKNOWN });
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const invalid = await t.query('{ nope }');
    expect(invalid.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const unparsable = await t.query('{ bulkSync(');
    expect(unparsable.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    expect(await samples(t, 'graphql_envelop_request_duration_count')).toEqual([
      'graphql_envelop_request_duration_count{operationType="query"} 2',
    ]);
    // A document that starts with a fragment is still labelled by its operation's type.
    const fragmentFirst = `fragment F on BulkSync { id } query { bulkSync(id: "${SIM_SYNCS.idle}") { ...F } }`;
    expect((await t.query(fragmentFirst)).body.errors).toBeUndefined();
    expect(await samples(t, 'graphql_envelop_request_duration_count')).toEqual([
      'graphql_envelop_request_duration_count{operationType="query"} 3',
    ]);
    expect(await samples(t, 'graphql_yoga_http_duration_count')).toEqual([
      // A validation error is a 200 for a client accepting application/json, per GraphQL over HTTP.
      'graphql_yoga_http_duration_count{operationType="query",method="POST",statusCode="200"} 4',
    ]);
    expect(await samples(t, 'graphql_envelop_error_result')).toEqual([
      'graphql_envelop_error_result{operationType="query",phase="execute",code="NOT_FOUND"} 1',
      'graphql_envelop_error_result{operationType="query",phase="validate",code="BAD_USER_INPUT"} 1',
      'graphql_envelop_error_result{operationType="unknown",phase="parse",code="BAD_USER_INPUT"} 1',
    ]);
  });

  it('counts a query the response cache answered as an HTTP request, not as an execution', async () => {
    const t = await startTestApp({ CACHE_TTL_MS: '60000' });
    const byId = `query Named($id: ID!) { bulkSync(id: $id) { id } }`;
    for (let i = 0; i < 3; i++) {
      expect((await t.query(byId, { id: SIM_SYNCS.idle })).body).toEqual({
        data: { bulkSync: { id: SIM_SYNCS.idle } },
      });
    }
    expect(await samples(t, 'gateway_response_cache_total')).toEqual([
      'gateway_response_cache_total{result="miss"} 1',
      'gateway_response_cache_total{result="hit"} 2',
    ]);
    expect(await samples(t, 'graphql_envelop_request_duration_count')).toEqual([
      'graphql_envelop_request_duration_count{operationType="query"} 1',
    ]);
    expect(await samples(t, 'graphql_yoga_http_duration_count')).toEqual([
      'graphql_yoga_http_duration_count{operationType="query",method="POST",statusCode="200"} 3',
    ]);
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('counts a refused subscription under the subscribe phase, with its code', async () => {
    const t = await startTestApp();
    const response = await t.app.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'subscription { bulkSync(id: "not-a-uuid") { id } }' }),
    });
    const events = await response.text();
    expect(events).toContain('"code":"BAD_USER_INPUT"');
    expect(await samples(t, 'graphql_envelop_error_result')).toEqual([
      'graphql_envelop_error_result{operationType="subscription",phase="subscribe",code="BAD_USER_INPUT"} 1',
    ]);
    // Subscriptions are not executions: the execute histogram stays empty.
    expect(await samples(t, 'graphql_envelop_request_duration_count')).toEqual([]);
  });

  it('makes no series from what a client chooses: operation names and GET query strings', async () => {
    const t = await startTestApp();
    for (const name of ['First', 'Second', 'Third']) {
      const query = encodeURIComponent(
        `query ${name} { bulkSync(id: "${SIM_SYNCS.idle}") { id } }`,
      );
      const response = await t.app.yoga.fetch(`http://gateway.test/graphql?query=${query}`);
      expect(response.status).toBe(200);
    }
    expect(await samples(t, 'graphql_yoga_http_duration_count')).toEqual([
      'graphql_yoga_http_duration_count{operationType="query",method="GET",statusCode="200"} 3',
    ]);
    const all = (await scrape(t)).split('\n');
    expect(all.filter((line) => /First|Second|Third|operationName|url=/.test(line))).toEqual([]);
  });
});
