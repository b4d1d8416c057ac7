import { describe, expect, it } from 'vitest';
import { startEventWatcher } from '../../../src/datasources/live/event-watcher.js';
import type { PolytomicClient } from '../../../src/datasources/polytomic/client.js';
import { UpstreamHttpError } from '../../../src/datasources/polytomic/errors.js';
import type { SyncEvent } from '../../../src/datasources/polytomic/wire-events.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createManualScheduler } from '../../utils/manual-scheduler.js';
import { until } from '../../utils/wait.js';

const CADENCE = { intervalMs: 2000, idleIntervalMs: 30_000 };
const NOW = Date.parse('2026-12-08T10:00:00Z');

interface Read {
  startingAfter: number;
  endingBefore: number | undefined;
  limit: number;
}

/** A client whose event log is `log`, filtered and ordered as Polytomic might. */
function fakeClient(log: SyncEvent[], order: 'asc' | 'desc') {
  const reads: Read[] = [];
  let failWith: Error | undefined;
  const client = {
    async listEvents(_authorization, { startingAfter, endingBefore, limit }) {
      reads.push({
        startingAfter: startingAfter.getTime(),
        endingBefore: endingBefore?.getTime(),
        limit,
      });
      if (failWith) throw failWith;
      const found = log
        .filter((e) => e.createdAt > startingAfter.getTime())
        .filter((e) => !endingBefore || e.createdAt < endingBefore.getTime())
        .sort((a, b) => (order === 'asc' ? a.createdAt - b.createdAt : b.createdAt - a.createdAt));
      return found.slice(0, limit);
    },
  } as Pick<PolytomicClient, 'listEvents'> as PolytomicClient;
  return { client, reads, fail: (error: Error | undefined) => (failWith = error) };
}

const event = (n: number, at: number): SyncEvent => ({
  id: `event-${n}`,
  type: 'bulk_sync.running',
  syncId: `sync-${n}`,
  createdAt: at,
});

function start(log: SyncEvent[], order: 'asc' | 'desc') {
  const scheduler = createManualScheduler();
  const fake = fakeClient(log, order);
  const handed: string[] = [];
  const health: boolean[] = [];
  const watcher = startEventWatcher({
    client: fake.client,
    authorization: 'Bearer key',
    intervalMs: 2000,
    cadence: CADENCE,
    scheduler,
    log: createLogger('silent'),
    onEvents: (events) => handed.push(...events.map((e) => e.id)),
    onHealth: (healthy) => health.push(healthy),
    now: () => NOW,
  });
  /** Lets the read in flight finish: the next tick is scheduled once it has. */
  const settled = () => until(() => scheduler.pending().length === 1);
  return { scheduler, ...fake, handed, health, watcher, settled };
}

describe('event watcher', () => {
  for (const order of ['asc', 'desc'] as const) {
    it(`hands each event on once, reading one page per interval (${order})`, async () => {
      const log = [event(1, NOW - 1000), event(2, NOW - 500)];
      const w = start(log, order);
      try {
        await w.settled();
        expect(w.handed).toEqual(order === 'asc' ? ['event-1', 'event-2'] : ['event-2', 'event-1']);
        expect(w.health).toEqual([true]);
        expect(w.reads).toHaveLength(1);
        // The first read looks back 10 s before the start (events of the interval before it).
        expect(w.reads[0]).toEqual({
          startingAfter: NOW - 20_000,
          endingBefore: undefined,
          limit: 100,
        });

        // The next interval: a new event, and the old ones again in the overlap: only the new.
        log.push(event(3, NOW + 100));
        w.scheduler.advance(2000);
        await w.settled();
        expect(w.handed.slice(2)).toEqual(['event-3']);
        expect(w.reads).toHaveLength(2);
        // It looks back 10 s before the newest event seen before it.
        expect(w.reads[1]?.startingAfter).toBe(NOW - 500 - 10_000);
        expect(w.scheduler.pending()[0]?.ms).toBe(2000);
      } finally {
        w.watcher.stop();
      }
    });

    it(`pages through a full window by time (${order})`, async () => {
      const log = Array.from({ length: 250 }, (_, n) => event(n, NOW - 5000 + n));
      const w = start(log, order);
      try {
        await w.settled();
        expect(new Set(w.handed).size).toBe(250);
        expect(w.handed).toHaveLength(250);
        // Three pages: 100, 100, 50.
        expect(w.reads).toHaveLength(3);
      } finally {
        w.watcher.stop();
      }
    });
  }

  it('turns unhealthy at once on a refusal, backs off, and recovers', async () => {
    const w = start([event(1, NOW - 100)], 'desc');
    try {
      await w.settled();
      expect(w.health).toEqual([true]);
      w.fail(new UpstreamHttpError(403));
      w.scheduler.advance(2000);
      await w.settled();
      expect(w.health).toEqual([true, false]);
      // Backoff: doubling from the events interval.
      expect(w.scheduler.pending()[0]?.ms).toBe(4000);
      w.scheduler.advance(4000);
      await w.settled();
      expect(w.scheduler.pending()[0]?.ms).toBe(8000);
      expect(w.health).toEqual([true, false]);

      w.fail(undefined);
      w.scheduler.advance(8000);
      await w.settled();
      expect(w.health).toEqual([true, false, true]);
      expect(w.scheduler.pending()[0]?.ms).toBe(2000);
      expect(w.handed).toEqual(['event-1']);
    } finally {
      w.watcher.stop();
    }
    // Stopped healthy: told unhealthy, no timer left.
    expect(w.health).toEqual([true, false, true, false]);
    expect(w.scheduler.pending()).toEqual([]);
  });
});
