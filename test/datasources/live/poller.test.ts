import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../../src/datasources/live/events.js';
import { startPoller } from '../../../src/datasources/live/poller.js';
import type { CallOptions } from '../../../src/datasources/polytomic/client.js';
import { PolytomicError } from '../../../src/datasources/polytomic/errors.js';
import type { Snapshot } from '../../../src/datasources/polytomic/types.js';
import type { StatusStore } from '../../../src/datasources/status-store.js';
import { createLogger } from '../../../src/observability/logger.js';
import { EMPTY_STATUS, execution } from '../../fixtures/dtos.js';
import { createManualScheduler } from '../../utils/manual-scheduler.js';
import { until } from '../../utils/wait.js';

const CADENCE = { intervalMs: 2000, idleIntervalMs: 30_000 };

const snapshot = (n: number): Snapshot => ({
  status: {
    ...EMPTY_STATUS,
    currentExecution: execution({ id: 'run', status: 'running', recordCount: n }),
  },
  fetchedAt: 0,
  stale: false,
});

/** A store whose every call waits until the test settles it. */
function heldStore() {
  const calls: { settle: (answer: Snapshot | Error) => void }[] = [];
  const answer = () =>
    new Promise<Snapshot>((resolve, reject) => {
      calls.push({ settle: (a) => (a instanceof Error ? reject(a) : resolve(a)) });
    });
  const store: StatusStore = { get: answer, refresh: answer, invalidate: () => {} };
  return { store, calls };
}

describe('poller', () => {
  it('an action during a poll that then fails polls once after recovery, not twice', async () => {
    const scheduler = createManualScheduler();
    const { store, calls } = heldStore();
    const published: LiveEvent[] = [];
    const poller = startPoller({
      syncId: 'sync-a',
      authorization: 'Bearer one',
      store,
      cadence: CADENCE,
      scheduler,
      publish: (event) => published.push(event),
      log: createLogger('silent'),
    });
    try {
      expect(calls).toHaveLength(1);
      calls[0]?.settle(snapshot(1));
      await until(() => scheduler.pending().length === 1);
      expect(published).toHaveLength(1);

      scheduler.advance(scheduler.pending()[0]?.ms ?? 0);
      expect(calls).toHaveLength(2);
      poller.pollNow(); // the action lands while the second poll is in flight
      calls[1]?.settle(new PolytomicError('upstream down'));
      await until(() => scheduler.pending().length === 1);
      expect(calls).toHaveLength(2); // backing off: the action's poll waits for the backoff

      scheduler.advance(scheduler.pending()[0]?.ms ?? 0);
      expect(calls).toHaveLength(3);
      calls[2]?.settle(snapshot(1)); // recovered, unchanged, but forced by the action
      await until(() => published.length === 2);
      await new Promise((resolve) => setImmediate(resolve));
      expect(calls).toHaveLength(3); // no second poll for the same action
      expect(scheduler.pending()).toHaveLength(1);
      expect(published).toHaveLength(2);
    } finally {
      poller.stop();
    }
    expect(scheduler.pending()).toHaveLength(0);
  });
});

describe('poller moved by events', () => {
  const idle: Snapshot = { status: EMPTY_STATUS, fetchedAt: 0, stale: false };
  const SAFE = { ...CADENCE, safetyIntervalMs: 300_000 };

  /** A poller on a store that answers `answer()` at once and records why each call was made. */
  function started(watched: { value: boolean }, answer: () => Snapshot = () => idle) {
    const scheduler = createManualScheduler();
    const reasons: (string | undefined)[] = [];
    const record = async (_id: string, _authorization: string, call?: CallOptions) => {
      reasons.push(call?.reason);
      return answer();
    };
    const store: StatusStore = { get: record, refresh: record, invalidate: () => {} };
    let clock = 1_000_000;
    const published: LiveEvent[] = [];
    const poller = startPoller({
      syncId: 'sync-a',
      authorization: 'Bearer one',
      store,
      cadence: SAFE,
      scheduler,
      publish: (event) => published.push(event),
      log: createLogger('silent'),
      eventsWatched: () => watched.value,
      now: () => clock,
    });
    const settled = (calls: number) =>
      until(() => reasons.length === calls && scheduler.pending().length === 1);
    const tick = (ms: number) => {
      clock += ms;
      scheduler.advance(ms);
    };
    return { scheduler, reasons, poller, published, settled, tick };
  }

  it('an idle sync waits the safety period while events are watched, the idle one otherwise', async () => {
    const watched = { value: true };
    const p = started(watched);
    try {
      await p.settled(1);
      expect(p.scheduler.pending()[0]?.ms).toBeGreaterThanOrEqual(300_000);
      expect(p.poller.isIdle()).toBe(true);

      // Events lost: the long wait ends within one idle period.
      watched.value = false;
      p.poller.cadenceChanged();
      expect(p.scheduler.pending()[0]?.ms).toBeLessThanOrEqual(30_000);
      p.tick(p.scheduler.pending()[0]?.ms ?? 0);
      await p.settled(2);
      expect(p.reasons).toEqual(['query', 'idle']);
      expect(p.scheduler.pending()[0]?.ms).toBeLessThan(31_000);
    } finally {
      p.poller.stop();
    }
  });

  it('an event polls now, a second within 500 ms waits for the spacing, a third is served by it', async () => {
    const watched = { value: true };
    const p = started(watched);
    try {
      await p.settled(1);
      p.poller.pollSoon('event');
      expect(p.scheduler.pending()[0]?.ms).toBe(0);
      p.tick(0);
      await p.settled(2);
      p.poller.pollSoon('event');
      p.poller.pollSoon('webhook');
      expect(p.scheduler.pending()).toHaveLength(1);
      expect(p.scheduler.pending()[0]?.ms).toBe(500);
      p.tick(500);
      await p.settled(3);
      expect(p.reasons).toEqual(['query', 'event', 'event']);
      // The status did not change: nothing was published after the first.
      expect(p.published).toHaveLength(1);
    } finally {
      p.poller.stop();
    }
  });

  it('an event during a poll in flight polls once after it, unforced', async () => {
    const scheduler = createManualScheduler();
    const { store, calls } = heldStore();
    const published: LiveEvent[] = [];
    let clock = 5_000_000;
    const poller = startPoller({
      syncId: 'sync-a',
      authorization: 'Bearer one',
      store,
      cadence: SAFE,
      scheduler,
      publish: (event) => published.push(event),
      log: createLogger('silent'),
      eventsWatched: () => true,
      now: () => clock,
    });
    try {
      calls[0]?.settle(idle);
      await until(() => scheduler.pending().length === 1);
      poller.pollSoon('event');
      scheduler.advance(0);
      expect(calls).toHaveLength(2);
      // Another event while that poll is in flight: its answer may predate the event.
      poller.pollSoon('webhook');
      poller.pollSoon('event');
      expect(calls).toHaveLength(2);
      calls[1]?.settle(idle);
      await until(() => scheduler.pending().some((timer) => timer.ms === 500));
      clock += 500;
      scheduler.advance(500);
      expect(calls).toHaveLength(3);
      calls[2]?.settle(idle);
      await until(() => scheduler.pending().length === 1);
      expect(calls).toHaveLength(3);
      // Nothing changed: only the first status was published (an event forces nothing).
      expect(published).toHaveLength(1);
    } finally {
      poller.stop();
    }
  });

  it('a summary that shows the sync unchanged puts its safety poll off again', async () => {
    const p = started({ value: true });
    try {
      await p.settled(1);
      p.tick(200_000);
      expect(p.scheduler.pending()[0]?.at).toBeGreaterThanOrEqual(300_000);
      p.poller.checked();
      const [timer] = p.scheduler.pending();
      expect(timer?.at).toBeGreaterThanOrEqual(200_000 + 300_000);
      expect(p.reasons).toEqual(['query']);
    } finally {
      p.poller.stop();
    }
  });

  it('says why it polls: busy while running, safety when idle with events watched', async () => {
    let n = 0;
    const p = started({ value: true }, () => (n++ < 2 ? snapshot(n) : idle));
    try {
      await p.settled(1);
      p.tick(p.scheduler.pending()[0]?.ms ?? 0);
      await p.settled(2);
      p.tick(p.scheduler.pending()[0]?.ms ?? 0);
      await p.settled(3);
      p.tick(p.scheduler.pending()[0]?.ms ?? 0);
      await p.settled(4);
      expect(p.reasons).toEqual(['query', 'busy', 'busy', 'safety']);
    } finally {
      p.poller.stop();
    }
  });
});
