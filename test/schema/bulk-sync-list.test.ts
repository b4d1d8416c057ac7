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

/** What the simulator itself lists for a key: the oracle the gateway's answers are held to. */
async function upstreamList(query = ''): Promise<{ id: string; name: string }[]> {
  const response = await fetch(`${t.sim.url}/api/bulk/syncs${query}`, {
    headers: { authorization: `Bearer ${SIM_KEY}` },
  });
  return ((await response.json()) as { data: { id: string; name: string }[] }).data;
}

describe('allBulkSyncs', () => {
  it('lists every sync with its own fields at the cost of one call', async () => {
    t = await startTestApp({ CATALOG_TTL_MS: '0' });
    const answer = await t.query(
      '{ allBulkSyncs(first: 100) { nodes { id name active } pageInfo { hasNextPage } } }',
    );
    const expected = await upstreamList();
    expect(answer.body.data).toEqual({
      allBulkSyncs: {
        nodes: expected.map(({ id, name }) => ({
          id,
          name,
          active: ![SIM_SYNCS.unknown, SIM_CATALOGUE_SYNCS.salesforceRedshift].includes(
            id as never,
          ),
        })),
        pageInfo: { hasNextPage: false },
      },
    });
    expect(expected).toHaveLength(14);
    // The oracle's own listing is one more call on the simulator's counter.
    expect(t.sim.calls()).toBe(2);
  });

  it('adds one status call per sync on the page, and one call per distinct connection', async () => {
    t = await startTestApp({ CATALOG_TTL_MS: '0' });
    const answer = await t.query(/* GraphQL */ `{
      allBulkSyncs(first: 5) {
        nodes { id status { nextExecutionTime } source { id } destination { id } }
      }
    }`);
    expect(answer.body.errors).toBeUndefined();
    const nodes = dataOf<{
      nodes: { id: string; source: { id: string }; destination: { id: string } }[];
    }>(answer, 'allBulkSyncs').nodes;
    const connections = new Set(nodes.flatMap((n) => [n.source.id, n.destination.id]));
    expect(nodes).toHaveLength(5);
    expect([t.sim.calls('list'), t.sim.calls('status'), t.sim.calls('sync')]).toEqual([1, 5, 0]);
    expect(t.sim.calls('connection')).toBe(connections.size);
    expect(connections.size).toBeLessThan(10);
  });

  it('pages with opaque cursors, with no sync twice and none left out', async () => {
    t = await startTestApp();
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const answer = await t.query(
        'query ($after: String) { allBulkSyncs(first: 4, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      const { edges, pageInfo } = dataOf<{
        edges: { cursor: string; node: { id: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      }>(answer, 'allBulkSyncs');
      seen.push(...edges.map((edge) => edge.node.id));
      expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor ?? null);
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(seen).toEqual((await upstreamList()).map((sync) => sync.id));
    // One listing for the four pages (CATALOG_TTL_MS), plus the oracle's.
    expect(t.sim.calls('list')).toBe(2);
  });

  it('filters by active, and follows next_page_token when Polytomic pages', async () => {
    t = await startTestApp({ CATALOG_TTL_MS: '0' }, {}, { listPageSize: 3 });
    const ask = async (active: boolean | null) => {
      const answer = await t.query(
        'query ($active: Boolean) { allBulkSyncs(active: $active, first: 100) { nodes { id } } }',
        { active },
      );
      return dataOf<{ nodes: { id: string }[] }>(answer, 'allBulkSyncs').nodes.map(
        (node) => node.id,
      );
    };
    const paused = await ask(false);
    expect(paused).toEqual([SIM_CATALOGUE_SYNCS.salesforceRedshift, SIM_SYNCS.unknown]);
    expect(t.sim.calls('list')).toBe(1);
    const all = await ask(null);
    expect(all).toEqual((await upstreamList('?limit=50')).map((sync) => sync.id));
    // 14 syncs in pages of 3: five listing calls for the gateway's walk, one for the oracle's.
    expect(t.sim.calls('list')).toBe(1 + 5 + 1);
    const active = await ask(true);
    expect(active).toHaveLength(12);
  });

  it('refuses a page size outside 1 to 100 and a foreign cursor, with no upstream call', async () => {
    t = await startTestApp();
    const sizes = await Promise.all(
      [0, 101, -1].map((first) =>
        t.query('query ($n: Int) { allBulkSyncs(first: $n) { nodes { id } } }', { n: first }),
      ),
    );
    for (const answer of sizes) expect(errorCodes(answer)).toEqual(['BAD_USER_INPUT']);
    const foreign = await t.query(
      'query ($after: String) { allBulkSyncs(after: $after) { nodes { id } } }',
      { after: 'not-a-cursor' },
    );
    expect(errorCodes(foreign)).toEqual(['BAD_USER_INPUT']);
    const page = await t.query(
      '{ allBulkSyncs(active: true, first: 1) { pageInfo { endCursor } } }',
    );
    const cursor = dataOf<{ pageInfo: { endCursor: string } }>(page, 'allBulkSyncs').pageInfo
      .endCursor;
    const otherFilter = await t.query(
      'query ($after: String) { allBulkSyncs(active: false, after: $after) { nodes { id } } }',
      { after: cursor },
    );
    expect(errorCodes(otherFilter)).toEqual(['BAD_USER_INPUT']);
    expect(t.sim.calls()).toBe(1);
  });

  it('shows each key only what it may see', async () => {
    t = await startTestApp();
    const answer = await t.query(
      '{ allBulkSyncs { nodes { id } } }',
      {},
      { authorization: `Bearer ${SIM_OTHER_KEY}` },
    );
    const ids = dataOf<{ nodes: { id: string }[] }>(answer, 'allBulkSyncs').nodes.map(
      (node) => node.id,
    );
    expect(ids.sort()).toEqual([SIM_SYNCS.orders, SIM_SYNCS.cdc].sort());
  });
});
