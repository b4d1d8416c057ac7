import { describe, expect, it } from 'vitest';
import { SIM_SYNCS } from '../../../../tools/simulator/index.js';
import { syncId } from '../../../fixtures/status.js';
import { startTestApp, type TestApp } from '../../../utils/test-app.js';

let t: TestApp;

const hundred = Array.from({ length: 100 }, (_, n) => syncId(n + 1));

describe('demand control', () => {
  it('refuses ten aliases of a hundred ids before any upstream call', async () => {
    t = await startTestApp();
    const aliases = Array.from({ length: 10 }, (_, n) => `a${n}: bulkSyncs(ids: $ids) { id }`);
    const answer = await t.query(`query ($ids: [ID!]!) { ${aliases.join(' ')} }`, { ids: hundred });
    // Refused before execution, as an invalid operation is: no `data` at all.
    expect(answer.body).toEqual({
      errors: [
        {
          message:
            'This operation could make 1000 upstream calls; at most 200 are allowed (MAX_UPSTREAM_CALLS_PER_OPERATION). Ask for fewer ids, smaller pages or fewer aliases.',
          extensions: { code: 'BAD_USER_INPUT', upstreamCalls: 1000, maxUpstreamCalls: 200 },
        },
      ],
    });
    expect(t.sim.calls()).toBe(0);
  });

  it('runs an operation at the limit and refuses one just over, MAX_UPSTREAM_CALLS_PER_OPERATION', async () => {
    t = await startTestApp({ MAX_UPSTREAM_CALLS_PER_OPERATION: '3' });
    const ids = [SIM_SYNCS.orders, SIM_SYNCS.idle, SIM_SYNCS.cdc];
    const atLimit = await t.query('query ($ids: [ID!]!) { bulkSyncs(ids: $ids) { id } }', { ids });
    expect(atLimit.body.errors).toBeUndefined();
    expect(t.sim.calls()).toBe(3);
    const over = await t.query('query ($ids: [ID!]!) { bulkSyncs(ids: $ids) { id name } }', {
      ids,
    });
    expect(over.body.errors?.map((e) => e.extensions)).toEqual([
      { code: 'BAD_USER_INPUT', upstreamCalls: 6, maxUpstreamCalls: 3 },
    ]);
    expect(t.sim.calls()).toBe(3);
  });

  it('estimates a subscription per event, and refuses one over the limit before watching', async () => {
    t = await startTestApp({ MAX_UPSTREAM_CALLS_PER_OPERATION: '1' });
    const subscribe = (query: string) =>
      t.app.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query, variables: { id: SIM_SYNCS.idle } }),
      });
    const refused = await subscribe(
      'subscription ($id: ID!) { bulkSync(id: $id) { source { name } } }',
    );
    const text = await refused.text();
    expect(text).toContain('"upstreamCalls":2');
    expect(text).toContain('"code":"BAD_USER_INPUT"');
    expect(t.sim.calls()).toBe(0);
    const allowed = await subscribe('subscription ($id: ID!) { bulkSync(id: $id) { id name } }');
    const reader = allowed.body?.getReader();
    let received = '';
    while (!received.includes('data:')) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      received += new TextDecoder().decode(chunk.value);
    }
    expect(received).toContain('Salesforce → Snowflake');
    await reader?.cancel();
  });

  it('runs the documented dashboard and history shapes, the same written with literals or variables', async () => {
    t = await startTestApp();
    const everyRun = /* GraphQL */ `id status rawStatus statusMessage type fetchMode outputDisposition
      isPartial isResync isTest recordCount errorCount warningCount createdAt startedAt completedAt
      updatedAt schemas { schema outputName status rawStatus statusMessage recordCount errorCount
      warningCount createdAt startedAt completedAt updatedAt }`;
    const shapes = [
      '{ allBulkSyncs(first: 100) { nodes { id executions(first: 100) { nodes { id } } } } }',
      `{ bulkSync(id: "${SIM_SYNCS.orders}") { executions(first: 100) { nodes { ${everyRun} } } } }`,
      `{ allBulkSyncs(first: 50) { nodes { id name active schedule { frequency }
        source { name typeName } destination { name typeName }
        status { latestExecution { status recordCount completedAt } nextExecutionTime } } } }`,
    ];
    for (const query of shapes) {
      const literal = await t.query(query);
      expect(literal.body.errors, query).toBeUndefined();
      const variables = query.replace(/first: (\d+)/g, 'first: $$n');
      const viaVariables = await t.query(`query ($n: Int) ${variables}`, {
        n: Number(/first: (\d+)/.exec(query)?.[1]),
      });
      expect(viaVariables.body.errors, variables).toBeUndefined();
    }
  });
});
