import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  SIM_DEPLOYMENT_KEY,
  SIM_KEY,
  SIM_ORG_ID,
  SIM_OTHER_KEY,
  SIM_OTHER_KEY_SYNCS,
  SIM_SYNCS,
} from '../../tools/simulator/index.js';
import { fullStatusFixture, syncId } from '../fixtures/status.js';
import { expectNoLeak } from '../utils/leaks.js';
import { FULL_BULK_SYNC, MANY_SYNCS, ONE_SYNC } from '../utils/operations.js';
import { startTestApp, warnedFields } from '../utils/test-app.js';

const FULL = syncId(1);

/** The fixture as the contract exposes it. */
const FULL_STATUS = {
  currentExecution: {
    id: '0b9c7d1e-5f2a-4c3b-9a8d-7e6f5a4b3c21',
    status: 'RUNNING',
    rawStatus: 'running',
    statusMessage: 'Syncing 3 schemas',
    type: 'scheduled',
    fetchMode: 'INCREMENTAL',
    outputDisposition: 'RETAIN',
    isPartial: false,
    isResync: false,
    isTest: false,
    recordCount: 3000000000,
    errorCount: 12,
    warningCount: 340,
    createdAt: '2024-04-20T15:45:00Z',
    startedAt: '2024-04-20T15:45:05Z',
    completedAt: null,
    updatedAt: '2024-04-20T16:02:31.123456Z',
    schemas: [
      {
        schema: 'public.events',
        outputName: 'events',
        status: 'COMPLETED',
        rawStatus: 'completed',
        statusMessage: '',
        recordCount: 2998000000,
        errorCount: 0,
        warningCount: 0,
        createdAt: '2024-04-20T15:45:00Z',
        startedAt: '2024-04-20T15:45:06Z',
        completedAt: '2024-04-20T16:00:00Z',
        updatedAt: '2024-04-20T16:00:00Z',
      },
      {
        schema: 'public.customers',
        outputName: 'customers',
        status: 'EXPORTING',
        rawStatus: 'exporting',
        statusMessage: 'Exporting rows',
        recordCount: 2000000,
        errorCount: 12,
        warningCount: 340,
        createdAt: '2024-04-20T15:45:00Z',
        startedAt: '2024-04-20T15:45:07Z',
        completedAt: null,
        updatedAt: '2024-04-20T16:02:31Z',
      },
      {
        schema: 'public.audit_log',
        outputName: 'audit_log',
        status: 'UNKNOWN',
        rawStatus: 'throttled',
        statusMessage: 'Waiting for a worker',
        recordCount: 0,
        errorCount: 0,
        warningCount: 0,
        createdAt: '2024-04-20T15:45:00Z',
        startedAt: null,
        completedAt: null,
        updatedAt: '2024-04-20T15:45:00Z',
      },
    ],
  },
  lastExecution: {
    id: '7f3e2d1c-0b9a-4876-9543-210fedcba987',
    status: 'UNKNOWN',
    rawStatus: 'paused_for_maintenance',
    statusMessage: 'Paused by Polytomic',
    type: 'scheduled',
    fetchMode: 'FULL',
    outputDisposition: 'TRUNCATE',
    isPartial: true,
    isResync: true,
    isTest: true,
    recordCount: 1500,
    errorCount: 3,
    warningCount: 1,
    createdAt: '2024-04-19T15:45:00Z',
    startedAt: '2024-04-19T15:45:02Z',
    completedAt: '2024-04-19T16:10:00Z',
    updatedAt: '2024-04-19T16:10:00Z',
    schemas: [],
  },
  ingestionStatus: {
    enabled: true,
    isRunning: true,
    status: 'WARNING',
    rawStatus: 'warning',
    statusMessage: 'Replication slot lag is above 5 minutes',
    highwaterMark: '0/16B6C50',
    position: '0/16B6D28',
    positionTime: null,
    updatedAt: '2024-04-20T16:02:30Z',
  },
  nextExecutionTime: null,
};

describe('field mapping', () => {
  it('round-trips every contract field of the full fixture', async () => {
    const t = await startTestApp();
    t.sim.addSync(FULL, fullStatusFixture());
    const res = await t.query(FULL_BULK_SYNC, { id: FULL });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { bulkSync: { id: FULL, status: FULL_STATUS } } });
    expect(t.sim.statusCalls()).toBe(1);
    expect(t.sim.statusCalls(FULL)).toBe(1);
  });

  it('sends 3,000,000,000 as the bare JSON number and UTC timestamps as sent', async () => {
    const t = await startTestApp();
    t.sim.addSync(FULL, fullStatusFixture());
    const res = await t.query(FULL_BULK_SYNC, { id: FULL });
    expect(res.text).toContain('"recordCount":3000000000,');
    expect(res.text).toContain('"updatedAt":"2024-04-20T16:02:31.123456Z"');
    expect(res.text).toContain('"createdAt":"2024-04-20T15:45:00Z"');
    expect(res.text).not.toContain('"3000000000"');
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('applies a fixture status set with setStatus on a built-in sync', async () => {
    const t = await startTestApp();
    t.sim.setStatus(SIM_SYNCS.orders, fullStatusFixture());
    const res = await t.query(FULL_BULK_SYNC, { id: SIM_SYNCS.orders });
    expect(res.body).toEqual({
      data: { bulkSync: { id: SIM_SYNCS.orders, status: FULL_STATUS } },
    });
    expect(t.sim.statusCalls(SIM_SYNCS.orders)).toBe(1);
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('maps every known enum value and UNKNOWN for the rest', async () => {
    const t = await startTestApp();
    const run = (status: string, fetchMode: string, outputDisposition: string) => ({
      id: 'e',
      status,
      fetch_mode: fetchMode,
      output_disposition: outputDisposition,
      schemas: [{ schema: 's', status }],
    });
    const cases: [string, string, string][] = [
      ['created', 'none', 'retain'],
      ['canceling', 'incremental', 'truncate'],
      ['errors', 'full', 'rebuild'],
      ['interrupted', 'partial', 'append'],
      ['processing', 'Full', 'REBUILD'],
    ];
    cases.forEach(([status, fetchMode, disposition], i) => {
      t.sim.addSync(
        syncId(100 + i),
        JSON.stringify({
          data: { current_execution: run(status, fetchMode, disposition) },
        }),
      );
    });
    const res = await t.query(
      /* GraphQL */ `
        query ($ids: [ID!]!) {
          bulkSyncs(ids: $ids) {
            status {
              currentExecution {
                status
                rawStatus
                fetchMode
                outputDisposition
                schemas { status rawStatus }
              }
            }
          }
        }
      `,
      { ids: cases.map((_, i) => syncId(100 + i)) },
    );
    const pick = (
      status: string,
      rawStatus: string,
      fetchMode: string,
      outputDisposition: string,
      schemaStatus: string,
    ) => ({
      status: {
        currentExecution: {
          status,
          rawStatus,
          fetchMode,
          outputDisposition,
          schemas: [{ status: schemaStatus, rawStatus }],
        },
      },
    });
    expect(res.body).toEqual({
      data: {
        bulkSyncs: [
          pick('CREATED', 'created', 'NONE', 'RETAIN', 'CREATED'),
          pick('CANCELING', 'canceling', 'INCREMENTAL', 'TRUNCATE', 'UNKNOWN'),
          pick('ERRORS', 'errors', 'FULL', 'REBUILD', 'UNKNOWN'),
          pick('INTERRUPTED', 'interrupted', 'UNKNOWN', 'UNKNOWN', 'INTERRUPTED'),
          pick('PROCESSING', 'processing', 'FULL', 'REBUILD', 'PROCESSING'),
        ],
      },
    });
    expect(t.sim.statusCalls()).toBe(5);
  });

  it('folds missing keys and nulls to null, a null schema list to []', async () => {
    const t = await startTestApp();
    t.sim.addSync(
      FULL,
      JSON.stringify({
        data: {
          last_execution: {
            id: 'exec-1',
            status: 'completed',
            record_count: null,
            started_at: null,
            schemas: null,
          },
          ingestion_status: { enabled: false, is_running: false, status: 'ok' },
        },
      }),
    );
    const res = await t.query(FULL_BULK_SYNC, { id: FULL });
    expect(res.body).toEqual({
      data: {
        bulkSync: {
          id: FULL,
          status: {
            currentExecution: null,
            lastExecution: {
              id: 'exec-1',
              status: 'COMPLETED',
              rawStatus: 'completed',
              statusMessage: null,
              type: null,
              fetchMode: null,
              outputDisposition: null,
              isPartial: null,
              isResync: null,
              isTest: null,
              recordCount: null,
              errorCount: null,
              warningCount: null,
              createdAt: null,
              startedAt: null,
              completedAt: null,
              updatedAt: null,
              schemas: [],
            },
            ingestionStatus: {
              enabled: false,
              isRunning: false,
              status: 'OK',
              rawStatus: 'ok',
              statusMessage: null,
              highwaterMark: null,
              position: null,
              positionTime: null,
              updatedAt: null,
            },
            nextExecutionTime: null,
          },
        },
      },
    });
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('answers an all-null status for an empty data object', async () => {
    const t = await startTestApp();
    t.sim.addSync(FULL, { data: {} });
    t.sim.addSync(syncId(2), '{}');
    const res = await t.query(MANY_SYNCS, { ids: [FULL, syncId(2)] });
    const empty = { nextExecutionTime: null, currentExecution: null };
    expect(res.body).toEqual({
      data: {
        bulkSyncs: [
          { id: FULL, status: empty },
          { id: syncId(2), status: empty },
        ],
      },
    });
    expect(t.sim.statusCalls()).toBe(2);
  });

  it('converts offset timestamps to UTC and keeps UTC ones byte for byte', async () => {
    const t = await startTestApp();
    t.sim.addSync(FULL, {
      data: { next_execution_time: '2024-04-20T17:45:00+02:00' },
    });
    t.sim.addSync(syncId(2), { data: { next_execution_time: '2024-04-20T15:45:00Z' } });
    t.sim.addSync(syncId(3), { data: { next_execution_time: '2024-04-20T15:45:00.5Z' } });
    const res = await t.query(MANY_SYNCS, { ids: [FULL, syncId(2), syncId(3)] });
    expect(res.body).toEqual({
      data: {
        bulkSyncs: [
          {
            id: FULL,
            status: { nextExecutionTime: '2024-04-20T15:45:00Z', currentExecution: null },
          },
          {
            id: syncId(2),
            status: { nextExecutionTime: '2024-04-20T15:45:00Z', currentExecution: null },
          },
          {
            id: syncId(3),
            status: { nextExecutionTime: '2024-04-20T15:45:00.5Z', currentExecution: null },
          },
        ],
      },
    });
    expect(t.sim.statusCalls()).toBe(3);
  });

  it('fails the execution or ingestion status whose required value Polytomic left out', async () => {
    const t = await startTestApp();
    t.sim.addSync(
      FULL,
      JSON.stringify({
        data: {
          current_execution: { status: 'running', record_count: 5 },
          last_execution: { id: 'e-1', status: 'completed', record_count: 9 },
          ingestion_status: { is_running: true, status: 'ok' },
          next_execution_time: '2024-04-20T15:45:00Z',
        },
      }),
    );
    const query = /* GraphQL */ `
      query ($id: ID!) {
        bulkSync(id: $id) { status {
          currentExecution { id status recordCount }
          lastExecution { id status recordCount }
          ingestionStatus { enabled isRunning status }
          nextExecutionTime
        } }
      }
    `;
    const res = await t.query(query, { id: FULL });
    expect(res.body).toEqual({
      data: {
        bulkSync: {
          status: {
            currentExecution: null,
            lastExecution: { id: 'e-1', status: 'COMPLETED', recordCount: 9 },
            ingestionStatus: null,
            nextExecutionTime: '2024-04-20T15:45:00Z',
          },
        },
      },
      errors: [
        {
          message: 'Polytomic sent no id.',
          path: ['bulkSync', 'status', 'currentExecution', 'id'],
          extensions: { code: 'UPSTREAM_UNAVAILABLE' },
        },
        {
          message: 'Polytomic sent no enabled.',
          path: ['bulkSync', 'status', 'ingestionStatus', 'enabled'],
          extensions: { code: 'UPSTREAM_UNAVAILABLE' },
        },
      ],
    });
    expect(warnedFields(t)).toEqual([
      ['Polytomic left out a value the contract requires', 'enabled'],
      ['Polytomic left out a value the contract requires', 'id'],
    ]);
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('fails only a timestamp that is no RFC 3339 date-time, with a contract code and a warning', async () => {
    const t = await startTestApp();
    // A day that does not exist, hour 24, a leap second (JavaScript has none), a date alone,
    // no seconds, no zone.
    const times = [
      '2024-02-30T10:00:00Z',
      '2024-04-31T08:00:00+02:00',
      '2024-04-20T24:00:00Z',
      '2016-12-31T23:59:60Z',
      '2024-04-21',
      '2024-04-20T15:45Z',
      '2024-04-20T15:50:01',
    ];
    const ids = times.map((_, i) => syncId(i + 1));
    times.forEach((time, i) => {
      const ingestion = { enabled: true, is_running: true, status: 'ok', position_time: time };
      t.sim.addSync(
        ids[i] as string,
        JSON.stringify({ data: { next_execution_time: time, ingestion_status: ingestion } }),
      );
    });
    const query = /* GraphQL */ `
      query ($ids: [ID!]!) {
        bulkSyncs(ids: $ids) { id status { nextExecutionTime ingestionStatus { status positionTime } } }
      }
    `;
    const res = await t.query(query, { ids });
    expect(res.body.data).toEqual({
      bulkSyncs: ids.map((id) => ({
        id,
        status: { nextExecutionTime: null, ingestionStatus: { status: 'OK', positionTime: null } },
      })),
    });
    const errors = (res.body.errors ?? []).map((e) => [e.extensions?.code, e.path, e.message]);
    const expected = ids.flatMap((_, i) => [
      [
        'UPSTREAM_UNAVAILABLE',
        ['bulkSyncs', i, 'status', 'nextExecutionTime'],
        'Polytomic sent a nextExecutionTime that is no RFC 3339 date-time.',
      ],
      [
        'UPSTREAM_UNAVAILABLE',
        ['bulkSyncs', i, 'status', 'ingestionStatus', 'positionTime'],
        'Polytomic sent a positionTime that is no RFC 3339 date-time.',
      ],
    ]);
    const sorted = (list: unknown[]) => list.map((entry) => JSON.stringify(entry)).sort();
    expect(sorted(errors)).toEqual(sorted(expected));
    expect(warnedFields(t)).toEqual(
      ids
        .flatMap(() => [
          ['Polytomic sent a timestamp that is no RFC 3339 date-time', 'nextExecutionTime'],
          ['Polytomic sent a timestamp that is no RFC 3339 date-time', 'positionTime'],
        ])
        .sort(),
    );
    expect(t.sim.statusCalls()).toBe(times.length);
    // Asked again (CACHE_TTL_MS=0: fetched again, the same bodies): the same errors, and no
    // second warning, as every reader of one status shares it.
    const again = await t.query(query, { ids });
    expect(again.body.data).toEqual(res.body.data);
    expect(sorted(again.body.errors ?? [])).toEqual(sorted(res.body.errors ?? []));
    expect(warnedFields(t)).toHaveLength(2 * times.length);
    expect(t.sim.statusCalls()).toBe(2 * times.length);
  });
});

describe('bulkSyncs', () => {
  it('fetches repeated ids once and answers in the order asked', async () => {
    const t = await startTestApp();
    const [a, b, c] = [SIM_SYNCS.orders, SIM_SYNCS.idle, SIM_SYNCS.cdc];
    const res = await t.query(
      /* GraphQL */ `
        query ($ids: [ID!]!) { bulkSyncs(ids: $ids) { id } }
      `,
      { ids: [a, b, a, c, b] },
    );
    expect(res.body).toEqual({
      data: { bulkSyncs: [{ id: a }, { id: b }, { id: a }, { id: c }, { id: b }] },
    });
    expect(t.sim.statusCalls()).toBe(3);
    expect(t.sim.statusCalls(a)).toBe(1);
    expect(t.sim.statusCalls(b)).toBe(1);
    expect(t.sim.statusCalls(c)).toBe(1);
  });

  it('treats ids that differ only in case as one sync', async () => {
    const t = await startTestApp();
    t.sim.addSync(FULL, { data: { next_execution_time: '2024-04-20T15:45:00Z' } });
    const upper = FULL.toUpperCase();
    const res = await t.query(MANY_SYNCS, { ids: [FULL, upper] });
    const status = { nextExecutionTime: '2024-04-20T15:45:00Z', currentExecution: null };
    expect(res.body).toEqual({
      data: {
        bulkSyncs: [
          { id: FULL, status },
          { id: upper, status },
        ],
      },
    });
    expect(t.sim.statusCalls()).toBe(1);
    expect(t.sim.requests.map((r) => r.path)).toEqual([`/api/bulk/syncs/${FULL}/status`]);
  });
});

describe('one load per sync per operation', () => {
  it('shares the load between bulkSync and its nested status', async () => {
    const t = await startTestApp();
    t.sim.addSync(FULL, fullStatusFixture());
    const res = await t.query(
      /* GraphQL */ `
        query ($id: ID!) {
          bulkSync(id: $id) {
            id
            status { nextExecutionTime lastExecution { id } }
          }
        }
      `,
      { id: FULL },
    );
    expect(res.body).toEqual({
      data: {
        bulkSync: {
          id: FULL,
          status: {
            nextExecutionTime: null,
            lastExecution: { id: '7f3e2d1c-0b9a-4876-9543-210fedcba987' },
          },
        },
      },
    });
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('loads once for two aliases of the same sync, and with bulkSyncs beside them', async () => {
    const t = await startTestApp();
    t.sim.addSync(FULL, fullStatusFixture());
    const res = await t.query(
      /* GraphQL */ `
        query ($id: ID!) {
          first: bulkSync(id: $id) { id status { currentExecution { recordCount } } }
          second: bulkSync(id: $id) { status { lastExecution { rawStatus } } }
          list: bulkSyncs(ids: [$id]) { id }
        }
      `,
      { id: FULL },
    );
    expect(res.body).toEqual({
      data: {
        first: { id: FULL, status: { currentExecution: { recordCount: 3000000000 } } },
        second: { status: { lastExecution: { rawStatus: 'paused_for_maintenance' } } },
        list: [{ id: FULL }],
      },
    });
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('starts a fresh load for every operation when the cache is off', async () => {
    const t = await startTestApp();
    await t.query(ONE_SYNC, { id: SIM_SYNCS.idle });
    await t.query(ONE_SYNC, { id: SIM_SYNCS.idle });
    expect(t.sim.statusCalls(SIM_SYNCS.idle)).toBe(2);
    expect(t.sim.statusCalls()).toBe(2);
  });
});

describe('concurrency', () => {
  it('makes one upstream call per id for 20 concurrent identical operations', async () => {
    const t = await startTestApp();
    t.sim.addSync(FULL, { data: { next_execution_time: '2024-04-20T15:45:00Z' } });
    t.sim.addSync(syncId(2), { data: { next_execution_time: null } });
    t.sim.inject({ kind: 'delay', ms: 150 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => t.query(MANY_SYNCS, { ids: [FULL, syncId(2)] })),
    );
    for (const res of results) {
      expect(res.body).toEqual({
        data: {
          bulkSyncs: [
            {
              id: FULL,
              status: { nextExecutionTime: '2024-04-20T15:45:00Z', currentExecution: null },
            },
            { id: syncId(2), status: { nextExecutionTime: null, currentExecution: null } },
          ],
        },
      });
    }
    expect(t.sim.statusCalls(FULL)).toBe(1);
    expect(t.sim.statusCalls(syncId(2))).toBe(1);
    expect(t.sim.statusCalls()).toBe(2);
  });

  it('never shares an in-flight call between two credentials', async () => {
    const t = await startTestApp();
    // Only the all-seeing key may read this sync; the other key is told 404.
    t.sim.addSync(FULL, { data: { next_execution_time: '2024-04-20T15:45:00Z' } });
    t.sim.inject({ kind: 'delay', ms: 150 });
    const [demo, other] = await Promise.all([
      t.query(ONE_SYNC, { id: FULL }, { authorization: `Bearer ${SIM_KEY}` }),
      t.query(ONE_SYNC, { id: FULL }, { authorization: `Bearer ${SIM_OTHER_KEY}` }),
    ]);
    expect(demo.body).toEqual({
      data: {
        bulkSync: {
          id: FULL,
          status: { nextExecutionTime: '2024-04-20T15:45:00Z', currentExecution: null },
        },
      },
    });
    expect(other.body.data).toEqual({ bulkSync: null });
    expect(other.body.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([
      ['NOT_FOUND', ['bulkSync']],
    ]);
    expect(t.sim.statusCalls(FULL)).toBe(2);
    expect(t.sim.requests.map((r) => r.headers['authorization']).sort()).toEqual([
      `Bearer ${SIM_KEY}`,
      `Bearer ${SIM_OTHER_KEY}`,
    ]);
    expectNoLeak(t, demo.text + other.text, [SIM_OTHER_KEY]);
  });

  it('gives each of two credentials its own call when both may read the sync', async () => {
    const t = await startTestApp();
    expect(SIM_OTHER_KEY_SYNCS).toContain(SIM_SYNCS.orders);
    t.sim.setStatus(SIM_SYNCS.orders, { data: { next_execution_time: '2024-04-20T15:45:00Z' } });
    t.sim.inject({ kind: 'delay', ms: 150 });
    const [demo, other] = await Promise.all([
      t.query(ONE_SYNC, { id: SIM_SYNCS.orders }, { authorization: `Bearer ${SIM_KEY}` }),
      t.query(ONE_SYNC, { id: SIM_SYNCS.orders }, { authorization: `Bearer ${SIM_OTHER_KEY}` }),
    ]);
    const expected = {
      data: {
        bulkSync: {
          id: SIM_SYNCS.orders,
          status: { nextExecutionTime: '2024-04-20T15:45:00Z', currentExecution: null },
        },
      },
    };
    expect(demo.body).toEqual(expected);
    expect(other.body).toEqual(expected);
    expect(t.sim.statusCalls(SIM_SYNCS.orders)).toBe(2);
    expect(t.sim.statusCalls()).toBe(2);
  });
});

describe('cache', () => {
  it('reuses a status within the TTL and keys it by credential', async () => {
    const t = await startTestApp({ CACHE_TTL_MS: '60000' });
    t.sim.addSync(
      FULL,
      { data: { next_execution_time: '2024-04-20T15:45:00Z' } },
      {
        keys: [SIM_OTHER_KEY],
      },
    );
    const expected = {
      data: {
        bulkSync: {
          id: FULL,
          status: { nextExecutionTime: '2024-04-20T15:45:00Z', currentExecution: null },
        },
      },
    };
    expect((await t.query(ONE_SYNC, { id: FULL })).body).toEqual(expected);
    expect(t.sim.statusCalls()).toBe(1);
    expect((await t.query(ONE_SYNC, { id: FULL })).body).toEqual(expected);
    expect(t.sim.statusCalls()).toBe(1);
    const other = await t.query(
      ONE_SYNC,
      { id: FULL },
      { authorization: `Bearer ${SIM_OTHER_KEY}` },
    );
    expect(other.body).toEqual(expected);
    expect(t.sim.statusCalls()).toBe(2);
    expect(t.sim.requests[1]?.headers['authorization']).toBe(`Bearer ${SIM_OTHER_KEY}`);
    // The client's own key, now cached too.
    await t.query(ONE_SYNC, { id: FULL }, { authorization: `Bearer ${SIM_OTHER_KEY}` });
    expect(t.sim.statusCalls()).toBe(2);
  });

  it('does not cache failures', async () => {
    const t = await startTestApp({ CACHE_TTL_MS: '60000' });
    t.sim.inject({ kind: 'status', status: 404 }, { times: 1 });
    t.sim.addSync(FULL, { data: {} });
    const first = await t.query(ONE_SYNC, { id: FULL });
    expect(first.body.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    const second = await t.query(ONE_SYNC, { id: FULL });
    expect(second.body).toEqual({
      data: { bulkSync: { id: FULL, status: { nextExecutionTime: null, currentExecution: null } } },
    });
    expect(t.sim.statusCalls()).toBe(2);
  });
});

describe('upstream request', () => {
  it('forwards the client Authorization byte for byte', async () => {
    const t = await startTestApp();
    const values = [`Bearer ${SIM_OTHER_KEY}`, `bearer ${SIM_KEY}`, `BEARER ${SIM_OTHER_KEY}`];
    for (const authorization of values) {
      const res = await t.query(ONE_SYNC, { id: SIM_SYNCS.orders }, { authorization });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data?.['bulkSync']).toMatchObject({ id: SIM_SYNCS.orders });
    }
    expect(t.sim.requests.map((r) => r.headers['authorization'])).toEqual(values);
    expect(t.sim.statusCalls()).toBe(3);
  });

  it('uses the service credential when the client sends none', async () => {
    const t = await startTestApp();
    await t.query(ONE_SYNC, { id: SIM_SYNCS.orders });
    expect(t.sim.requests.map((r) => r.headers['authorization'])).toEqual([`Bearer ${SIM_KEY}`]);
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('sends X-Polytomic-Version, Accept and GET on the documented path', async () => {
    const t = await startTestApp({ POLYTOMIC_API_VERSION: '2024-02-08' });
    await t.query(ONE_SYNC, { id: SIM_SYNCS.idle });
    expect(t.sim.requests).toHaveLength(1);
    const [request] = t.sim.requests;
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe(`/api/bulk/syncs/${SIM_SYNCS.idle}/status`);
    expect(request?.headers['x-polytomic-version']).toBe('2024-02-08');
    expect(request?.headers['accept']).toBe('application/json');
  });

  it('sends the on-prem Basic credential when only a deployment key is configured', async () => {
    const t = await startTestApp({
      POLYTOMIC_API_KEY: undefined,
      POLYTOMIC_DEPLOYMENT_KEY: SIM_DEPLOYMENT_KEY,
      POLYTOMIC_ORGANIZATION_ID: SIM_ORG_ID,
    });
    t.sim.addSync(FULL, { data: { next_execution_time: '2024-04-20T15:45:00Z' } });
    const res = await t.query(ONE_SYNC, { id: FULL });
    expect(res.body).toEqual({
      data: {
        bulkSync: {
          id: FULL,
          status: { nextExecutionTime: '2024-04-20T15:45:00Z', currentExecution: null },
        },
      },
    });
    const basic = Buffer.from(`${SIM_ORG_ID}:${SIM_DEPLOYMENT_KEY}`).toString('base64');
    expect(t.sim.requests.map((r) => r.headers['authorization'])).toEqual([`Basic ${basic}`]);
    expect(t.sim.statusCalls()).toBe(1);
    expectNoLeak(t, res.text, [SIM_DEPLOYMENT_KEY, basic]);
  });

  it('forwards the client x-request-id upstream', async () => {
    const t = await startTestApp();
    await t.query(ONE_SYNC, { id: SIM_SYNCS.idle }, { 'x-request-id': 'req-4f2a.b:9_c' });
    expect(t.sim.requests.map((r) => r.headers['x-request-id'])).toEqual(['req-4f2a.b:9_c']);
    expect(t.sim.statusCalls()).toBe(1);
  });

  it('sends a generated request id when the client sends none', async () => {
    const t = await startTestApp();
    await t.query(ONE_SYNC, { id: SIM_SYNCS.idle });
    expect(t.sim.requests[0]?.headers['x-request-id']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(t.sim.statusCalls()).toBe(1);
  });
});

describe('documents with several operations', () => {
  it('runs the operation operationName names, each time', async () => {
    const t = await startTestApp();
    const document = /* GraphQL */ `
      query A { a: bulkSync(id: "${SIM_SYNCS.idle}") { id } }
      query B { b: bulkSync(id: "${SIM_SYNCS.orders}") { id } }
    `;
    const run = async (operationName: string) => {
      const response = await t.app.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: document, operationName }),
      });
      return response.json();
    };
    // Compiled queries are cached per parsed document: the second name must not get the first's.
    expect(await run('A')).toEqual({ data: { a: { id: SIM_SYNCS.idle } } });
    expect(await run('B')).toEqual({ data: { b: { id: SIM_SYNCS.orders } } });
    expect(await run('A')).toEqual({ data: { a: { id: SIM_SYNCS.idle } } });
    expect(t.sim.statusCalls(SIM_SYNCS.idle)).toBe(2);
    expect(t.sim.statusCalls(SIM_SYNCS.orders)).toBe(1);
  });
});
