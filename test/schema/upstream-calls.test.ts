import { describe, expect, it } from 'vitest';
import { SIM_SYNCS } from '../../tools/simulator/index.js';
import { startTestApp } from '../utils/test-app.js';

const { orders, idle, cdc } = SIM_SYNCS;
const UNKNOWN = '00000000-0000-4000-8000-00000000dead';
const ONE = /* GraphQL */ `query One($id: ID!) { bulkSync(id: $id) { id status { nextExecutionTime } } }`;
const MANY = /* GraphQL */ `query Many($ids: [ID!]!) { bulkSyncs(ids: $ids) { id } }`;

const codesOf = (body: { errors?: { extensions?: { code?: string } }[] }) =>
  (body.errors ?? []).map((e) => e.extensions?.code);

describe('upstream calls of queries (cache off)', () => {
  it('makes one call per query of one sync, whether the document is new or known', async () => {
    const t = await startTestApp();
    const first = await t.query(ONE, { id: orders });
    const second = await t.query(ONE, { id: orders });
    expect(second.body).toEqual(first.body);
    expect(first.body.errors).toBeUndefined();
    expect(second.body.data?.['bulkSync']).toMatchObject({ id: orders });
    expect(t.sim.statusCalls()).toBe(2);
  });

  it('fetches each distinct id of a list once, and answers in the order asked', async () => {
    const t = await startTestApp();
    const ids = [orders, idle, orders.toUpperCase(), cdc, idle];
    await t.query(MANY, { ids });
    const second = await t.query(MANY, { ids });
    expect(t.sim.statusCalls()).toBe(6);
    expect(second.body.data).toEqual({ bulkSyncs: ids.map((id) => ({ id })) });
  });

  it('fetches literal ids and aliased fields of the operation named, not of the others', async () => {
    const t = await startTestApp();
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
    expect(t.sim.statusCalls()).toBe(4);
  });

  it('shares one call among concurrent identical queries', async () => {
    const t = await startTestApp();
    await t.query(MANY, { ids: [orders, idle] });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => t.query(MANY, { ids: [orders, idle] })),
    );
    for (const answer of answers) {
      expect(answer.body).toEqual({ data: { bulkSyncs: [{ id: orders }, { id: idle }] } });
    }
    // Two for the first query, then one per id for all twenty, shared in flight.
    expect(t.sim.statusCalls()).toBe(4);
  });

  it('answers an unknown id with NOT_FOUND after one call', async () => {
    const t = await startTestApp();
    await t.query(ONE, { id: orders });
    const missing = await t.query(ONE, { id: UNKNOWN });
    expect(codesOf(missing.body)).toEqual(['NOT_FOUND']);
    expect(missing.body.data).toEqual({ bulkSync: null });
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
    it(`calls nothing upstream for ${name}, even for a known document`, async () => {
      const t = await startTestApp();
      await t.query(query, query === ONE ? { id: orders } : { ids: [orders] });
      const callsBefore = t.sim.statusCalls();
      const answer = await t.query(query, variables);
      expect(codesOf(answer.body)).toEqual(['BAD_USER_INPUT']);
      expect(t.sim.statusCalls()).toBe(callsBefore);
    });
  }

  it('calls nothing for a field that @skip leaves out', async () => {
    const t = await startTestApp();
    const skippable = /* GraphQL */ `query ($id: ID!, $skip: Boolean!) { bulkSync(id: $id) @skip(if: $skip) { id } }`;
    await t.query(skippable, { id: orders, skip: false });
    const skipped = await t.query(skippable, { id: orders, skip: true });
    expect(skipped.body).toEqual({ data: {} });
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('calls nothing without a credential', async () => {
    const t = await startTestApp({ POLYTOMIC_API_KEY: undefined });
    await t.query(ONE, { id: orders });
    const answer = await t.query(ONE, { id: orders });
    expect(codesOf(answer.body)).toEqual(['UNAUTHENTICATED']);
    expect(t.sim.statusCalls()).toBe(0);
  });

  it('calls nothing when the response cache answers', async () => {
    const t = await startTestApp({ CACHE_TTL_MS: '60000' });
    const miss = await t.query(ONE, { id: orders });
    const hit = await t.query(ONE, { id: orders });
    expect(hit.body).toEqual(miss.body);
    expect(t.sim.statusCalls()).toBe(1);
  });
});
