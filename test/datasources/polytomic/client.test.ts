import type { Dispatcher } from 'undici';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createPolytomicClient,
  type PolytomicClient,
  type PolytomicClientOptions,
} from '../../../src/datasources/polytomic/client.js';
import {
  UpstreamBodyError,
  UpstreamCircuitOpenError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamOverloadedError,
  UpstreamTimeoutError,
} from '../../../src/datasources/polytomic/errors.js';
import { createAgent } from '../../../src/datasources/polytomic/transport.js';
import type { SyncStatus } from '../../../src/datasources/polytomic/types.js';
import { SIM_KEY, type Simulator } from '../../../tools/simulator/index.js';
import { syncId } from '../../fixtures/status.js';
import { DEFAULTS } from '../../utils/defaults.js';
import { leftover } from '../../utils/leftovers.js';
import { startSimulator } from '../../utils/test-app.js';
import { sleep } from '../../utils/wait.js';

const AUTH = `Bearer ${SIM_KEY}`;
const SYNC = syncId(1);
const STATUS: SyncStatus = {
  currentExecution: null,
  lastExecution: null,
  ingestionStatus: null,
  nextExecutionTime: '2024-04-20T15:45:00Z',
};

let sim: Simulator;
let agent: ReturnType<typeof createAgent>;
let outcomes: string[];
let retries: string[];

beforeEach(async () => {
  agent = createAgent(1000);
  // Registered before the simulator, so closed after it: the simulator ends any call in flight.
  leftover('undici agent', () => agent.close());
  sim = await startSimulator();
  sim.addSync(SYNC, { data: { next_execution_time: '2024-04-20T15:45:00Z' } });
  outcomes = [];
  retries = [];
});

function client(options: Partial<PolytomicClientOptions> = {}): PolytomicClient {
  return createPolytomicClient({
    ...DEFAULTS.polytomic,
    ...DEFAULTS.resilience,
    baseUrl: sim.url,
    apiVersion: '2025-09-18',
    dispatcher: agent,
    timeoutMs: 1000,
    retryBaseDelayMs: 10,
    onAttempt: (outcome) => outcomes.push(outcome),
    onRetry: (reason) => retries.push(reason),
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('request', () => {
  it('GETs the status path with the credential, version, accept and request id', async () => {
    const status = await client({ apiVersion: '2024-02-08' }).getSyncStatus(SYNC, AUTH, {
      requestId: 'req-1',
    });
    expect(status).toEqual(STATUS);
    expect(sim.requests).toHaveLength(1);
    const [request] = sim.requests;
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe(`/api/bulk/syncs/${SYNC}/status`);
    expect(request?.headers['authorization']).toBe(AUTH);
    expect(request?.headers['x-polytomic-version']).toBe('2024-02-08');
    expect(request?.headers['accept']).toBe('application/json');
    expect(request?.headers['x-request-id']).toBe('req-1');
    expect(outcomes).toEqual(['200']);
    expect(retries).toEqual([]);
  });

  it('sends no x-request-id when none is given', async () => {
    await client().getSyncStatus(SYNC, AUTH);
    expect(sim.requests[0]?.headers['x-request-id']).toBeUndefined();
    expect(sim.statusCalls()).toBe(1);
  });

  it('percent-encodes the id into one path segment', async () => {
    const error = await failure(client().getSyncStatus('a/../b?c', AUTH));
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect(sim.requests.map((r) => r.path)).toEqual(['/api/bulk/syncs/a%2F..%2Fb%3Fc/status']);
  });
});

describe('retries', () => {
  it('honours Retry-After before the second attempt', async () => {
    sim.inject({ kind: 'status', status: 429, headers: { 'retry-after': '1' } }, { times: 1 });
    const status = await client().getSyncStatus(SYNC, AUTH);
    expect(status).toEqual(STATUS);
    expect(sim.statusCalls()).toBe(2);
    const [first, second] = sim.requests;
    const gap = (second?.at ?? 0) - (first?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(900);
    expect(gap).toBeLessThan(1500);
    expect(outcomes).toEqual(['429', '200']);
    expect(retries).toEqual(['UPSTREAM_HTTP_ERROR']);
  });

  it('fails at once when Retry-After is longer than the remaining budget', async () => {
    sim.inject({ kind: 'status', status: 429, headers: { 'retry-after': '5' } });
    const started = Date.now();
    const error = await failure(client({ retryMaxElapsedMs: 500 }).getSyncStatus(SYNC, AUTH));
    expect(Date.now() - started).toBeLessThan(400);
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect((error as UpstreamHttpError).statusCode).toBe(429);
    expect((error as UpstreamHttpError).retryAfterMs).toBe(5000);
    expect(sim.statusCalls()).toBe(1);
    expect(outcomes).toEqual(['429']);
    expect(retries).toEqual([]);
  });

  it('reads Retry-After as RFC 9110 delay-seconds or an HTTP date, and ignores anything else', async () => {
    const read = async (value: string) => {
      sim.inject({ kind: 'status', status: 429, headers: { 'retry-after': value } }, { times: 1 });
      const error = await failure(client({ maxAttempts: 1 }).getSyncStatus(SYNC, AUTH));
      return (error as UpstreamHttpError).retryAfterMs;
    };
    expect(await read('2')).toBe(2000);
    expect(await read('1.5')).toBe(1500);
    expect(await read('1.0005')).toBe(1001);
    expect(await read('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(0);
    const inFiveSeconds = await read(new Date(Date.now() + 5000).toUTCString());
    expect(inFiveSeconds).toBeGreaterThan(3000);
    expect(inFiveSeconds).toBeLessThanOrEqual(5000);
    // Date.parse reads "-5" as the year 5 BC, and Number reads " " as 0, "0x10" as 16.
    for (const invalid of ['-5', ' ', '0x10', '1e3', 'soon', '+3', '9'.repeat(400)]) {
      expect(await read(invalid), invalid).toBeUndefined();
    }
    expect(sim.statusCalls()).toBe(12);
  });

  it('stops after maxAttempts', async () => {
    sim.inject({ kind: 'status', status: 503 });
    const error = await failure(client({ maxAttempts: 4 }).getSyncStatus(SYNC, AUTH));
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect((error as UpstreamHttpError).statusCode).toBe(503);
    expect(sim.statusCalls()).toBe(4);
    expect(outcomes).toEqual(['503', '503', '503', '503']);
    expect(retries).toEqual(['UPSTREAM_HTTP_ERROR', 'UPSTREAM_HTTP_ERROR', 'UPSTREAM_HTTP_ERROR']);
  });

  it('defaults to 3 attempts', async () => {
    sim.inject({ kind: 'status', status: 500 });
    await failure(client().getSyncStatus(SYNC, AUTH));
    expect(sim.statusCalls()).toBe(3);
    expect(outcomes).toEqual(['500', '500', '500']);
  });

  it('recovers after a 503', async () => {
    sim.inject({ kind: 'status', status: 503 }, { times: 1 });
    expect(await client().getSyncStatus(SYNC, AUTH)).toEqual(STATUS);
    expect(sim.statusCalls()).toBe(2);
    expect(outcomes).toEqual(['503', '200']);
    expect(retries).toEqual(['UPSTREAM_HTTP_ERROR']);
  });

  it('never retries a 404', async () => {
    const error = await failure(client().getSyncStatus(syncId(0xdead), AUTH));
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect((error as UpstreamHttpError).statusCode).toBe(404);
    expect((error as UpstreamHttpError).retryable).toBe(false);
    expect(sim.statusCalls()).toBe(1);
    expect(outcomes).toEqual(['404']);
    expect(retries).toEqual([]);
  });

  for (const status of [400, 401, 403, 409, 422]) {
    it(`never retries a ${status}`, async () => {
      sim.inject({ kind: 'status', status });
      const error = await failure(client().getSyncStatus(SYNC, AUTH));
      expect((error as UpstreamHttpError).statusCode).toBe(status);
      expect(sim.statusCalls()).toBe(1);
      expect(outcomes).toEqual([String(status)]);
    });
  }

  it('times out a hung attempt and retries it', async () => {
    sim.inject({ kind: 'hang' });
    const started = Date.now();
    const error = await failure(
      client({ timeoutMs: 200, maxAttempts: 2 }).getSyncStatus(SYNC, AUTH),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect((error as UpstreamTimeoutError).message).toBe('Polytomic did not answer within 200 ms');
    expect(sim.statusCalls()).toBe(2);
    expect(outcomes).toEqual(['upstream_timeout', 'upstream_timeout']);
    expect(retries).toEqual(['UPSTREAM_TIMEOUT']);
  });

  it('times out a body that arrives too late', async () => {
    sim.inject({ kind: 'slowBody', ms: 1000 }, { times: 1 });
    const status = await client({ timeoutMs: 200, maxAttempts: 2 }).getSyncStatus(SYNC, AUTH);
    expect(status).toEqual(STATUS);
    expect(sim.statusCalls()).toBe(2);
    expect(outcomes).toEqual(['upstream_timeout', '200']);
  });

  it('bounds the whole attempt, however steadily the body trickles in', async () => {
    // Each part comes well within undici's body timeout (the gap between chunks); only the
    // attempt's own deadline, UPSTREAM_TIMEOUT_MS for headers and body together, stops it.
    sim.inject({ kind: 'trickle', chunks: 8, everyMs: 60 }, { times: 1 });
    const started = performance.now();
    const status = await client({ timeoutMs: 200, maxAttempts: 2 }).getSyncStatus(SYNC, AUTH);
    expect(status).toEqual(STATUS);
    expect(performance.now() - started).toBeLessThan(450);
    expect(sim.statusCalls()).toBe(2);
    expect(outcomes).toEqual(['upstream_timeout', '200']);
  });

  it('retries a reset connection', async () => {
    sim.inject({ kind: 'reset' }, { times: 1 });
    expect(await client().getSyncStatus(SYNC, AUTH)).toEqual(STATUS);
    expect(sim.statusCalls()).toBe(2);
    expect(outcomes).toEqual(['upstream_network_error', '200']);
    expect(retries).toEqual(['UPSTREAM_NETWORK_ERROR']);
  });

  it('gives up on resets after maxAttempts with a network error', async () => {
    sim.inject({ kind: 'reset' });
    const error = await failure(client({ maxAttempts: 2 }).getSyncStatus(SYNC, AUTH));
    expect(error).toBeInstanceOf(UpstreamNetworkError);
    expect((error as Error).message).not.toContain(sim.url);
    expect(sim.statusCalls()).toBe(2);
    expect(outcomes).toEqual(['upstream_network_error', 'upstream_network_error']);
  });

  it('never retries a malformed body', async () => {
    sim.inject({ kind: 'malformed' });
    const error = await failure(client().getSyncStatus(SYNC, AUTH));
    expect(error).toBeInstanceOf(UpstreamBodyError);
    expect(sim.statusCalls()).toBe(1);
    expect(outcomes).toEqual(['upstream_bad_body']);
    expect(retries).toEqual([]);
  });

  it('refuses a body above the 5 MiB cap without retrying', async () => {
    const padding = 'x'.repeat(6 * 1024 * 1024);
    sim.setStatus(SYNC, `{"data":{"next_execution_time":null},"padding":"${padding}"}`);
    const error = await failure(client().getSyncStatus(SYNC, AUTH));
    expect(error).toBeInstanceOf(UpstreamBodyError);
    expect(sim.statusCalls()).toBe(1);
    expect(outcomes).toEqual(['upstream_bad_body']);
  });

  it('retries nothing when maxAttempts is 1', async () => {
    sim.inject({ kind: 'status', status: 503 });
    await failure(client({ maxAttempts: 1 }).getSyncStatus(SYNC, AUTH));
    expect(sim.statusCalls()).toBe(1);
    expect(retries).toEqual([]);
  });
});

describe('concurrency cap', () => {
  it('fails fast once the slots and the queue are full', async () => {
    sim.inject({ kind: 'delay', ms: 150 });
    const capped = client({ concurrency: 1, queue: 0 });
    const [first, second] = await Promise.allSettled([
      capped.getSyncStatus(SYNC, AUTH),
      capped.getSyncStatus(SYNC, AUTH),
    ]);
    expect(first).toEqual({ status: 'fulfilled', value: STATUS });
    expect(second?.status).toBe('rejected');
    expect(second?.status === 'rejected' && second.reason).toBeInstanceOf(UpstreamOverloadedError);
    expect(sim.statusCalls()).toBe(1);
    expect(outcomes).toEqual(['200']);
  });

  it('queues calls beyond the concurrency and runs them one after another', async () => {
    sim.inject({ kind: 'delay', ms: 100 });
    const capped = client({ concurrency: 1, queue: 5 });
    const results = await Promise.all([1, 2, 3].map(() => capped.getSyncStatus(SYNC, AUTH)));
    expect(results).toEqual([STATUS, STATUS, STATUS]);
    expect(sim.statusCalls()).toBe(3);
    const [a, b, c] = sim.requests.map((r) => r.at);
    expect((b ?? 0) - (a ?? 0)).toBeGreaterThanOrEqual(90);
    expect((c ?? 0) - (b ?? 0)).toBeGreaterThanOrEqual(90);
  });
});

describe('circuit breaker', () => {
  const OTHER = syncId(2);
  const THIRD = syncId(3);
  let states: string[];
  const breakerClient = (options: Partial<PolytomicClientOptions> = {}) =>
    client({ breakerThreshold: 2, onBreakerState: (state) => states.push(state), ...options });
  const NULL_STATUS = { ...STATUS, nextExecutionTime: null };
  /** The breaker is open: a call for `id` fails fast, and Polytomic sees no request. */
  const expectFailsFast = async (polytomic: PolytomicClient, id: string) => {
    const calls = sim.statusCalls();
    const error = await failure(polytomic.getSyncStatus(id, AUTH));
    expect(error).toBeInstanceOf(UpstreamCircuitOpenError);
    expect(sim.statusCalls()).toBe(calls);
  };

  beforeEach(() => {
    states = [];
    for (const id of [OTHER, THIRD]) sim.addSync(id, { data: { next_execution_time: null } });
  });

  it('counts a 500 of one sync once: that sync failing again and again leaves the others served', async () => {
    sim.inject({ kind: 'status', status: 500 }, { syncId: SYNC });
    const polytomic = breakerClient();
    for (let n = 0; n < 3; n++) {
      const error = await failure(polytomic.getSyncStatus(SYNC, AUTH));
      expect((error as UpstreamHttpError).statusCode).toBe(500);
    }
    expect(sim.statusCalls()).toBe(9);
    expect(await polytomic.getSyncStatus(OTHER, AUTH)).toEqual(NULL_STATUS);
    expect(sim.statusCalls()).toBe(10);
    expect(states).toEqual([]);
  });

  it('counts a bad body of one sync once', async () => {
    sim.inject({ kind: 'malformed' }, { syncId: SYNC });
    const polytomic = breakerClient();
    for (let n = 0; n < 4; n++) {
      expect(await failure(polytomic.getSyncStatus(SYNC, AUTH))).toBeInstanceOf(UpstreamBodyError);
    }
    expect(await polytomic.getSyncStatus(OTHER, AUTH)).toEqual(NULL_STATUS);
    expect(sim.statusCalls()).toBe(5);
    expect(states).toEqual([]);
  });

  it('opens when 500s come from distinct syncs, then fails every sync fast with no call', async () => {
    sim.inject({ kind: 'status', status: 500 }, { syncId: SYNC });
    sim.inject({ kind: 'status', status: 500 }, { syncId: OTHER });
    const polytomic = breakerClient();
    await failure(polytomic.getSyncStatus(SYNC, AUTH));
    expect(sim.statusCalls()).toBe(3);
    expect(states).toEqual([]);
    // OTHER's first 500 is the streak's second distinct sync: the breaker opens at once.
    await failure(polytomic.getSyncStatus(OTHER, AUTH));
    expect(sim.statusCalls()).toBe(4);
    expect(states).toEqual(['open']);
    await expectFailsFast(polytomic, THIRD);
  });

  for (const status of [502, 503, 504, 521]) {
    it(`counts every ${status} attempt, whichever sync it came from`, async () => {
      sim.inject({ kind: 'status', status }, { syncId: SYNC });
      const polytomic = breakerClient();
      await failure(polytomic.getSyncStatus(SYNC, AUTH));
      // Two attempts of one sync opened it; the third never left.
      expect(sim.statusCalls()).toBe(2);
      expect(states).toEqual(['open']);
      await expectFailsFast(polytomic, OTHER);
    });
  }

  it('starts a new streak after a success: a sync that failed before counts again', async () => {
    sim.inject({ kind: 'status', status: 500 }, { syncId: SYNC });
    const polytomic = breakerClient();
    await failure(polytomic.getSyncStatus(SYNC, AUTH));
    await polytomic.getSyncStatus(THIRD, AUTH);
    await failure(polytomic.getSyncStatus(SYNC, AUTH));
    expect(states).toEqual([]);
    sim.inject({ kind: 'status', status: 500 }, { syncId: OTHER });
    await failure(polytomic.getSyncStatus(OTHER, AUTH));
    expect(states).toEqual(['open']);
  });

  it('closes after a half-open probe that only hit a sync already failing on its own', async () => {
    const polytomic = breakerClient({ maxAttempts: 1, breakerHalfOpenMs: 50 });
    sim.inject({ kind: 'status', status: 500 }, { syncId: SYNC });
    sim.inject({ kind: 'status', status: 503 }, { syncId: OTHER, times: 1 });
    await failure(polytomic.getSyncStatus(SYNC, AUTH));
    await failure(polytomic.getSyncStatus(OTHER, AUTH));
    expect(states).toEqual(['open']);
    // Past breakerHalfOpenMs (a real wait: the breaker runs on the real clock).
    await sleep(70);
    // The probe is the broken sync again: its 500 says nothing about Polytomic as a whole.
    const probe = await failure(polytomic.getSyncStatus(SYNC, AUTH));
    expect((probe as UpstreamHttpError).statusCode).toBe(500);
    expect(states).toEqual(['open', 'half-open', 'closed']);
    expect(await polytomic.getSyncStatus(THIRD, AUTH)).toEqual(NULL_STATUS);
    expect(sim.statusCalls()).toBe(4);
  });

  it('a call that began before the breaker opened does not re-open it under its probe', async () => {
    // A dispatcher that answers each call when the test says, so the order is exact.
    const calls: ((statusCode: number) => void)[] = [];
    const dispatcher = {
      request: () =>
        new Promise((resolve) =>
          calls.push((statusCode) =>
            resolve({
              statusCode,
              headers: {},
              body: { dump: async () => undefined, text: async () => '{"data":{}}' },
            }),
          ),
        ),
    } as unknown as Dispatcher;
    const polytomic = breakerClient({ dispatcher, maxAttempts: 1, breakerHalfOpenMs: 20 });
    const late = failure(polytomic.getSyncStatus(THIRD, AUTH));
    const opening = [SYNC, OTHER].map((id) => failure(polytomic.getSyncStatus(id, AUTH)));
    await vi.waitFor(() => expect(calls).toHaveLength(3));
    calls[1]?.(503);
    calls[2]?.(503);
    await Promise.all(opening);
    expect(states).toEqual(['open']);
    // Past breakerHalfOpenMs (a real wait: the breaker runs on the real clock).
    await sleep(30);
    const probe = polytomic.getSyncStatus(SYNC, AUTH);
    await vi.waitFor(() => expect(calls).toHaveLength(4));
    expect(states).toEqual(['open', 'half-open']);
    // The call that began while closed fails now, under the probe: not counted.
    calls[0]?.(503);
    expect(((await late) as UpstreamHttpError).statusCode).toBe(503);
    expect(states).toEqual(['open', 'half-open']);
    calls[3]?.(200);
    expect(await probe).toEqual(NULL_STATUS);
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });
});
