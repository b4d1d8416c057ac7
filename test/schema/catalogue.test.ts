import { afterEach, describe, expect, it } from 'vitest';
import {
  SIM_CATALOGUE_SYNCS,
  SIM_CONNECTIONS,
  SIM_KEY,
  SIM_OTHER_KEY,
  SIM_SECRET_PREFIX,
  SIM_SYNCS,
} from '../../tools/simulator/index.js';
import { dataOf } from '../utils/answers.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

let t: TestApp;
afterEach(() => t.close());

/** What the simulator itself lists for a key: the oracle the gateway's answers are held to. */
async function upstreamList(query = ''): Promise<{ id: string; name: string }[]> {
  const response = await fetch(`${t.sim.url}/api/bulk/syncs${query}`, {
    headers: { authorization: `Bearer ${SIM_KEY}` },
  });
  return ((await response.json()) as { data: { id: string; name: string }[] }).data;
}

const codes = (body: { errors?: { extensions?: { code?: string } }[] }) =>
  (body.errors ?? []).map((error) => error.extensions?.code);

describe("a sync's own fields", () => {
  it('come from one record call per sync, and its ends from one call per connection', async () => {
    t = await startTestApp();
    const answer = await t.query(
      /* GraphQL */ `
      query ($id: ID!) {
        bulkSync(id: $id) {
          name active mode rawMode
          schedule { frequency rawFrequency minute hour dayOfWeek dayOfMonth month }
          source { id name type typeName status statusError }
          destination { id name type }
          createdBy { type } updatedBy { type }
          createdAt updatedAt
          status { latestExecution { status } }
        }
      }`,
      { id: SIM_SYNCS.orders },
    );
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.['bulkSync']).toMatchObject({
      name: 'Postgres → Snowflake',
      active: true,
      mode: 'SNAPSHOT',
      rawMode: 'snapshot',
      schedule: { frequency: 'CONTINUOUS', rawFrequency: 'continuous' },
      source: {
        id: SIM_CONNECTIONS.postgres,
        type: 'postgresql',
        typeName: 'PostgreSQL',
        statusError: null,
      },
      destination: { id: SIM_CONNECTIONS.snowflake, type: 'snowflake' },
    });
    expect([
      t.sim.calls('status'),
      t.sim.calls('sync'),
      t.sim.calls('connection'),
      t.sim.calls(),
    ]).toEqual([1, 1, 2, 4]);
    expect(answer.text).not.toContain(SIM_SECRET_PREFIX);
  });

  it('each fail alone: the status stays, with an error at every failed field', async () => {
    t = await startTestApp();
    t.sim.inject({ kind: 'status', status: 503 }, { route: 'sync' });
    const answer = await t.query(
      'query ($id: ID!) { bulkSync(id: $id) { id name active status { nextExecutionTime } } }',
      { id: SIM_SYNCS.idle },
    );
    const sync = answer.body.data?.['bulkSync'] as Record<string, unknown>;
    expect(sync['name']).toBeNull();
    expect(sync['active']).toBeNull();
    expect(sync['status']).not.toBeNull();
    expect(answer.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['bulkSync', 'name'], 'UPSTREAM_UNAVAILABLE'],
      [['bulkSync', 'active'], 'UPSTREAM_UNAVAILABLE'],
    ]);
  });

  it("reads an older API version's schedule", async () => {
    t = await startTestApp({ POLYTOMIC_API_VERSION: '2024-02-08' });
    const answer = await t.query(
      'query ($id: ID!) { bulkSync(id: $id) { schedule { frequency minute } } }',
      { id: SIM_CATALOGUE_SYNCS.hubspotRedshift },
    );
    expect(answer.body).toEqual({
      data: { bulkSync: { schedule: { frequency: 'HOURLY', minute: '15' } } },
    });
  });
});

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
    for (const answer of sizes) expect(codes(answer.body)).toEqual(['BAD_USER_INPUT']);
    const foreign = await t.query(
      'query ($after: String) { allBulkSyncs(after: $after) { nodes { id } } }',
      { after: 'not-a-cursor' },
    );
    expect(codes(foreign.body)).toEqual(['BAD_USER_INPUT']);
    const page = await t.query(
      '{ allBulkSyncs(active: true, first: 1) { pageInfo { endCursor } } }',
    );
    const cursor = dataOf<{ pageInfo: { endCursor: string } }>(page, 'allBulkSyncs').pageInfo
      .endCursor;
    const otherFilter = await t.query(
      'query ($after: String) { allBulkSyncs(active: false, after: $after) { nodes { id } } }',
      { after: cursor },
    );
    expect(codes(otherFilter.body)).toEqual(['BAD_USER_INPUT']);
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
