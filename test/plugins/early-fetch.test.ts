import { afterEach, describe, expect, it } from 'vitest';
import { SIM_SYNCS } from '../../src/simulator/index.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

const { orders, idle, cdc } = SIM_SYNCS;
const UNKNOWN = '00000000-0000-4000-8000-00000000dead';
const ONE = /* GraphQL */ `query One($id: ID!) { bulkSync(id: $id) { id status { nextExecutionTime } } }`;
const MANY = /* GraphQL */ `query Many($ids: [ID!]!) { bulkSyncs(ids: $ids) { id } }`;

let t: TestApp;
afterEach(() => t.close());

async function earlyFetches(): Promise<number> {
  const text = await t.app.metrics.registry.getSingleMetricAsString('gateway_early_fetches_total');
  const line = text.split('\n').find((l) => l.startsWith('gateway_early_fetches_total '));
  return Number(line?.split(' ')[1]);
}

const codesOf = (body: { errors?: { extensions?: { code?: string } }[] }) =>
  (body.errors ?? []).map((e) => e.extensions?.code);

describe('early fetch of a known query (cache off)', () => {
  it('starts the call of a validated document before execution, and makes no other', async () => {
    t = await startTestApp();
    const first = await t.query(ONE, { id: orders });
    expect(await earlyFetches()).toBe(0); // not yet known to be valid
    const second = await t.query(ONE, { id: orders });
    expect(await earlyFetches()).toBe(1);
    expect(second.body).toEqual(first.body);
    expect(first.body.errors).toBeUndefined();
    expect(second.body.data?.['bulkSync']).toMatchObject({ id: orders });
    expect(t.sim.statusCalls()).toBe(2);
  });

  it('fetches each distinct id of a list once, and answers in the order asked', async () => {
    t = await startTestApp();
    const ids = [orders, idle, orders.toUpperCase(), cdc, idle];
    await t.query(MANY, { ids });
    const second = await t.query(MANY, { ids });
    expect(await earlyFetches()).toBe(3);
    expect(t.sim.statusCalls()).toBe(6);
    expect(second.body.data).toEqual({ bulkSyncs: ids.map((id) => ({ id })) });
  });

  it('fetches literal ids and aliased fields of the operation named, not of the others', async () => {
    t = await startTestApp();
    const document = /* GraphQL */ `
      query A { a: bulkSync(id: "${orders}") { id } b: bulkSyncs(ids: ["${idle}"]) { id } }
      query B { bulkSync(id: "${cdc}") { id } }`;
    const ask = () =>
      t.app.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: document, operationName: 'A' }),
      });
    await ask();
    const second = (await (await ask()).json()) as unknown;
    expect(second).toEqual({ data: { a: { id: orders }, b: [{ id: idle }] } });
    expect(await earlyFetches()).toBe(2);
    expect(t.sim.statusCalls()).toBe(4);
  });

  it('shares one call among concurrent identical known queries', async () => {
    t = await startTestApp();
    await t.query(MANY, { ids: [orders, idle] });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => t.query(MANY, { ids: [orders, idle] })),
    );
    for (const answer of answers) {
      expect(answer.body).toEqual({ data: { bulkSyncs: [{ id: orders }, { id: idle }] } });
    }
    expect(await earlyFetches()).toBe(40);
    // Two for the first query, then one per id for all twenty, shared in flight.
    expect(t.sim.statusCalls()).toBe(4);
  });

  it('answers an unknown id with NOT_FOUND after one call, as without early fetch', async () => {
    t = await startTestApp();
    await t.query(ONE, { id: orders });
    const missing = await t.query(ONE, { id: UNKNOWN });
    expect(codesOf(missing.body)).toEqual(['NOT_FOUND']);
    expect(missing.body.data).toEqual({ bulkSync: null });
    expect(await earlyFetches()).toBe(1);
    expect(t.sim.statusCalls()).toBe(2);
  });

  const refused: [string, string, Record<string, unknown>][] = [
    ['a malformed id', ONE, { id: 'not-a-uuid' }],
    ['a number for an id', ONE, { id: 42 }],
    ['a list for a single id', ONE, { id: [orders] }],
    ['an empty id list', MANY, { ids: [] }],
    ['too many ids', MANY, { ids: Array.from({ length: 101 }, () => orders) }],
    ['one malformed id in a list', MANY, { ids: [orders, 'nope'] }],
  ];
  for (const [name, query, variables] of refused) {
    it(`starts nothing for ${name} and calls nothing upstream`, async () => {
      t = await startTestApp();
      await t.query(query, query === ONE ? { id: orders } : { ids: [orders] });
      const callsBefore = t.sim.statusCalls();
      const answer = await t.query(query, variables);
      expect(codesOf(answer.body)).toEqual(['BAD_USER_INPUT']);
      expect(await earlyFetches()).toBe(0);
      expect(t.sim.statusCalls()).toBe(callsBefore);
    });
  }

  it('starts nothing for a field that @skip may leave out', async () => {
    t = await startTestApp();
    const skippable = /* GraphQL */ `query ($id: ID!, $skip: Boolean!) { bulkSync(id: $id) @skip(if: $skip) { id } }`;
    await t.query(skippable, { id: orders, skip: false });
    const skipped = await t.query(skippable, { id: orders, skip: true });
    expect(skipped.body).toEqual({ data: {} });
    expect(await earlyFetches()).toBe(0);
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('starts nothing without a credential', async () => {
    t = await startTestApp({ POLYTOMIC_API_KEY: undefined });
    await t.query(ONE, { id: orders });
    const answer = await t.query(ONE, { id: orders });
    expect(codesOf(answer.body)).toEqual(['UNAUTHENTICATED']);
    expect(await earlyFetches()).toBe(0);
    expect(t.sim.statusCalls()).toBe(0);
  });

  it('starts nothing when the response cache answers', async () => {
    t = await startTestApp({ CACHE_TTL_MS: '60000' });
    const miss = await t.query(ONE, { id: orders });
    const hit = await t.query(ONE, { id: orders });
    expect(hit.body).toEqual(miss.body);
    expect(await earlyFetches()).toBe(0);
    expect(t.sim.statusCalls()).toBe(1);
  });
});
