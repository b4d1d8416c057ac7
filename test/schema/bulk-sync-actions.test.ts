import { describe, expect, it } from 'vitest';
import { SIM_CATALOGUE_SYNCS, SIM_KEY, SIM_SYNCS } from '../../tools/simulator/index.js';
import { dataOf, errorCodes } from '../utils/operations.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

let t: TestApp;

const OWN = { authorization: `Bearer ${SIM_KEY}` };
const SYNC = SIM_CATALOGUE_SYNCS.hubspotSnowflake;

const START = /* GraphQL */ `
  mutation ($id: ID!, $key: String, $input: StartBulkSyncInput) {
    startBulkSync(id: $id, idempotencyKey: $key, input: $input) {
      execution { id status isTest }
      bulkSync { id status { currentExecution { id status } } }
    }
  }`;
const CANCEL = 'mutation ($id: ID!) { cancelBulkSync(id: $id) { message bulkSync { id } } }';
const PAUSE =
  'mutation ($id: ID!, $active: Boolean!) { setBulkSyncActive(id: $id, active: $active) { bulkSync { id active } } }';

const actionCalls = () =>
  ['start', 'cancel', 'activate'].map((route) => t.sim.calls(route as never));

describe('actions need the caller’s own credential', () => {
  it('answer FORBIDDEN with no call when only the service credential (or none) is there', async () => {
    t = await startTestApp();
    for (const [query, variables] of [
      [START, { id: SYNC }],
      [CANCEL, { id: SYNC }],
      [PAUSE, { id: SYNC, active: false }],
    ] as const) {
      const answer = await t.query(query, variables);
      expect(errorCodes(answer)).toEqual(['FORBIDDEN']);
      expect(answer.body.data).toBeNull();
    }
    await t.close();
    t = await startTestApp({ POLYTOMIC_API_KEY: undefined });
    expect(errorCodes(await t.query(START, { id: SYNC }))).toEqual(['FORBIDDEN']);
    expect(actionCalls()).toEqual([0, 0, 0]);
    expect(t.sim.calls()).toBe(0);
  });
});

describe('startBulkSync', () => {
  it('starts an execution, and the status shows it at once', async () => {
    t = await startTestApp({ CACHE_TTL_MS: '60000' });
    // A status cached before the start must not be served after it.
    await t.query('query ($id: ID!) { bulkSync(id: $id) { id } }', { id: SYNC }, OWN);
    const answer = await t.query(START, { id: SYNC }, OWN);
    expect(answer.body.errors).toBeUndefined();
    const { execution, bulkSync } = dataOf<{
      execution: { id: string; status: string; isTest: boolean };
      bulkSync: { status: { currentExecution: { id: string; status: string } } };
    }>(answer, 'startBulkSync');
    expect(execution.isTest).toBe(false);
    expect(bulkSync.status.currentExecution.id).toBe(execution.id);
    expect(['CREATED', 'SCHEDULED', 'RUNNING']).toContain(bulkSync.status.currentExecution.status);
    expect(actionCalls()).toEqual([1, 0, 0]);
  });

  it('is never answered from the response cache, and drops what that cache held for the caller', async () => {
    t = await startTestApp({ CACHE_TTL_MS: '60000' });
    const STATUS = 'query ($id: ID!) { bulkSync(id: $id) { status { currentExecution { id } } } }';
    const before = await t.query(STATUS, { id: SYNC }, OWN);
    expect(before.body.data).toEqual({ bulkSync: { status: { currentExecution: null } } });
    const MINIMAL =
      'mutation ($id: ID!) { startBulkSync(id: $id) { bulkSync { status { currentExecution { id } } } } }';
    const started = await t.query(MINIMAL, { id: SYNC }, OWN);
    const again = await t.query(MINIMAL, { id: SYNC }, OWN);
    expect(errorCodes(started)).toEqual([]);
    // Executed again (Polytomic refuses a second start), not replayed from a cache.
    expect(errorCodes(again)).toEqual(['CONFLICT']);
    const after = await t.query(STATUS, { id: SYNC }, OWN);
    const { currentExecution } = dataOf<{ status: { currentExecution: { id: string } | null } }>(
      after,
      'bulkSync',
    ).status;
    expect(currentExecution?.id).toMatch(/\w/);
    expect(actionCalls()).toEqual([2, 0, 0]);
  });

  it('answers CONFLICT with Polytomic’s message while a run is in progress, and does not retry', async () => {
    t = await startTestApp();
    await t.query(START, { id: SYNC }, OWN);
    const again = await t.query(START, { id: SYNC }, OWN);
    expect(errorCodes(again)).toEqual(['CONFLICT']);
    expect(again.body.errors?.[0]?.message).toMatch(/already running/i);
    expect(actionCalls()).toEqual([2, 0, 0]);
  });

  it('retries a 503 with the same Idempotency-Key, and one execution starts', async () => {
    t = await startTestApp();
    const manualRuns = async () =>
      (
        await fetch(`${t.sim.url}/api/bulk/syncs/${SYNC}/executions?limit=100`, {
          headers: OWN,
        }).then((r) => r.json() as Promise<{ data: { type: string }[] }>)
      ).data.filter((run) => run.type === 'manual').length;
    const before = await manualRuns();
    // A load balancer's 503: the request never reached Polytomic, which keeps no outcome for it.
    t.sim.inject({ kind: 'status', status: 503, edge: true }, { route: 'start', times: 1 });
    const answer = await t.query(START, { id: SYNC }, OWN);
    expect(answer.body.errors).toBeUndefined();
    const starts = t.sim.requests.filter((request) => request.route === 'start');
    expect(starts).toHaveLength(2);
    const [first, second] = starts.map((request) => request.headers['idempotency-key']);
    expect(first).toMatch(/^[A-Za-z0-9_-]{8,255}$/);
    expect(second).toBe(first);
    expect(await manualRuns()).toBe(before + 1);
  });

  it('sends the client’s idempotencyKey, and refuses a malformed one or a bad input with no call', async () => {
    t = await startTestApp();
    const refused = await Promise.all([
      t.query(START, { id: SYNC, key: 'short' }, OWN),
      t.query(START, { id: SYNC, key: 'has space in it' }, OWN),
      t.query(START, { id: SYNC, input: { test: true, resyncMode: 'REBUILD' } }, OWN),
      t.query(START, { id: SYNC, input: { fetchMode: 'UNKNOWN' } }, OWN),
      t.query(START, { id: 'not-a-uuid' }, OWN),
    ]);
    for (const answer of refused) expect(errorCodes(answer)).toEqual(['BAD_USER_INPUT']);
    expect(t.sim.calls()).toBe(0);
    const key = 'dashboard-run-0001';
    const answer = await t.query(START, { id: SYNC, key, input: { test: true } }, OWN);
    expect(
      dataOf<{ execution: { isTest: boolean } }>(answer, 'startBulkSync').execution.isTest,
    ).toBe(true);
    expect(t.sim.requests.find((r) => r.route === 'start')?.headers['idempotency-key']).toBe(key);
  });

  it('passes on Polytomic’s message for a 422 as BAD_USER_INPUT', async () => {
    t = await startTestApp();
    t.sim.inject(
      {
        kind: 'status',
        status: 422,
        body: { status: 422, message: 'schemas: unknown schema "x"' },
      },
      { route: 'start' },
    );
    const answer = await t.query(START, { id: SYNC, input: { schemas: ['x'] } }, OWN);
    expect(answer.body.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([
      ['schemas: unknown schema "x"', 'BAD_USER_INPUT'],
    ]);
    expect(actionCalls()).toEqual([1, 0, 0]);
  });
});

describe('cancelBulkSync and setBulkSyncActive', () => {
  it('cancel: the run shows CANCELING', async () => {
    t = await startTestApp();
    await t.query(START, { id: SYNC }, OWN);
    const answer = await t.query(CANCEL, { id: SYNC }, OWN);
    expect(answer.body.errors).toBeUndefined();
    expect(dataOf<{ message: string }>(answer, 'cancelBulkSync').message).toMatch(/\w/);
    const status = await t.query(
      'query ($id: ID!) { bulkSync(id: $id) { status { currentExecution { status } } } }',
      { id: SYNC },
    );
    expect(status.body.data).toEqual({
      bulkSync: { status: { currentExecution: { status: 'CANCELING' } } },
    });
  });

  it('pause and resume: the sync’s own record is read afresh, not from the cache', async () => {
    t = await startTestApp({ CATALOG_TTL_MS: '60000' });
    const read = async () =>
      dataOf<{ active: boolean }>(
        await t.query('query ($id: ID!) { bulkSync(id: $id) { active } }', { id: SYNC }, OWN),
        'bulkSync',
      ).active;
    expect(await read()).toBe(true);
    const paused = await t.query(PAUSE, { id: SYNC, active: false }, OWN);
    expect(paused.body.data).toEqual({
      setBulkSyncActive: { bulkSync: { id: SYNC, active: false } },
    });
    expect(await read()).toBe(false);
    await t.query(PAUSE, { id: SYNC, active: true }, OWN);
    expect(await read()).toBe(true);
    expect(actionCalls()).toEqual([0, 0, 2]);
  });

  it('is refused over GET, as every mutation is', async () => {
    t = await startTestApp();
    const response = await t.app.yoga.fetch(
      `http://gateway.test/graphql?query=${encodeURIComponent(`mutation { cancelBulkSync(id: "${SIM_SYNCS.idle}") { message } }`)}`,
      { headers: OWN },
    );
    expect(response.status).toBe(405);
    expect(t.sim.calls()).toBe(0);
  });
});
