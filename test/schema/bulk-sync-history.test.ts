import { describe, expect, it } from 'vitest';
import {
  SIM_CATALOGUE_SYNCS,
  SIM_KEY,
  SIM_OTHER_KEY,
  SIM_SYNCS,
} from '../../tools/simulator/index.js';
import { dataOf, errorCodes } from '../utils/operations.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

let t: TestApp;

/** Every execution id Polytomic lists for a sync, walked directly: the oracle. */
async function upstreamHistory(syncId: string, onlyTerminal = false): Promise<string[]> {
  const ids: string[] = [];
  let token = '';
  for (;;) {
    const query = new URLSearchParams({ limit: '100', only_terminal: String(onlyTerminal) });
    if (token) query.set('page_token', token);
    const response = await fetch(`${t.sim.url}/api/bulk/syncs/${syncId}/executions?${query}`, {
      headers: { authorization: `Bearer ${SIM_KEY}` },
    });
    const body = (await response.json()) as {
      data: { id: string }[];
      pagination?: { next_page_token?: string };
    };
    ids.push(...body.data.map((execution) => execution.id));
    token = body.pagination?.next_page_token ?? '';
    if (!token) return ids;
  }
}

const PAGE = /* GraphQL */ `
  query ($id: ID!, $first: Int, $after: String, $onlyTerminal: Boolean) {
    bulkSync(id: $id) {
      executions(first: $first, after: $after, onlyTerminal: $onlyTerminal) {
        edges { cursor node { id status } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }`;

interface Page {
  edges: { cursor: string; node: { id: string; status: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Walks a sync's history through the gateway, `first` at a time. */
async function walk(id: string, first: number, onlyTerminal = false) {
  const ids: string[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const answer = await t.query(PAGE, { id, first, after, onlyTerminal });
    expect(answer.body.errors).toBeUndefined();
    const page = dataOf<{ executions: Page }>(answer, 'bulkSync').executions;
    pages += 1;
    ids.push(...page.edges.map((edge) => edge.node.id));
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
    if (!page.pageInfo.hasNextPage) return { ids, pages };
    after = page.pageInfo.endCursor;
  }
}

describe('history', () => {
  it('walks 60+ executions in pages, newest first, with no duplicate or gap', async () => {
    t = await startTestApp();
    const sync = SIM_CATALOGUE_SYNCS.salesforceBigquery;
    const expected = await upstreamHistory(sync);
    expect(expected.length).toBeGreaterThanOrEqual(60);
    for (const first of [7, 20, 100]) {
      const calls = t.sim.calls('executions');
      const { ids, pages } = await walk(sync, first);
      expect(ids).toEqual(expected);
      // Resumed from each page's endCursor: one history call per page.
      expect(t.sim.calls('executions') - calls).toBe(pages);
      // Page sizes that do not divide the history: whether a last full page names a next one
      // is Polytomic's to say.
      expect(expected.length % first).not.toBe(0);
      expect(pages).toBe(Math.ceil(expected.length / first));
    }
  });

  it('fetches a page, or an execution, asked twice in one operation once (aliases, other casing)', async () => {
    t = await startTestApp();
    const sync = SIM_CATALOGUE_SYNCS.salesforceBigquery;
    const [newest] = await upstreamHistory(sync);
    const twice = /* GraphQL */ `
      query ($id: ID!, $upper: ID!, $run: ID!) {
        a: bulkSync(id: $id) { executions(first: 5) { nodes { id } } execution(id: $run) { id } }
        b: bulkSync(id: $upper) { executions(first: 5) { nodes { id } } execution(id: $run) { id } }
      }`;
    const [pages, runs] = [t.sim.calls('executions'), t.sim.calls('execution')];
    const answer = await t.query(twice, { id: sync, upper: sync.toUpperCase(), run: newest });
    expect(answer.body.errors).toBeUndefined();
    const a = dataOf<{ executions: { nodes: { id: string }[] } }>(answer, 'a');
    expect(dataOf(answer, 'b')).toEqual(a);
    expect(a.executions.nodes).toHaveLength(5);
    expect([t.sim.calls('executions') - pages, t.sim.calls('execution') - runs]).toEqual([1, 1]);
  });

  it('shares a page in flight between operations of the same key, never across keys', async () => {
    t = await startTestApp();
    const sync = SIM_SYNCS.orders;
    // The first call stays in flight long enough for every query to ask for the same page.
    t.sim.inject({ kind: 'delay', ms: 300 }, { times: 1, route: 'executions' });
    const calls = t.sim.calls('executions');
    const other = { authorization: `Bearer ${SIM_OTHER_KEY}` };
    const answers = await Promise.all([
      t.query(PAGE, { id: sync, first: 3 }),
      t.query(PAGE, { id: sync, first: 3 }),
      t.query(PAGE, { id: sync, first: 3 }, other),
    ]);
    const ids = answers.map((answer) =>
      dataOf<{ executions: Page }>(answer, 'bulkSync').executions.edges.map((e) => e.node.id),
    );
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
    expect(ids[0]).toHaveLength(3);
    // One call for the service key's two queries, one for the other key's.
    expect(t.sim.calls('executions') - calls).toBe(2);
  });

  it('makes one call for a first page, as it declares, though Polytomic sent a short one', async () => {
    t = await startTestApp();
    const sync = SIM_CATALOGUE_SYNCS.salesforceBigquery;
    const response = await fetch(`${t.sim.url}/api/bulk/syncs/${sync}/executions?limit=1`, {
      headers: { authorization: `Bearer ${SIM_KEY}` },
    });
    // Polytomic's own first page of one run, with its token: served where five were asked.
    const short = await response.text();
    const { data } = JSON.parse(short) as { data: { id: string }[] };
    t.sim.inject({ kind: 'malformed', body: short }, { times: 1, route: 'executions' });
    const calls = t.sim.calls('executions');
    const answer = await t.query(PAGE, { id: sync, first: 5 });
    const page = dataOf<{ executions: Page }>(answer, 'bulkSync').executions;
    expect(page.edges.map((edge) => edge.node.id)).toEqual(data.map((run) => run.id));
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(t.sim.calls('executions') - calls).toBe(1);
    // The cursor goes on where Polytomic's page ended.
    const next = await t.query(PAGE, { id: sync, first: 5, after: page.pageInfo.endCursor });
    expect(dataOf<{ executions: Page }>(next, 'bulkSync').executions.edges).toHaveLength(5);
  });

  it('lists finished runs only when asked, and refuses a cursor of the other listing', async () => {
    t = await startTestApp();
    const sync = SIM_CATALOGUE_SYNCS.mysqlBigquery;
    const terminal = await walk(sync, 25, true);
    expect(terminal.ids).toEqual(await upstreamHistory(sync, true));
    const first = await t.query(PAGE, { id: sync, first: 1 });
    const cursor = dataOf<{ executions: Page }>(first, 'bulkSync').executions.pageInfo.endCursor;
    const before = t.sim.calls('executions');
    const mixed = await t.query(PAGE, { id: sync, after: cursor, onlyTerminal: true });
    expect(errorCodes(mixed)).toEqual(['BAD_USER_INPUT']);
    const bad = await t.query(PAGE, { id: sync, first: 101 });
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(t.sim.calls('executions')).toBe(before);
  });

  it('serves one execution with its schema runs, and NOT_FOUND for another sync’s or none', async () => {
    t = await startTestApp();
    const sync = SIM_CATALOGUE_SYNCS.salesforceBigquery;
    const [latest] = await upstreamHistory(sync);
    const answer = await t.query(
      'query ($id: ID!, $e: ID!) { bulkSync(id: $id) { execution(id: $e) { id status schemas { schema status } } } }',
      { id: sync, e: latest },
    );
    const execution = dataOf<{ execution: { id: string; schemas: unknown[] } }>(
      answer,
      'bulkSync',
    ).execution;
    expect(execution.id).toBe(latest);
    expect(execution.schemas.length).toBeGreaterThan(0);
    const missing = await t.query(
      'query ($id: ID!, $e: ID!) { bulkSync(id: $id) { id execution(id: $e) { id } } }',
      { id: SIM_SYNCS.idle, e: latest },
    );
    expect(errorCodes(missing)).toEqual(['NOT_FOUND']);
    expect(missing.body.data).toEqual({ bulkSync: { id: SIM_SYNCS.idle, execution: null } });
    const malformed = await t.query(
      'query ($id: ID!) { bulkSync(id: $id) { execution(id: "nope") { id } } }',
      { id: sync },
    );
    expect(errorCodes(malformed)).toEqual(['BAD_USER_INPUT']);
    expect(malformed.body.errors?.[0]?.message).toBe('"nope" is not an execution id (a UUID).');
  });
});
