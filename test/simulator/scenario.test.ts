import { afterEach, describe, expect, it } from 'vitest';
import { SIM_SYNCS } from '../../tools/simulator/index.js';
import { at, boot, shutdown, status } from './helpers.js';

afterEach(shutdown);

describe('cycling sync (orders)', () => {
  it('starts in created with no start time and no schemas', async () => {
    const sim = await boot();
    const { data } = await status(sim, SIM_SYNCS.orders);
    expect(data?.current_execution).toMatchObject({
      status: 'created',
      type: 'scheduled',
      fetch_mode: 'incremental',
      output_disposition: 'retain',
      is_partial: false,
      is_resync: false,
      is_test: false,
      record_count: 0,
      created_at: '2026-11-29T10:00:00Z',
      updated_at: '2026-11-29T10:00:00Z',
      started_at: null,
      completed_at: null,
      schemas: null,
    });
    expect(data?.last_execution).toMatchObject({
      status: 'completed',
      record_count: 60_000,
      warning_count: 4,
      completed_at: '2026-11-29T09:59:50Z',
    });
    expect(data?.next_execution_time).toBe('2026-11-29T10:00:32Z');
  });

  it('runs with growing counts, then exports', async () => {
    const sim = await boot();
    at(5_000);
    const early = (await status(sim, SIM_SYNCS.orders)).data?.current_execution;
    expect(early).toMatchObject({
      status: 'running',
      started_at: '2026-11-29T10:00:02Z',
      updated_at: '2026-11-29T10:00:05Z',
      completed_at: null,
      record_count: 14_250,
      warning_count: 1,
    });
    expect(early?.schemas?.map((s) => [s.schema, s.status, s.record_count])).toEqual([
      ['public.orders', 'running', 3_600],
      ['public.order_items', 'running', 10_200],
      ['public.customers', 'running', 450],
    ]);
    at(10_000);
    const later = (await status(sim, SIM_SYNCS.orders)).data?.current_execution;
    expect(later?.status).toBe('running');
    expect(later?.record_count).toBe(38_000);
    expect(later?.id).toBe(early?.id);
    at(18_000);
    const exporting = (await status(sim, SIM_SYNCS.orders)).data?.current_execution;
    expect(exporting).toMatchObject({
      status: 'exporting',
      record_count: 60_000,
      completed_at: null,
    });
  });

  it('finishes, idles without current_execution, then starts a new execution', async () => {
    const sim = await boot();
    const first = (await status(sim, SIM_SYNCS.orders)).data?.current_execution?.id;
    at(25_000);
    const idle = (await status(sim, SIM_SYNCS.orders)).data;
    expect(idle).not.toHaveProperty('current_execution');
    expect(idle?.last_execution).toMatchObject({
      id: first,
      status: 'completed',
      completed_at: '2026-11-29T10:00:22Z',
      updated_at: '2026-11-29T10:00:22Z',
    });
    expect(idle?.last_execution?.schemas?.every((s) => s.status === 'completed')).toBe(true);
    at(32_000);
    const next = (await status(sim, SIM_SYNCS.orders)).data;
    expect(next?.current_execution?.status).toBe('created');
    expect(next?.current_execution?.id).not.toBe(first);
    expect(next?.last_execution?.id).toBe(first);
  });

  it('follows advance() too', async () => {
    const sim = await boot();
    sim.advance(5_000);
    expect(sim.now() - sim.startedAt).toBe(5_000);
    expect((await status(sim, SIM_SYNCS.orders)).data?.current_execution?.status).toBe('running');
  });
});

describe('other built-in syncs', () => {
  it('fails the invoices run with a failed schema', async () => {
    const sim = await boot();
    at(14_000);
    const { data } = await status(sim, SIM_SYNCS.invoices);
    expect(data).not.toHaveProperty('current_execution');
    expect(data?.last_execution).toMatchObject({
      status: 'failed',
      status_message: '1 of 3 schemas failed: billing.payments',
      error_count: 3,
      fetch_mode: 'full',
      output_disposition: 'truncate',
    });
    expect(data?.last_execution?.schemas?.map((s) => s.status)).toEqual([
      'completed',
      'failed',
      'completed',
    ]);
  });

  it('reports CDC ingestion status alternating ok and warning', async () => {
    const sim = await boot();
    const ok = (await status(sim, SIM_SYNCS.cdc)).data?.ingestion_status;
    expect(ok).toMatchObject({
      enabled: true,
      is_running: true,
      status: 'ok',
      position_time: '2026-11-29T09:59:58Z',
      updated_at: '2026-11-29T10:00:00Z',
    });
    expect(ok?.highwater_mark).toMatch(/^0\/[0-9A-F]+$/);
    at(20_000);
    const warning = (await status(sim, SIM_SYNCS.cdc)).data?.ingestion_status;
    expect(warning?.status).toBe('warning');
    expect(warning?.position).not.toBe(ok?.position);
  });

  it('keeps the idle sync idle with a next run in the future', async () => {
    const sim = await boot();
    at(5_000);
    const { data } = await status(sim, SIM_SYNCS.idle);
    expect(data).not.toHaveProperty('current_execution');
    expect(data?.last_execution?.status).toBe('completed');
    expect(data?.next_execution_time).toBe('2026-11-29T10:05:00Z');
    at(300_000);
    const later = (await status(sim, SIM_SYNCS.idle)).data?.next_execution_time ?? '';
    expect(later).toBe('2026-11-29T10:10:00Z');
    expect(Date.parse(later)).toBeGreaterThan(sim.now());
  });

  it('counts the backfill above 2^31 and within 2^53', async () => {
    const sim = await boot();
    const first = (await status(sim, SIM_SYNCS.backfill)).data?.current_execution;
    expect(first?.record_count).toBe(3_012_345_678);
    expect(first?.record_count).toBeGreaterThan(2 ** 31);
    at(1_000);
    const next = (await status(sim, SIM_SYNCS.backfill)).data?.current_execution;
    expect(next?.record_count).toBe(3_012_471_678);
    expect(Number.isSafeInteger(next?.record_count)).toBe(true);
    expect(next).toMatchObject({ is_resync: true, fetch_mode: 'full' });
  });

  it('reports statuses the contract does not know', async () => {
    const sim = await boot();
    const { data } = await status(sim, SIM_SYNCS.unknown);
    expect(data?.current_execution?.status).toBe('queued_for_retry');
    expect(data?.current_execution?.schemas?.[0]?.status).toBe('throttled');
    expect(data?.last_execution?.status).toBe('interrupted');
    expect(data?.next_execution_time).toBeNull();
  });
});
