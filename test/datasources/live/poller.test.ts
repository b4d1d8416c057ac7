import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../../src/datasources/live/events.js';
import { startPoller } from '../../../src/datasources/live/poller.js';
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
