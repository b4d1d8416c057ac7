import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  isInProgress,
  nextPollDelay,
  withJitter,
} from '../../src/datasources/live/cadence.js';
import { type SyncStatus, UNSERVABLE } from '../../src/datasources/polytomic/types.js';
import { execution as executionOf } from '../fixtures/dtos.js';
import { syncId } from '../utils/gateway-helpers.js';
import {
  envelope,
  fireNext,
  IDLE_MS,
  INTERVAL_MS,
  isJittered,
  SUB_COUNT,
  useLiveGateways,
  watch,
} from '../utils/live-helpers.js';
import { until } from '../utils/manual-scheduler.js';

const CADENCE = { intervalMs: 2000, idleIntervalMs: 30_000 };
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

const execution = (status: string) => executionOf({ id: 'e', status });

function status(current: string | null, nextExecutionTime: string | null = null): SyncStatus {
  return {
    currentExecution: current === null ? null : execution(current),
    lastExecution: execution('completed'),
    ingestionStatus: null,
    nextExecutionTime,
  };
}

describe('nextPollDelay', () => {
  it.each(['created', 'scheduled', 'running', 'exporting', 'canceling', 'processing', 'new_thing'])(
    'polls at POLL_INTERVAL_MS while the current execution is %s',
    (value) => {
      expect(isInProgress(status(value))).toBe(true);
      expect(nextPollDelay(status(value, at(3_600_000)), CADENCE, NOW)).toBe(2000);
    },
  );

  it.each(['completed', 'canceled', 'failed', 'errors', 'interrupted'])(
    'polls at the idle interval once the execution is %s',
    (value) => {
      expect(isInProgress(status(value))).toBe(false);
      expect(nextPollDelay(status(value), CADENCE, NOW)).toBe(30_000);
    },
  );

  it('polls at the idle interval with no current execution and no schedule', () => {
    expect(nextPollDelay(status(null), CADENCE, NOW)).toBe(30_000);
    expect(nextPollDelay(status(null, 'not a date'), CADENCE, NOW)).toBe(30_000);
    expect(nextPollDelay(status(null, UNSERVABLE), CADENCE, NOW)).toBe(30_000);
  });

  it('looks just after an earlier next_execution_time', () => {
    expect(nextPollDelay(status(null, at(5000)), CADENCE, NOW)).toBe(6000);
    expect(nextPollDelay(status('completed', at(10_000)), CADENCE, NOW)).toBe(11_000);
    // Never shorter than the running interval, never longer than the idle one.
    expect(nextPollDelay(status(null, at(200)), CADENCE, NOW)).toBe(2000);
    expect(nextPollDelay(status(null, at(0)), CADENCE, NOW)).toBe(2000);
    expect(nextPollDelay(status(null, at(29_500)), CADENCE, NOW)).toBe(30_000);
    expect(nextPollDelay(status(null, at(3_600_000)), CADENCE, NOW)).toBe(30_000);
  });

  it('keeps the short interval for one idle period after a start that passed without a run', () => {
    expect(nextPollDelay(status(null, at(-1)), CADENCE, NOW)).toBe(2000);
    expect(nextPollDelay(status('completed', at(-5000)), CADENCE, NOW)).toBe(2000);
    expect(nextPollDelay(status(null, at(-29_999)), CADENCE, NOW)).toBe(2000);
    expect(nextPollDelay(status(null, at(-30_000)), CADENCE, NOW)).toBe(30_000);
    expect(nextPollDelay(status(null, at(-3_600_000)), CADENCE, NOW)).toBe(30_000);
  });
});

describe('backoffDelay and withJitter', () => {
  it('doubles from the short interval per failure, capped at eight intervals (10 s to 60 s)', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelay(n, CADENCE))).toEqual([
      4000, 8000, 16_000, 16_000, 16_000, 16_000, 16_000,
    ]);
  });

  it('honours a longer Retry-After, and ignores a shorter one', () => {
    expect(backoffDelay(1, CADENCE, 45_000)).toBe(45_000);
    expect(backoffDelay(1, CADENCE, 120_000)).toBe(120_000);
    // A Retry-After of days (or a far-future date) is honoured for an hour at most.
    expect(backoffDelay(1, CADENCE, 2_147_484_000)).toBe(3_600_000);
    expect(backoffDelay(2, CADENCE, 1000)).toBe(8000);
  });

  it('adds up to 5% (at most 250 ms)', () => {
    expect(withJitter(2000, () => 0)).toBe(2000);
    expect(withJitter(2000, () => 1)).toBe(2100);
    expect(withJitter(30_000, () => 1)).toBe(30_250);
    expect(withJitter(30_000, () => 0.5)).toBe(30_125);
  });
});

describe('cadence through the app (manual scheduler)', () => {
  const start = useLiveGateways();

  /** Subscribes to a sync answering `body` and returns the delay the poller then asked for. */
  async function firstDelay(body: ReturnType<typeof envelope>) {
    const { t, scheduler, open } = await start();
    const id = syncId(1);
    t.sim.addSync(id, body);
    const w = watch(open(), SUB_COUNT, { id });
    await until(() => w.events.length === 1 && scheduler.pending().length === 1);
    expect(scheduler.requested).toHaveLength(1);
    return { delay: scheduler.requested[0] as number, w, t, scheduler };
  }

  it('running → POLL_INTERVAL_MS', async () => {
    const { delay } = await firstDelay(envelope({ status: 'running' }));
    expect(isJittered(delay, INTERVAL_MS)).toBe(true);
  });

  it('terminal with no schedule → POLL_IDLE_INTERVAL_MS', async () => {
    const { delay } = await firstDelay(envelope({ status: 'completed' }));
    expect(isJittered(delay, IDLE_MS)).toBe(true);
  });

  it('terminal with an earlier next_execution_time → just after it', async () => {
    const next = new Date(Date.now() + 5000).toISOString();
    const { delay } = await firstDelay(envelope({ status: 'failed', nextExecutionTime: next }));
    // 5 s + 1 s, less the real time the poll took, plus jitter.
    expect(delay).toBeGreaterThan(5500);
    expect(delay).toBeLessThanOrEqual(6000 + 300);
  });

  it('a next_execution_time that just passed → short interval', async () => {
    const passed = new Date(Date.now() - 5000).toISOString();
    const { delay } = await firstDelay(envelope({ status: null, nextExecutionTime: passed }));
    expect(isJittered(delay, INTERVAL_MS)).toBe(true);
  });

  it('a next_execution_time long past → idle interval', async () => {
    const old = new Date(Date.now() - 3_600_000).toISOString();
    const { delay } = await firstDelay(envelope({ status: 'completed', nextExecutionTime: old }));
    expect(isJittered(delay, IDLE_MS)).toBe(true);
  });

  it('switches from running to idle cadence when the run ends, and back when one starts', async () => {
    const { t, scheduler } = await firstDelay(envelope({ status: 'running' }));
    const id = syncId(1);
    t.sim.setStatus(id, envelope({ status: 'completed' }));
    fireNext(scheduler);
    await until(() => t.sim.statusCalls() === 2 && scheduler.pending().length === 1);
    expect(isJittered(scheduler.requested.at(-1), IDLE_MS)).toBe(true);

    // An idle timer does not fire after a running interval.
    expect(scheduler.advance(Math.round(INTERVAL_MS * 1.1))).toBe(0);
    t.sim.setStatus(id, envelope({ status: 'running', executionId: 'second-run' }));
    fireNext(scheduler);
    await until(() => t.sim.statusCalls() === 3 && scheduler.pending().length === 1);
    expect(isJittered(scheduler.requested.at(-1), INTERVAL_MS)).toBe(true);
  });

  it('honours Retry-After on a failed poll', async () => {
    const { t, scheduler, open } = await start();
    const id = syncId(1);
    t.sim.addSync(id, envelope());
    t.sim.inject(
      { kind: 'status', status: 503, headers: { 'retry-after': '45' } },
      { syncId: id, times: 1 },
    );
    watch(open(), SUB_COUNT, { id });
    await until(() => t.sim.statusCalls() === 1 && scheduler.pending().length === 1);
    expect(isJittered(scheduler.requested[0], 45_000)).toBe(true);
    expect(t.sim.statusCalls()).toBe(1);
  });
});
