import { describe, expect, it } from 'vitest';
import { backoffDelay, nextPollDelay, withJitter } from '../../../src/datasources/live/cadence.js';
import {
  isInProgress,
  type SyncStatus,
  UNSERVABLE,
} from '../../../src/datasources/polytomic/types.js';
import { execution as executionOf } from '../../fixtures/dtos.js';

// The rules; the delays the poll loop asks for through the app: test/live/cadence.e2e.test.ts.

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
