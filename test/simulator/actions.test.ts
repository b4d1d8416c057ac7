import { afterEach, describe, expect, it } from 'vitest';
import {
  type BulkSyncExecution,
  type BulkSyncResponse,
  SIM_CATALOGUE_SYNCS as CAT,
  type ListBulkSyncExecutionsEnvelope,
  SIM_MANUAL_RUN,
  SIM_OTHER_KEY,
  SIM_SYNCS,
  type Simulator,
} from '../../tools/simulator/index.js';
import { BUILT_IN_SYNCS } from '../../tools/simulator/syncs.js';
import { createSyncState, statusBody } from '../../tools/simulator/timeline.js';
import { answered, at, boot, getJson, post, shutdown, status, T0 } from './helpers.js';

afterEach(shutdown);

const MANUAL = CAT.hubspotSnowflake;
/** Ids of the first two runs started on `MANUAL`. */
const FIRST_RUN = 'f988421f-2af6-5dd2-a51f-3799e630b9c9';
const SECOND_RUN = 'f08a23df-db21-5fcd-813d-4a2926408f77';
const API_USER = { id: expect.any(String), name: 'API key user', type: 'user' };

function start(sim: Simulator, syncId: string, body: unknown = {}, headers = {}) {
  return answered(post(sim, `/api/bulk/syncs/${syncId}/executions`, { body, headers }));
}

function cancel(sim: Simulator, syncId: string) {
  return answered(post(sim, `/api/bulk/syncs/${syncId}/cancel`));
}

function activate(sim: Simulator, syncId: string, body: unknown) {
  return answered(post(sim, `/api/bulk/syncs/${syncId}/activate`, { body }));
}

async function executionList(sim: Simulator, syncId: string) {
  const body = await getJson<ListBulkSyncExecutionsEnvelope>(
    sim,
    `/api/bulk/syncs/${syncId}/executions`,
  );
  return body.data;
}

async function sync(sim: Simulator, syncId: string): Promise<BulkSyncResponse> {
  return (await getJson<{ data: BulkSyncResponse }>(sim, `/api/bulk/syncs/${syncId}`)).data;
}

const CONFLICT = {
  status: 409,
  body: { status: 409, message: 'an execution is already running', key: 'conflict', metadata: {} },
};

describe('POST /api/bulk/syncs/{id}/executions (start)', () => {
  it('starts a run that goes created → running → exporting → completed, then joins the history', async () => {
    const sim = await boot();
    expect(await start(sim, MANUAL)).toEqual({
      status: 200,
      body: {
        data: {
          id: FIRST_RUN,
          status: 'created',
          type: 'manual',
          fetch_mode: 'full',
          output_disposition: 'truncate',
          is_partial: false,
          is_resync: false,
          is_test: false,
          record_count: 0,
          error_count: 0,
          warning_count: 0,
          status_message: 'waiting for a worker',
          created_at: '2026-11-29T10:00:00Z',
          updated_at: '2026-11-29T10:00:00Z',
          started_at: null,
          completed_at: null,
          schemas: null,
        },
      },
    });
    // Visible on the very next status call, with the previous run as last_execution.
    const now = (await status(sim, MANUAL)).data;
    expect(now?.current_execution).toMatchObject({ id: FIRST_RUN, status: 'created' });
    expect(now?.last_execution?.created_at).toBe('2026-11-28T14:00:00Z');
    expect(now?.next_execution_time).toBeNull();
    const progress: [number, string, number, string[]][] = [];
    for (const t of [5_000, 10_000, 17_000, 21_999]) {
      at(t);
      const run = (await status(sim, MANUAL)).data?.current_execution;
      const schemas = run?.schemas?.map((s) => s.status) ?? [];
      progress.push([t, run?.status ?? '', run?.record_count ?? -1, schemas]);
    }
    expect(progress).toEqual([
      [5_000, 'running', 31_200, ['running', 'running']],
      [10_000, 'running', 82_000, ['running', 'exporting']],
      [17_000, 'exporting', 138_000, ['exporting', 'exporting']],
      [21_999, 'exporting', 138_000, ['exporting', 'exporting']],
    ]);
    at(SIM_MANUAL_RUN.totalMs);
    const done = (await status(sim, MANUAL)).data;
    expect(done).not.toHaveProperty('current_execution');
    expect(done?.last_execution).toMatchObject({
      id: FIRST_RUN,
      status: 'completed',
      status_message: 'sync completed',
      record_count: 138_000,
      started_at: '2026-11-29T10:00:02Z',
      completed_at: '2026-11-29T10:00:22Z',
      updated_at: '2026-11-29T10:00:22Z',
    });
    const history = await executionList(sim, MANUAL);
    expect(history.map((e) => e.id)).toHaveLength(7);
    expect(history[0]).toEqual({ ...done?.last_execution, schemas: null });
    const one = await getJson<{ data: BulkSyncExecution }>(
      sim,
      `/api/bulk/syncs/${MANUAL}/executions/${FIRST_RUN}`,
    );
    expect(one.data).toEqual(done?.last_execution);
  });

  it('answers 409 while a run is in progress, and starts again once it is over', async () => {
    const sim = await boot();
    // The built-in syncs conflict while their own runs are in progress, as at the start.
    expect(await start(sim, SIM_SYNCS.orders)).toEqual(CONFLICT);
    expect(await start(sim, SIM_SYNCS.backfill)).toEqual(CONFLICT);
    expect(await start(sim, SIM_SYNCS.unknown)).toEqual(CONFLICT);
    expect((await start(sim, MANUAL)).status).toBe(200);
    at(10_000);
    expect(await start(sim, MANUAL)).toEqual(CONFLICT);
    at(SIM_MANUAL_RUN.totalMs);
    expect(await start(sim, MANUAL)).toMatchObject({
      status: 200,
      body: { data: { id: SECOND_RUN } },
    });
  });

  it('applies fetch_mode, resync_mode, schemas and test', async () => {
    const sim = await boot();
    const ids = [CAT.hubspotSnowflake, CAT.hubspotRedshift, CAT.mysqlBigquery];
    const rebuild = await start(sim, ids[0] ?? '', {
      fetch_mode: 'incremental',
      resync_mode: 'rebuild',
    });
    expect(rebuild.body).toMatchObject({
      data: {
        fetch_mode: 'incremental',
        output_disposition: 'rebuild',
        is_resync: true,
        is_partial: false,
      },
    });
    const partial = await start(sim, ids[1] ?? '', { schemas: ['deals'], test: false });
    expect(partial.body).toMatchObject({ data: { is_partial: true, is_test: false } });
    const trial = await start(sim, ids[2] ?? '', { test: true, schemas: [] });
    expect(trial.body).toMatchObject({
      data: { is_test: true, is_partial: false, is_resync: false },
    });
    at(SIM_MANUAL_RUN.totalMs);
    const partialRun = (await status(sim, ids[1] ?? '')).data?.last_execution;
    expect(partialRun?.schemas?.map((s) => [s.schema, s.record_count])).toEqual([['deals', 9_000]]);
    const trialRun = (await status(sim, ids[2] ?? '')).data?.last_execution;
    expect(trialRun?.record_count).toBe(300);
    expect(trialRun?.warning_count).toBe(0);
  });

  it('refuses bad bodies: 400 for bad JSON and test with resync_mode, 422 for wrong fields', async () => {
    const sim = await boot();
    const refusal = (status: number, message: string, key: string) => ({
      status,
      body: { status, message, key, metadata: {} },
    });
    expect(await start(sim, MANUAL, '{"test":')).toEqual(
      refusal(400, 'request body is not valid JSON', 'bad_request'),
    );
    expect(await start(sim, MANUAL, '[1]')).toEqual(
      refusal(422, 'request body must be a JSON object', 'validation_error'),
    );
    expect(await start(sim, MANUAL, { test: true, resync_mode: 'resync' })).toEqual(
      refusal(400, 'test and resync_mode cannot be combined', 'bad_request'),
    );
    expect(await start(sim, MANUAL, { fetch_mode: 'partial' })).toEqual(
      refusal(422, 'fetch_mode must be one of none, incremental, full', 'validation_error'),
    );
    expect(await start(sim, MANUAL, { resync_mode: true })).toEqual(
      refusal(422, 'resync_mode must be one of refetch, resync, rebuild', 'validation_error'),
    );
    expect(await start(sim, MANUAL, { test: 'yes' })).toEqual(
      refusal(422, 'test must be a boolean', 'validation_error'),
    );
    expect(await start(sim, MANUAL, { schemas: 'contacts' })).toEqual(
      refusal(422, 'schemas must be a list of schema ids', 'validation_error'),
    );
    expect(await start(sim, MANUAL, { schemas: ['contacts', 'tickets'] })).toEqual(
      refusal(422, 'unknown schema: tickets', 'validation_error'),
    );
    expect(await start(sim, MANUAL, { resync: true })).toEqual(
      refusal(400, 'resync is no longer accepted; send resync_mode', 'bad_request'),
    );
    // Validation comes before the conflict check, and nothing was started by any of these.
    expect((await status(sim, MANUAL)).data).not.toHaveProperty('current_execution');
    // An empty body is an empty request.
    expect((await answered(post(sim, `/api/bulk/syncs/${MANUAL}/executions`))).status).toBe(200);
  });

  it('takes the legacy resync flag from versions before 2025-09-18', async () => {
    const sim = await boot();
    const old = { 'x-polytomic-version': '2024-02-08' };
    expect(await start(sim, MANUAL, { resync: 'yes' }, old)).toMatchObject({ status: 422 });
    const run = await start(sim, MANUAL, { resync: true }, old);
    expect(run.body).toMatchObject({ data: { is_resync: true, output_disposition: 'rebuild' } });
  });

  it('answers 404 for a sync the key cannot see', async () => {
    const sim = await boot();
    const res = await answered(
      post(sim, `/api/bulk/syncs/${MANUAL}/executions`, { key: SIM_OTHER_KEY, body: {} }),
    );
    expect(res.status).toBe(404);
    expect(
      (await answered(post(sim, `/api/bulk/syncs/${MANUAL}/executions`, { key: null }))).status,
    ).toBe(401);
  });

  it('lets a start overlay a built-in cycle: the cycle that would start meanwhile is skipped', async () => {
    const sim = await boot();
    at(25_000);
    const started = await start(sim, SIM_SYNCS.orders);
    expect(started.body).toMatchObject({ data: { type: 'manual', fetch_mode: 'incremental' } });
    const runId = (started.body as { data: BulkSyncExecution }).data.id;
    at(33_000);
    const during = (await status(sim, SIM_SYNCS.orders)).data;
    expect(during?.current_execution).toMatchObject({ id: runId, status: 'running' });
    expect(during?.next_execution_time).toBe('2026-11-29T10:01:04Z');
    at(50_000);
    const after = (await status(sim, SIM_SYNCS.orders)).data;
    expect(after).not.toHaveProperty('current_execution');
    expect(after?.last_execution).toMatchObject({
      id: runId,
      record_count: 60_000,
      warning_count: 4,
    });
    at(64_000);
    const resumed = (await status(sim, SIM_SYNCS.orders)).data;
    expect(resumed?.current_execution).toMatchObject({
      status: 'created',
      type: 'scheduled',
      created_at: '2026-11-29T10:01:04Z',
    });
    expect(resumed?.last_execution?.id).toBe(runId);
    const history = await executionList(sim, SIM_SYNCS.orders);
    expect(history.slice(0, 3).map((e) => [e.type, e.created_at])).toEqual([
      ['scheduled', '2026-11-29T10:01:04Z'],
      ['manual', '2026-11-29T10:00:25Z'],
      ['scheduled', '2026-11-29T10:00:00Z'],
    ]);
  });

  it('follows a setStatus override for the conflict check', async () => {
    const sim = await boot();
    sim.setStatus(MANUAL, { data: { current_execution: { id: 'x' } as BulkSyncExecution } });
    expect(await start(sim, MANUAL)).toEqual(CONFLICT);
    sim.setStatus(MANUAL, '{"data":{}}');
    expect((await start(sim, MANUAL)).status).toBe(200);
    // The override still answers the status endpoint.
    expect(await status(sim, MANUAL)).toEqual({ data: {} });
  });

  it('runs an added sync, keeping its fixed body until something happens to it', async () => {
    const sim = await boot();
    const id = '0a0a0a0a-0000-4000-8000-00000000beef';
    sim.addSync(id, { data: { next_execution_time: null } });
    expect(await status(sim, id)).toEqual({ data: { next_execution_time: null } });
    expect((await start(sim, id)).status).toBe(200);
    at(SIM_MANUAL_RUN.totalMs);
    const run = (await status(sim, id)).data?.last_execution;
    expect(run?.schemas?.map((s) => [s.schema, s.record_count])).toEqual([
      ['public.records', 1_000],
    ]);
  });
});

describe('POST /api/bulk/syncs/{id}/cancel', () => {
  it('cancels a started run: canceling, then canceled a moment later', async () => {
    const sim = await boot();
    await start(sim, MANUAL);
    at(5_000);
    expect(await cancel(sim, MANUAL)).toEqual({
      status: 200,
      body: { data: { message: `cancellation of execution ${FIRST_RUN} requested` } },
    });
    const canceling = (await status(sim, MANUAL)).data?.current_execution;
    expect(canceling).toMatchObject({
      id: FIRST_RUN,
      status: 'canceling',
      record_count: 31_200,
      completed_at: null,
    });
    at(7_000);
    expect((await status(sim, MANUAL)).data?.current_execution?.record_count).toBe(31_200);
    expect(await start(sim, MANUAL)).toEqual(CONFLICT);
    expect(await cancel(sim, MANUAL)).toEqual({
      status: 200,
      body: { data: { message: 'cancellation already requested' } },
    });
    at(5_000 + SIM_MANUAL_RUN.cancelMs);
    const after = (await status(sim, MANUAL)).data;
    expect(after).not.toHaveProperty('current_execution');
    expect(after?.last_execution).toMatchObject({
      id: FIRST_RUN,
      status: 'canceled',
      status_message: 'execution canceled',
      record_count: 31_200,
      completed_at: '2026-11-29T10:00:08Z',
      updated_at: '2026-11-29T10:00:08Z',
    });
    expect(after?.last_execution?.schemas?.map((s) => [s.status, s.completed_at])).toEqual([
      ['canceled', '2026-11-29T10:00:08Z'],
      ['canceled', '2026-11-29T10:00:08Z'],
    ]);
    expect((await start(sim, MANUAL)).body).toMatchObject({ data: { id: SECOND_RUN } });
  });

  it('says so, with a 200, when nothing runs', async () => {
    const sim = await boot();
    expect(await cancel(sim, MANUAL)).toEqual({
      status: 200,
      body: { data: { message: 'no execution is running' } },
    });
    expect((await status(sim, MANUAL)).data).not.toHaveProperty('current_execution');
  });

  it("cancels a built-in sync's own run; its next cycle starts on time", async () => {
    const sim = await boot();
    at(5_000);
    const before = (await status(sim, SIM_SYNCS.orders)).data?.current_execution;
    await cancel(sim, SIM_SYNCS.orders);
    at(9_000);
    const canceled = (await status(sim, SIM_SYNCS.orders)).data;
    expect(canceled).not.toHaveProperty('current_execution');
    expect(canceled?.last_execution).toMatchObject({
      id: before?.id,
      status: 'canceled',
      record_count: 14_250,
      completed_at: '2026-11-29T10:00:08Z',
    });
    expect(canceled?.next_execution_time).toBe('2026-11-29T10:00:32Z');
    at(32_000);
    const next = (await status(sim, SIM_SYNCS.orders)).data;
    expect(next?.current_execution?.status).toBe('created');
    expect(next?.last_execution?.id).toBe(before?.id);
  });

  it('cancels the never-ending backfill, after which it can be started', async () => {
    const sim = await boot();
    await cancel(sim, SIM_SYNCS.backfill);
    expect((await status(sim, SIM_SYNCS.backfill)).data?.current_execution?.status).toBe(
      'canceling',
    );
    at(SIM_MANUAL_RUN.cancelMs);
    const done = (await status(sim, SIM_SYNCS.backfill)).data;
    expect(done?.last_execution).toMatchObject({ status: 'canceled', record_count: 3_012_345_678 });
    expect((await start(sim, SIM_SYNCS.backfill)).status).toBe(200);
  });
});

describe('POST /api/bulk/syncs/{id}/activate', () => {
  it('pauses a sync, cancelling its run and stopping its cycle, and resumes it', async () => {
    const sim = await boot();
    at(5_000);
    expect(await activate(sim, SIM_SYNCS.orders, { active: false })).toEqual({
      status: 200,
      body: { data: { id: SIM_SYNCS.orders, active: false } },
    });
    expect((await status(sim, SIM_SYNCS.orders)).data).toMatchObject({
      current_execution: { status: 'canceling' },
      next_execution_time: null,
    });
    expect(await sync(sim, SIM_SYNCS.orders)).toMatchObject({
      active: false,
      updated_at: '2026-11-29T10:00:05Z',
      updated_by: API_USER,
    });
    at(40_000);
    const paused = (await status(sim, SIM_SYNCS.orders)).data;
    expect(paused).not.toHaveProperty('current_execution');
    expect(paused?.last_execution?.status).toBe('canceled');
    expect(await activate(sim, SIM_SYNCS.orders, { active: true })).toEqual({
      status: 200,
      body: { data: { id: SIM_SYNCS.orders, active: true } },
    });
    expect((await status(sim, SIM_SYNCS.orders)).data?.next_execution_time).toBe(
      '2026-11-29T10:01:04Z',
    );
    at(64_000);
    expect((await status(sim, SIM_SYNCS.orders)).data?.current_execution).toMatchObject({
      status: 'created',
      created_at: '2026-11-29T10:01:04Z',
    });
    // The cycle that would have started at 10:00:32 while paused never happened.
    const starts = (await executionList(sim, SIM_SYNCS.orders)).map((e) => e.created_at);
    expect(starts.slice(0, 3)).toEqual([
      '2026-11-29T10:01:04Z',
      '2026-11-29T10:00:00Z',
      '2026-11-29T09:59:28Z',
    ]);
  });

  it('resumes a paused catalogue sync on its schedule', async () => {
    const sim = await boot();
    expect((await status(sim, CAT.salesforceRedshift)).data?.next_execution_time).toBeNull();
    await activate(sim, CAT.salesforceRedshift, { active: true });
    expect((await status(sim, CAT.salesforceRedshift)).data?.next_execution_time).toBe(
      '2026-11-30T04:00:00Z',
    );
    expect((await sync(sim, CAT.salesforceRedshift)).active).toBe(true);
    sim.setNow(() => Date.UTC(2026, 10, 30, 4, 1, 0));
    const running = (await status(sim, CAT.salesforceRedshift)).data?.current_execution;
    expect(running).toMatchObject({ status: 'running', created_at: '2026-11-30T04:00:00Z' });
  });

  it('counts every call as an update, and leaves the status alone when nothing changes', async () => {
    const sim = await boot();
    at(5_000);
    const before = await status(sim, SIM_SYNCS.orders);
    await activate(sim, SIM_SYNCS.orders, { active: true });
    expect(await status(sim, SIM_SYNCS.orders)).toEqual(before);
    const updated = await sync(sim, SIM_SYNCS.orders);
    expect(updated).toMatchObject({ active: true, updated_at: '2026-11-29T10:00:05Z' });
    const first = (await getJson<{ data: { id: string }[] }>(sim, '/api/bulk/syncs')).data[0];
    expect(first?.id).toBe(SIM_SYNCS.orders);
  });

  it('refuses a body without a boolean active', async () => {
    const sim = await boot();
    const validation = {
      status: 422,
      body: {
        status: 422,
        message: 'active is required and must be a boolean',
        key: 'validation_error',
        metadata: {},
      },
    };
    expect(await activate(sim, MANUAL, {})).toEqual(validation);
    expect(await activate(sim, MANUAL, { active: 'false' })).toEqual(validation);
    expect((await activate(sim, MANUAL, 'active=false')).status).toBe(400);
    expect((await sync(sim, MANUAL)).updated_at).toBe('2026-11-23T10:00:00Z');
  });
});

describe('overlay of the built-in syncs', () => {
  it('computes exactly the built-in status from the timeline when nothing was done', () => {
    // Once the API touches a sync its status comes from the timeline: that must not jump.
    for (const def of BUILT_IN_SYNCS) {
      const state = createSyncState(def, T0, { createdAt: T0, updatedAt: T0 }, undefined);
      for (let t = 0; t < 100_000; t += 500) {
        state.touched = false;
        const builtIn = JSON.stringify(statusBody(state, T0, T0 + t));
        state.touched = true;
        expect(JSON.stringify(statusBody(state, T0, T0 + t))).toBe(builtIn);
      }
    }
  });
});
