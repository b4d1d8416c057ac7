import { afterEach, describe, expect, it } from 'vitest';
import {
  type BulkSyncExecution,
  type BulkSyncStatusEnvelope,
  SIM_CATALOGUE_SYNCS as CAT,
  type ListBulkSyncExecutionsEnvelope,
  SIM_OTHER_KEY,
  SIM_SYNCS,
  type Simulator,
} from '../../tools/simulator/index.js';
import { answered, at, boot, get, getJson, shutdown, status } from './helpers.js';

afterEach(shutdown);

const HOUR = 3_600_000;
const T0_ISO = '2026-11-29T10:00:00Z';

function executions(sim: Simulator, syncId: string, query = '') {
  return getJson<ListBulkSyncExecutionsEnvelope>(
    sim,
    `/api/bulk/syncs/${syncId}/executions${query}`,
  );
}

/** Walks every page of a listing; returns the items and each page's size. */
async function walk(sim: Simulator, syncId: string, query: string) {
  const items: BulkSyncExecution[] = [];
  const sizes: number[] = [];
  let token = '';
  do {
    const sep = query === '' ? '?' : '&';
    const page = await executions(
      sim,
      syncId,
      token === '' ? query : `${query}${sep}page_token=${token}`,
    );
    items.push(...page.data);
    sizes.push(page.data.length);
    expect(Object.keys(page.pagination)).toEqual(['next_page_token']);
    token = page.pagination.next_page_token ?? '';
  } while (token !== '');
  return { items, sizes };
}

const ms = (iso: string | null) => Date.parse(iso ?? '');

function outcomes(items: BulkSyncExecution[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of items) counts[e.status] = (counts[e.status] ?? 0) + 1;
  return counts;
}

describe('GET /api/bulk/syncs/{id}/executions', () => {
  it('walks 72 hourly runs page by page, newest first, with no duplicate or gap', async () => {
    const sim = await boot();
    const { items, sizes } = await walk(sim, CAT.hubspotRedshift, '?limit=25');
    expect(sizes).toEqual([25, 25, 22]);
    expect(new Set(items.map((e) => e.id)).size).toBe(72);
    const starts = items.map((e) => ms(e.created_at));
    expect(starts.slice(1).map((s, n) => (starts[n] ?? 0) - s)).toEqual(Array(71).fill(HOUR));
    expect(items[0]?.created_at).toBe('2026-11-29T09:15:00Z');
    expect(items.at(-1)?.created_at).toBe('2026-11-26T10:15:00Z');
    expect(items.every((e) => e.type === 'scheduled' && e.schemas === null)).toBe(true);
    expect(outcomes(items)).toEqual({ completed: 69, failed: 3 });
  });

  it('varies outcomes: 90 daily runs, some failed, some canceled', async () => {
    const sim = await boot();
    const { items } = await walk(sim, CAT.salesforceBigquery, '?limit=100');
    expect(outcomes(items)).toEqual({ completed: 79, failed: 7, canceled: 4 });
    const failed = items.find((e) => e.status === 'failed');
    expect(failed).toMatchObject({
      status_message: '1 of 4 schemas failed: Opportunity',
      error_count: 1,
    });
    const canceled = items.find((e) => e.status === 'canceled');
    expect(canceled).toMatchObject({ status_message: 'execution canceled', error_count: 0 });
    expect(ms(canceled?.completed_at ?? null)).toBeGreaterThan(ms(canceled?.started_at ?? null));
  });

  it('pages 145 continuous runs by the default page size of 50', async () => {
    const sim = await boot();
    const { items, sizes } = await walk(sim, CAT.postgresBigquery, '');
    expect(sizes).toEqual([50, 50, 45]);
    expect(new Set(items.map((e) => e.id)).size).toBe(145);
    // The run of 10:00 is in progress when the simulator starts; it heads the list.
    expect(items[0]).toMatchObject({ created_at: T0_ISO, status: 'created', completed_at: null });
    expect(items.at(-1)?.created_at).toBe('2026-11-28T10:00:00Z');
  });

  it('lists only finished runs by updated_at with only_terminal', async () => {
    const sim = await boot();
    const { items } = await walk(sim, CAT.postgresBigquery, '?only_terminal=true&limit=100');
    expect(items).toHaveLength(144);
    expect(items.every((e) => e.completed_at !== null)).toBe(true);
    const updated = items.map((e) => ms(e.updated_at));
    expect(updated.every((u, n) => n === 0 || u <= (updated[n - 1] ?? 0))).toBe(true);
    expect(items[0]?.created_at).toBe('2026-11-29T09:50:00Z');
  });

  it('walks from the oldest with ascending, the same runs in reverse', async () => {
    const sim = await boot();
    const newest = await walk(sim, CAT.mysqlBigquery, '?limit=7');
    const oldest = await walk(sim, CAT.mysqlBigquery, '?ascending=true&limit=7');
    expect(newest.items).toHaveLength(60);
    expect(oldest.sizes).toEqual([7, 7, 7, 7, 7, 7, 7, 7, 4]);
    expect(oldest.items.map((e) => e.id)).toEqual(newest.items.map((e) => e.id).reverse());
    expect(oldest.items[0]?.created_at).toBe('2026-11-14T12:30:00Z');
  });

  it('caps limit at 100 and refuses a bad limit, flag or token', async () => {
    const sim = await boot();
    expect((await executions(sim, CAT.postgresBigquery, '?limit=500')).data).toHaveLength(100);
    const bad = (query: string) =>
      answered(get(sim, `/api/bulk/syncs/${CAT.postgresBigquery}/executions${query}`));
    const refusal = (message: string) => ({
      status: 400,
      body: { status: 400, message, key: 'bad_request', metadata: {} },
    });
    expect(await bad('?limit=0')).toEqual(refusal('limit must be a positive integer'));
    expect(await bad('?limit=ten')).toEqual(refusal('limit must be a positive integer'));
    expect(await bad('?ascending=yes')).toEqual(refusal('ascending must be true or false'));
    expect(await bad('?page_token=not-ours')).toEqual(refusal('invalid page_token'));
    // A token is bound to its order: one from the ascending walk means nothing to the default one.
    const page = await executions(sim, CAT.postgresBigquery, '?ascending=true&limit=1');
    expect(await bad(`?page_token=${page.pagination.next_page_token}`)).toEqual(
      refusal('invalid page_token'),
    );
  });

  it('keeps walking from where it was when a new run starts between pages', async () => {
    const sim = await boot();
    const first = await executions(sim, CAT.postgresBigquery, '?limit=3');
    at(10 * 60_000);
    const second = await executions(
      sim,
      CAT.postgresBigquery,
      `?limit=3&page_token=${first.pagination.next_page_token}`,
    );
    const starts = [...first.data, ...second.data].map((e) => e.created_at);
    expect(starts).toEqual([
      '2026-11-29T10:00:00Z',
      '2026-11-29T09:50:00Z',
      '2026-11-29T09:40:00Z',
      '2026-11-29T09:30:00Z',
      '2026-11-29T09:20:00Z',
      '2026-11-29T09:10:00Z',
    ]);
    expect((await executions(sim, CAT.postgresBigquery, '?limit=1')).data[0]?.created_at).toBe(
      '2026-11-29T10:10:00Z',
    );
  });

  it('shows a paused sync without runs after its pause, and a broken one failing', async () => {
    const sim = await boot();
    const paused = await executions(sim, CAT.salesforceRedshift);
    expect(paused.data).toHaveLength(27);
    expect(paused.data[0]?.created_at).toBe('2026-11-26T04:00:00Z');
    const stripe = await executions(sim, CAT.stripeSnowflake);
    expect(stripe.data.map((e) => e.status)).toEqual(['failed', ...Array(11).fill('completed')]);
    expect(stripe.data[0]).toMatchObject({
      created_at: '2026-11-23T06:00:00Z',
      status_message: '1 of 4 schemas failed: charges',
      error_count: 1,
    });
  });

  it('includes what the status shows as current and last', async () => {
    const sim = await boot();
    at(5_000);
    const { data } = (await status(sim, SIM_SYNCS.orders)) as Required<BulkSyncStatusEnvelope>;
    const list = await executions(sim, SIM_SYNCS.orders, '?limit=2');
    expect(list.data).toEqual([
      { ...data.current_execution, schemas: null },
      { ...data.last_execution, schemas: null },
    ]);
    // Twenty earlier cycles and the current one.
    expect((await executions(sim, SIM_SYNCS.orders)).data).toHaveLength(21);
    const idle = await executions(sim, SIM_SYNCS.idle);
    expect(idle.data.map((e) => e.id)).toEqual([
      (await status(sim, SIM_SYNCS.idle)).data?.last_execution?.id,
    ]);
  });

  it('answers 404 for an unknown or hidden sync, 401 without a key', async () => {
    const sim = await boot();
    const path = `/api/bulk/syncs/${CAT.hubspotRedshift}/executions`;
    expect((await get(sim, path, { key: SIM_OTHER_KEY })).status).toBe(404);
    expect((await get(sim, path, { key: null })).status).toBe(401);
    expect(
      (await get(sim, `/api/bulk/syncs/0a0a0a0a-0000-4000-8000-00000000beef/executions`)).status,
    ).toBe(404);
  });
});

describe('GET /api/bulk/syncs/{id}/executions/{exec_id}', () => {
  it('serves one execution with its per-schema breakdown', async () => {
    const sim = await boot();
    const [newest] = (await executions(sim, CAT.hubspotRedshift, '?limit=1')).data;
    const { data } = await getJson<{ data: BulkSyncExecution }>(
      sim,
      `/api/bulk/syncs/${CAT.hubspotRedshift}/executions/${newest?.id}`,
    );
    expect({ ...data, schemas: null }).toEqual(newest);
    expect(data).toMatchObject({
      status: 'completed',
      created_at: '2026-11-29T09:15:00Z',
      started_at: '2026-11-29T09:15:04Z',
      completed_at: '2026-11-29T09:18:05Z',
      record_count: 120_765,
      warning_count: 25,
    });
    expect(data.schemas?.map((s) => [s.schema, s.status, s.record_count, s.warning_count])).toEqual(
      [
        ['contacts', 'completed', 92_888, 0],
        ['companies', 'completed', 15_369, 0],
        ['deals', 'completed', 12_508, 25],
      ],
    );
  });

  it('answers 404 for an unknown execution or one of another sync, 400 for a bad id', async () => {
    const sim = await boot();
    const [other] = (await executions(sim, CAT.mysqlBigquery, '?limit=1')).data;
    const base = `/api/bulk/syncs/${CAT.hubspotRedshift}/executions`;
    const notFound = {
      status: 404,
      body: { status: 404, message: 'execution not found', key: 'not_found', metadata: {} },
    };
    expect(await answered(get(sim, `${base}/${other?.id}`))).toEqual(notFound);
    expect(await answered(get(sim, `${base}/0a0a0a0a-0000-4000-8000-00000000beef`))).toEqual(
      notFound,
    );
    expect((await get(sim, `${base}/nope`)).status).toBe(400);
    expect((await get(sim, `${base}/${other?.id}`, { key: SIM_OTHER_KEY })).status).toBe(404);
  });
});
