import { describe, expect, it } from 'vitest';
import { createCatalogueStore, MAX_LIST_PAGES } from '../../src/datasources/catalogue-store.js';
import type { PolytomicClient } from '../../src/datasources/polytomic/client.js';
import type { BulkSyncRecord, Page } from '../../src/datasources/polytomic/types.js';

const record = (id: string, name = `sync ${id}`): BulkSyncRecord => ({
  id,
  name,
  active: true,
  mode: 'replicate',
  sourceConnectionId: null,
  destinationConnectionId: null,
  schedule: null,
  createdAt: null,
  updatedAt: null,
  createdBy: null,
  updatedBy: null,
});

/** A client whose list answers `pages` in turn, recording every call. */
function fakeClient(pages: Page<BulkSyncRecord>[] = []) {
  const calls: string[] = [];
  let gate: Promise<void> = Promise.resolve();
  const client = {
    async getBulkSync(id: string) {
      calls.push(`sync ${id}`);
      await gate;
      return record(id, `fetched ${id}`);
    },
    async listBulkSyncs(_authorization: string, query: { active?: boolean; pageToken?: string }) {
      calls.push(`list ${query.active} ${query.pageToken ?? '-'}`);
      await gate;
      const page = pages.find((_, n) => (n === 0 ? !query.pageToken : query.pageToken === `t${n}`));
      return page ?? { items: [], nextPageToken: null };
    },
    async getConnection(id: string) {
      calls.push(`connection ${id}`);
      return {
        id,
        name: id,
        type: 'postgresql',
        typeName: 'PostgreSQL',
        logoUrl: null,
        status: 'healthy',
        statusError: null,
      };
    },
  } as unknown as PolytomicClient;
  return {
    client,
    calls,
    hold() {
      let release!: () => void;
      gate = new Promise((resolve) => {
        release = resolve;
      });
      return () => release();
    },
  };
}

const store = (client: PolytomicClient, ttlMs = 60_000) =>
  createCatalogueStore({ client, hashCredential: (a) => `h(${a})`, ttlMs, maxEntries: 100 });

describe('catalogue store', () => {
  it('follows next_page_token while Polytomic sends one, and primes every record', async () => {
    const fake = fakeClient([
      { items: [record('a'), record('b')], nextPageToken: 't1' },
      { items: [record('c')], nextPageToken: 't2' },
      { items: [record('d')], nextPageToken: null },
    ]);
    const catalogue = store(fake.client);
    const all = await catalogue.list('k', undefined);
    expect(all.map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(fake.calls).toEqual(['list undefined -', 'list undefined t1', 'list undefined t2']);
    expect((await catalogue.sync('C', 'k')).name).toBe('sync c');
    expect(await catalogue.list('k', undefined)).toBe(all);
    expect(fake.calls).toHaveLength(3);
  });

  it('refuses a listing whose page token never ends, rather than serve part of it', async () => {
    const fake = fakeClient([
      { items: [record('a')], nextPageToken: 't1' },
      { items: [record('b')], nextPageToken: 't1' },
    ]);
    await expect(store(fake.client).list('k', undefined)).rejects.toThrow(
      'Polytomic sent a body that is not a list of bulk syncs (a page token that never ends)',
    );
    expect(fake.calls).toEqual(['list undefined -', 'list undefined t1']);
  });

  it('stops following a token that never ends at MAX_LIST_PAGES, with an error', async () => {
    let n = 0;
    const client = {
      listBulkSyncs: async () => {
        n += 1;
        return { items: [record(`s${n}`)], nextPageToken: `t${n}` };
      },
    } as unknown as PolytomicClient;
    await expect(store(client).list('k', undefined)).rejects.toThrow(
      'a page token that never ends',
    );
    expect(n).toBe(MAX_LIST_PAGES);
  });

  it('orders the listing most recently updated first, keeping Polytomic’s order among equals', async () => {
    const at = (id: string, updatedAt: string | null) => ({ ...record(id), updatedAt });
    const fake = fakeClient([
      {
        items: [
          at('old', '2026-01-01T00:00:00Z'),
          at('none', null),
          at('new', '2026-03-01T00:00:00Z'),
          at('tie-1', '2026-02-01T00:00:00Z'),
          at('tie-2', '2026-02-01T00:00:00Z'),
        ],
        nextPageToken: null,
      },
    ]);
    const listed = await store(fake.client).list('k', undefined);
    expect(listed.map((r) => r.id)).toEqual(['new', 'tie-1', 'tie-2', 'old', 'none']);
  });

  it('keeps listings apart by filter and by credential', async () => {
    const fake = fakeClient([{ items: [record('a')], nextPageToken: null }]);
    const catalogue = store(fake.client);
    await catalogue.list('k', true);
    await catalogue.list('k', false);
    await catalogue.list('k', undefined);
    await catalogue.list('other', true);
    await catalogue.list('k', true);
    expect(fake.calls).toEqual(['list true -', 'list false -', 'list undefined -', 'list true -']);
  });

  it('shares a call in flight, and caches nothing when the TTL is 0', async () => {
    const fake = fakeClient();
    const catalogue = store(fake.client, 0);
    const release = fake.hold();
    const both = Promise.all([catalogue.sync('a', 'k'), catalogue.sync('A', 'k')]);
    release();
    expect((await both).map((r) => r.id)).toEqual(['a', 'a']);
    await catalogue.sync('a', 'k');
    expect(fake.calls).toEqual(['sync a', 'sync a']);
  });

  it('forgets a sync as every credential sees it, and every listing, when an action changed them', async () => {
    const fake = fakeClient([{ items: [record('a'), record('b')], nextPageToken: null }]);
    const catalogue = store(fake.client);
    await catalogue.list('k', undefined);
    await catalogue.list('other', undefined);
    // Both records came with the listings: no call.
    await catalogue.sync('a', 'k');
    await catalogue.sync('a', 'other');
    await catalogue.sync('b', 'k');
    expect(fake.calls).toEqual(['list undefined -', 'list undefined -']);

    catalogue.invalidate('A');
    await catalogue.sync('a', 'k');
    await catalogue.sync('a', 'other');
    await catalogue.sync('b', 'k');
    await catalogue.list('k', undefined);
    await catalogue.list('other', undefined);
    expect(fake.calls.slice(2)).toEqual([
      'sync a',
      'sync a',
      'list undefined -',
      'list undefined -',
    ]);
  });

  it('does not keep an answer whose call began before the invalidation', async () => {
    // Each call answers when the test says, with its own name.
    const releases: (() => void)[] = [];
    let n = 0;
    const client = {
      getBulkSync: async (id: string) => {
        const name = `answer ${++n}`;
        await new Promise<void>((resolve) => releases.push(resolve));
        return record(id, name);
      },
    } as unknown as PolytomicClient;
    const catalogue = store(client);
    const before = catalogue.sync('a', 'k');
    catalogue.invalidate('a');
    const after = catalogue.sync('a', 'k');
    // The newer call answers first; the older one, which may predate the change, last.
    releases[1]?.();
    expect((await after).name).toBe('answer 2');
    releases[0]?.();
    expect((await before).name).toBe('answer 1');
    expect((await catalogue.sync('a', 'k')).name).toBe('answer 2');
    expect(n).toBe(2);
  });
});
