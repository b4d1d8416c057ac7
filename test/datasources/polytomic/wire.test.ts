import { describe, expect, it } from 'vitest';
import { UpstreamBodyError } from '../../../src/datasources/polytomic/errors.js';
import { UNSERVABLE } from '../../../src/datasources/polytomic/types.js';
import { parseStatusBody, toUtc } from '../../../src/datasources/polytomic/wire.js';
import { EMPTY_STATUS, execution, schemaRun } from '../../fixtures/dtos.js';
import { fullStatusFixture } from '../../fixtures/status.js';

function expectBodyError(body: string): UpstreamBodyError {
  let caught: unknown;
  try {
    parseStatusBody(body);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(UpstreamBodyError);
  const error = caught as UpstreamBodyError;
  expect(error.code).toBe('UPSTREAM_BAD_BODY');
  expect(error.retryable).toBe(false);
  return error;
}

describe('parseStatusBody', () => {
  it('maps the full fixture to the typed status', () => {
    expect(parseStatusBody(JSON.stringify(fullStatusFixture()))).toEqual({
      currentExecution: {
        id: '0b9c7d1e-5f2a-4c3b-9a8d-7e6f5a4b3c21',
        status: 'running',
        statusMessage: 'Syncing 3 schemas',
        type: 'scheduled',
        fetchMode: 'incremental',
        outputDisposition: 'retain',
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
            status: 'completed',
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
            status: 'exporting',
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
            status: 'throttled',
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
        status: 'paused_for_maintenance',
        statusMessage: 'Paused by Polytomic',
        type: 'scheduled',
        fetchMode: 'full',
        outputDisposition: 'truncate',
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
        status: 'warning',
        statusMessage: 'Replication slot lag is above 5 minutes',
        highwaterMark: '0/16B6C50',
        position: '0/16B6D28',
        positionTime: null,
        updatedAt: '2024-04-20T16:02:30Z',
      },
      nextExecutionTime: null,
    });
  });

  it('answers an all-null status for {}, {"data":null}, {"data":{}} and unknown top-level keys', () => {
    expect(parseStatusBody('{}')).toEqual(EMPTY_STATUS);
    expect(parseStatusBody('{"links":{}}')).toEqual(EMPTY_STATUS);
    expect(parseStatusBody('{"data":null}')).toEqual(EMPTY_STATUS);
    expect(parseStatusBody('{"data":{}}')).toEqual(EMPTY_STATUS);
    expect(
      parseStatusBody(
        '{"data":{"current_execution":null,"last_execution":null,"ingestion_status":null,"next_execution_time":null}}',
      ),
    ).toEqual(EMPTY_STATUS);
  });

  it('folds missing keys of an execution to null and its id and status to ""', () => {
    expect(parseStatusBody('{"data":{"current_execution":{}}}')).toEqual({
      ...EMPTY_STATUS,
      currentExecution: execution(),
    });
  });

  it('folds explicit nulls to null and a null schema list to []', () => {
    const nulls = Object.fromEntries(
      [
        'id',
        'status',
        'status_message',
        'type',
        'fetch_mode',
        'output_disposition',
        'is_partial',
        'is_resync',
        'is_test',
        'record_count',
        'error_count',
        'warning_count',
        'created_at',
        'started_at',
        'completed_at',
        'updated_at',
        'schemas',
      ].map((key) => [key, null]),
    );
    expect(parseStatusBody(JSON.stringify({ data: { last_execution: nulls } }))).toEqual({
      ...EMPTY_STATUS,
      lastExecution: execution(),
    });
  });

  it('folds missing keys of a schema run and of ingestion status', () => {
    const body = JSON.stringify({
      data: {
        current_execution: { id: 'e', status: 'running', schemas: [{}, { schema: 'a.b' }] },
        ingestion_status: {},
      },
    });
    const bareRun = schemaRun();
    expect(parseStatusBody(body)).toEqual({
      ...EMPTY_STATUS,
      currentExecution: {
        ...execution(),
        id: 'e',
        status: 'running',
        schemas: [bareRun, { ...bareRun, schema: 'a.b' }],
      },
      ingestionStatus: {
        enabled: null,
        isRunning: null,
        status: '',
        statusMessage: null,
        highwaterMark: null,
        position: null,
        positionTime: null,
        updatedAt: null,
      },
    });
  });

  it('keeps unknown enum strings exactly as sent', () => {
    const body = JSON.stringify({
      data: {
        current_execution: {
          id: 'e',
          status: 'queuedForRetry',
          fetch_mode: 'selective',
          output_disposition: 'append',
          schemas: [{ schema: 's', status: 'WAITING' }],
        },
        ingestion_status: { enabled: true, is_running: false, status: 'degraded' },
      },
    });
    const status = parseStatusBody(body);
    expect(status.currentExecution?.status).toBe('queuedForRetry');
    expect(status.currentExecution?.fetchMode).toBe('selective');
    expect(status.currentExecution?.outputDisposition).toBe('append');
    expect(status.currentExecution?.schemas.map((s) => s.status)).toEqual(['WAITING']);
    expect(status.ingestionStatus?.status).toBe('degraded');
  });

  it('reads int64 counts sent as numbers or as digit strings', () => {
    const body = JSON.stringify({
      data: {
        current_execution: {
          id: 'e',
          status: 'running',
          record_count: '3000000000',
          error_count: '-2',
          warning_count: 9007199254740991,
          schemas: [{ schema: 's', status: 'running', record_count: '0', error_count: 4294967296 }],
        },
      },
    });
    const execution = parseStatusBody(body).currentExecution;
    expect(execution?.recordCount).toBe(3000000000);
    expect(execution?.errorCount).toBe(-2);
    expect(execution?.warningCount).toBe(9007199254740991);
    expect(execution?.schemas[0]?.recordCount).toBe(0);
    expect(execution?.schemas[0]?.errorCount).toBe(4294967296);
  });

  it('marks a count SafeInt cannot carry as UNSERVABLE: its field fails alone, not the status', () => {
    const countOf = (value: string) =>
      parseStatusBody(`{"data":{"current_execution":{"record_count":${value}}}}`).currentExecution
        ?.recordCount;
    for (const value of [
      '100000000000000000000',
      '"100000000000000000000"',
      // Number() would round it to 2^53: not served as a number Polytomic never sent.
      '"9007199254740993"',
      '-9007199254740992',
      '1.5',
      // Beyond a double: JSON.parse and Number() both give Infinity.
      '1e400',
      `"${'9'.repeat(400)}"`,
    ]) {
      expect(countOf(value), value).toBe(UNSERVABLE);
    }
    expect(countOf('9007199254740991')).toBe(9007199254740991);
    expect(countOf('-9007199254740991')).toBe(-9007199254740991);
    expect(countOf('"007"')).toBe(7);
  });

  it('normalises timestamps inside the body and marks the unreadable ones UNSERVABLE', () => {
    const body = JSON.stringify({
      data: {
        current_execution: {
          id: 'e',
          status: 'running',
          created_at: '2024-04-20T17:45:00+02:00',
          started_at: '2024-04-20 15:45:00.25Z',
          updated_at: 'yesterday',
        },
        next_execution_time: '2024-04-20T15:45:00Z',
      },
    });
    const status = parseStatusBody(body);
    expect(status.currentExecution?.createdAt).toBe('2024-04-20T15:45:00Z');
    expect(status.currentExecution?.startedAt).toBe('2024-04-20T15:45:00.25Z');
    expect(status.currentExecution?.updatedAt).toBe(UNSERVABLE);
    expect(status.currentExecution?.completedAt).toBeNull();
    expect(status.nextExecutionTime).toBe('2024-04-20T15:45:00Z');
  });

  it('ignores keys it does not know', () => {
    const body = JSON.stringify({
      data: { active: true, sync_id: 'x', next_execution_time: null },
      pagination: { next_page_token: 'abc' },
    });
    expect(parseStatusBody(body)).toEqual(EMPTY_STATUS);
  });

  const malformed: [string, string][] = [
    ['truncated JSON', '{"data": {"current_execution": '],
    ['an empty body', ''],
    ['an array', '[]'],
    ['null', 'null'],
    ['a string', '"ok"'],
    ['data as a number', '{"data": 42}'],
    ['data as an array', '{"data": []}'],
    ['an execution as a string', '{"data":{"current_execution":"x"}}'],
    ['a non-digit count string', '{"data":{"current_execution":{"record_count":"12k"}}}'],
    ['a boolean as string', '{"data":{"last_execution":{"is_partial":"true"}}}'],
    ['a timestamp as number', '{"data":{"next_execution_time":1713627900}}'],
    ['schemas as an object', '{"data":{"last_execution":{"schemas":{}}}}'],
    ['a schema run as null', '{"data":{"last_execution":{"schemas":[null]}}}'],
    ['ingestion status as true', '{"data":{"ingestion_status":true}}'],
    // `data` may be missing, but not in favour of an error body sent with a 200.
    ['an ApiError', '{"status":500,"message":"internal error"}'],
    ['an ApiError with data null', '{"data":null,"message":"internal error","key":"k"}'],
    ['a RestErrResponse', '{"code":401,"context":{}}'],
    ['a bare error', '{"error":{"reason":"maintenance"}}'],
  ];
  for (const [name, body] of malformed) {
    it(`throws UpstreamBodyError for ${name}`, () => {
      const error = expectBodyError(body);
      if (body.length > 8) expect(error.message).not.toContain(body);
    });
  }

  it("does not parse a sync's body again when it equals that sync's last one", () => {
    const body = JSON.stringify(fullStatusFixture());
    const first = parseStatusBody(body, 'sync-a');
    // Equal bytes from another call (a new string): the same object, not a fresh parse.
    expect(parseStatusBody(`${body} `.trimEnd(), 'sync-a')).toBe(first);
    // Without a sync id, or for another sync, the body is parsed on its own.
    expect(parseStatusBody(body)).not.toBe(first);
    expect(parseStatusBody(body, 'sync-b')).not.toBe(first);
    // A different body replaces the sync's entry; the first body is then parsed afresh.
    const other = parseStatusBody(JSON.stringify({ ...fullStatusFixture(), data: null }), 'sync-a');
    expect(other).toEqual(EMPTY_STATUS);
    const again = parseStatusBody(body, 'sync-a');
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('freezes every status throughout, shared or not', () => {
    for (const status of [
      parseStatusBody(JSON.stringify(fullStatusFixture()), 'sync-c'),
      parseStatusBody(JSON.stringify(fullStatusFixture())),
    ]) {
      const run = status.currentExecution?.schemas[0];
      expect(run?.schema).toBe('public.events');
      expect(Object.isFrozen(status)).toBe(true);
      expect(() => {
        (run as { recordCount: number | null }).recordCount = 1;
      }).toThrow(TypeError);
      expect(() => status.currentExecution?.schemas.push(run as never)).toThrow(TypeError);
    }
  });

  it('names where a malformed body went wrong without echoing it', () => {
    expect(expectBodyError('{"data":{"current_execution":"secret-ish"}}').message).toBe(
      'Polytomic sent a body that is not a bulk sync status (at data.current_execution)',
    );
    expect(expectBodyError('[]').message).toBe(
      'Polytomic sent a body that is not a bulk sync status (at top level)',
    );
    expect(expectBodyError('{"data":').message).toBe(
      'Polytomic sent a body that is not a bulk sync status (not JSON)',
    );
  });
});

describe('toUtc', () => {
  const cases: [string, string | null][] = [
    // UTC: passed through as written, precision kept.
    ['2024-04-20T15:45:00Z', '2024-04-20T15:45:00Z'],
    ['2024-04-20T15:45:00.123456789Z', '2024-04-20T15:45:00.123456789Z'],
    ['2024-04-20T15:45:00.5Z', '2024-04-20T15:45:00.5Z'],
    ['2024-04-20t15:45:00z', '2024-04-20T15:45:00Z'],
    ['2024-04-20 15:45:00Z', '2024-04-20T15:45:00Z'],
    // Offsets: converted to UTC.
    ['2024-04-20T17:45:00+02:00', '2024-04-20T15:45:00Z'],
    ['2024-04-20T10:45:00-05:00', '2024-04-20T15:45:00Z'],
    ['2024-04-20T15:45:00+00:00', '2024-04-20T15:45:00Z'],
    ['2024-04-20T15:45:00-00:00', '2024-04-20T15:45:00Z'],
    ['2024-04-21T01:15:00+09:30', '2024-04-20T15:45:00Z'],
    ['2024-04-20T17:45:00.250+02:00', '2024-04-20T15:45:00.250Z'],
    ['2024-01-01T00:30:00+01:00', '2023-12-31T23:30:00Z'],
    ['2024-04-20T17:45:00.123456+02:00', '2024-04-20T15:45:00.123456Z'],
    ['2024-04-20 17:45:00.1+02:00', '2024-04-20T15:45:00.1Z'],
    ['0001-01-01T00:30:00+01:00', '0000-12-31T23:30:00Z'],
    // Shifted out of the years RFC 3339 can write: null, not "+010000-…" or "-000001-…".
    ['9999-12-31T23:30:00-01:00', null],
    ['0000-01-01T00:00:00+01:00', null],
    // Not RFC 3339: null.
    ['', null],
    ['yesterday', null],
    ['2024-04-20', null],
    ['2024-04-20T15:45Z', null],
    ['2024-04-20T15:45:00', null],
    ['2024-04-20T15:45:00+0200', null],
    ['2024-04-20T15:45:00 Z', null],
    ['1713627900', null],
    ['2024-13-01T00:00:00Z', null],
    ['2024-04-20T25:00:00Z', null],
    ['2024-04-20T15:45:00+99:00', null],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      expect(toUtc(input)).toBe(expected);
    });
  }

  // RFC 3339 §5.7: day must exist in its month, hour is 00–23. JavaScript's Date accepts these
  // (rolling them over), so they must not reach clients as "valid" DateTime values.
  const impossible = [
    '2024-02-30T10:00:00Z',
    '2023-02-29T10:00:00Z',
    '2024-04-31T10:00:00Z',
    '2024-04-20T24:00:00Z',
    '2024-02-30T10:00:00+02:00',
  ];
  for (const input of impossible) {
    it(`nulls the impossible date-time ${input}`, () => {
      expect(toUtc(input)).toBeNull();
    });
  }
});
