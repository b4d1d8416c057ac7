import { describe, expect, it } from 'vitest';
import { watchSyncs } from '../../../src/datasources/live/channel.js';
import type { LiveEvent } from '../../../src/datasources/live/events.js';
import {
  createLocalFanOut,
  type FanOut,
  type Hint,
} from '../../../src/datasources/live/fan-out.js';
import type { Leadership } from '../../../src/datasources/live/leadership.js';
import {
  createLiveRegistry,
  LiveCapacityError,
  type LiveRegistry,
  type Watcher,
} from '../../../src/datasources/live/registry.js';
import type { PolytomicClient } from '../../../src/datasources/polytomic/client.js';
import { UpstreamHttpError } from '../../../src/datasources/polytomic/errors.js';
import type { SyncStatus } from '../../../src/datasources/polytomic/types.js';
import type { StatusStore } from '../../../src/datasources/status-store.js';
import { createLogger } from '../../../src/observability/logger.js';
import { EMPTY_STATUS, execution } from '../../fixtures/dtos.js';
import { DEFAULTS } from '../../utils/defaults.js';
import { createManualScheduler } from '../../utils/manual-scheduler.js';
import { until } from '../../utils/wait.js';

const A = 'sync-a';
const B = 'sync-b';
const KEY = 'Bearer one';
const OTHER_KEY = 'Bearer two';
const CADENCE = { intervalMs: 2000, idleIntervalMs: 30_000 };

/** A status whose only distinguishing field is `n` (in progress, so the cadence is short). */
function status(n: number): SyncStatus {
  return {
    ...EMPTY_STATUS,
    currentExecution: execution({ id: 'run', status: 'running', recordCount: n }),
  };
}

const snap = (n: number) => ({ status: status(n), fetchedAt: 0, stale: false });

const countOf = (event: LiveEvent | undefined) =>
  event && 'snapshot' in event ? event.snapshot.status.currentExecution?.recordCount : undefined;

/** A status store answering from a table, recording every call. */
function fakeStore() {
  const answers = new Map<string, SyncStatus | Error>();
  const calls: { id: string; authorization: string; kind: 'get' | 'refresh' }[] = [];
  const answer = (id: string, authorization: string, kind: 'get' | 'refresh') => {
    calls.push({ id, authorization, kind });
    const value = answers.get(`${authorization}|${id}`) ?? answers.get(id) ?? status(0);
    return value instanceof Error
      ? Promise.reject(value)
      : Promise.resolve({ status: value, fetchedAt: 0, stale: false });
  };
  const store: StatusStore = {
    get: (id, authorization) => answer(id, authorization, 'get'),
    refresh: (id, authorization) => answer(id, authorization, 'refresh'),
    invalidate: () => {},
  };
  return { store, calls, answers };
}

function setup(maxPollers?: number) {
  const scheduler = createManualScheduler();
  const { store, calls, answers } = fakeStore();
  const sizes: number[] = [];
  const registry = createLiveRegistry({
    store,
    hashCredential: (authorization) => `h(${authorization})`,
    cadence: CADENCE,
    log: createLogger('silent'),
    scheduler,
    onSize: (size) => sizes.push(size),
    maxPollers: maxPollers ?? DEFAULTS.poll.maxPollers,
  });
  return { registry, scheduler, calls, answers, sizes };
}

function recorder(): Watcher & { events: LiveEvent[]; closed: number } {
  const r = {
    events: [] as LiveEvent[],
    closed: 0,
    onEvent: (event: LiveEvent) => {
      r.events.push(event);
    },
    onClose: () => {
      r.closed += 1;
    },
  };
  return r;
}

/**
 * Whether a promise has settled once everything already queued has run (a turn of the event
 * loop: the channel is in memory, so anything it holds resolves a pull in microtasks). A test
 * then sends a sentinel and asserts that the pending pull gets it.
 */
async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe('live registry', () => {
  it('runs one poll loop per (credential, sync), however many watch it', async () => {
    const { registry, scheduler, calls, sizes } = setup();
    const first = recorder();
    const second = recorder();
    registry.watch(A, KEY, first);
    registry.watch(A.toUpperCase(), KEY, second);
    await until(() => first.events.length === 1 && second.events.length === 1);
    expect(calls).toEqual([{ id: A, authorization: KEY, kind: 'get' }]);
    expect(scheduler.pending()).toHaveLength(1);
    expect(sizes).toEqual([1]);

    // A late joiner is told the latest status during watch(), with no new call.
    const late = recorder();
    registry.watch(A, KEY, late);
    expect(late.events).toHaveLength(1);
    expect(calls).toHaveLength(1);

    // Another credential gets its own loop.
    registry.watch(A, OTHER_KEY, recorder());
    await until(() => calls.length === 2);
    expect(calls[1]).toEqual({ id: A, authorization: OTHER_KEY, kind: 'get' });
    expect(sizes).toEqual([1, 2]);
  });

  it('publishes only changes; later ticks refresh rather than read the cache', async () => {
    const { registry, scheduler, calls, answers } = setup();
    const w = recorder();
    registry.watch(A, KEY, w);
    await until(() => scheduler.pending().length === 1);
    scheduler.advance(2200);
    await until(() => calls.length === 2 && scheduler.pending().length === 1);
    answers.set(A, status(1));
    scheduler.advance(2200);
    await until(() => calls.length === 3 && scheduler.pending().length === 1);
    expect(w.events.map(countOf)).toEqual([0, 1]);
    expect(calls.map((c) => c.kind)).toEqual(['get', 'refresh', 'refresh']);
  });

  it('the last unwatch stops the loop; one of two leaving keeps it', async () => {
    const { registry, scheduler, calls, sizes } = setup();
    const stopFirst = registry.watch(A, KEY, recorder());
    const stopSecond = registry.watch(A, KEY, recorder());
    await until(() => scheduler.pending().length === 1);
    stopFirst();
    expect(scheduler.pending()).toHaveLength(1);
    stopSecond();
    expect(scheduler.pending()).toEqual([]);
    expect(sizes).toEqual([1, 0]);
    // No timer is left: advancing fires nothing (the fake store records a call as it is made).
    expect(scheduler.advance(100_000)).toBe(0);
    expect(calls).toHaveLength(1);
    // Unwatching twice is harmless.
    stopSecond();
    expect(sizes).toEqual([1, 0]);
  });

  it('refuses a new pair beyond maxPollers, but lets watchers join existing ones', () => {
    const { registry } = setup(2);
    registry.watch(A, KEY, recorder());
    registry.watch(B, KEY, recorder());
    expect(() => registry.watch('sync-c', KEY, recorder())).toThrow(LiveCapacityError);
    expect(() => registry.watch(A, OTHER_KEY, recorder())).toThrow(LiveCapacityError);
    expect(() => registry.watch(A, KEY, recorder())).not.toThrow();
  });

  it('ends a watch on 404 and forgets the pair, so a new watch polls afresh', async () => {
    const { registry, scheduler, calls, answers, sizes } = setup();
    const w = recorder();
    registry.watch(A, KEY, w);
    await until(() => w.events.length === 1 && scheduler.pending().length === 1);
    answers.set(A, new UpstreamHttpError(404));
    scheduler.advance(2200);
    await until(() => w.events.length === 2);
    expect(w.events[1]).toEqual({ syncId: A, endedWith: { statusCode: 404 } });
    expect(scheduler.pending()).toEqual([]);
    expect(sizes).toEqual([1, 0]);

    answers.set(A, status(5));
    const again = recorder();
    registry.watch(A, KEY, again);
    await until(() => again.events.length === 1);
    expect(countOf(again.events[0])).toBe(5);
    expect(calls).toHaveLength(3);
  });

  it('backs off on a retryable failure without telling watchers', async () => {
    const { registry, scheduler, answers } = setup();
    const w = recorder();
    registry.watch(A, KEY, w);
    await until(() => scheduler.pending().length === 1);
    answers.set(A, new UpstreamHttpError(503));
    scheduler.advance(2200);
    await until(() => scheduler.requested.length === 2);
    expect(w.events).toHaveLength(1);
    expect(scheduler.requested[1]).toBeGreaterThanOrEqual(4000);
    expect(scheduler.requested[1]).toBeLessThanOrEqual(4200);
  });

  it('close() stops every loop and tells every watcher once', async () => {
    const { registry, scheduler, sizes } = setup();
    const watchers = [recorder(), recorder(), recorder()];
    registry.watch(A, KEY, watchers[0] as Watcher);
    registry.watch(A, KEY, watchers[1] as Watcher);
    registry.watch(B, OTHER_KEY, watchers[2] as Watcher);
    await until(() => scheduler.pending().length === 2);
    registry.close();
    expect(scheduler.pending()).toEqual([]);
    expect(watchers.map((w) => w.closed)).toEqual([1, 1, 1]);
    expect(sizes.at(-1)).toBe(0);
  });
});

describe('watchSyncs channel', () => {
  /** A registry stand-in that hands the channel's watcher to the test. */
  function fakeRegistry() {
    const watchers = new Map<string, Watcher>();
    const unwatched: string[] = [];
    const registry: LiveRegistry = {
      checkRoom() {},
      watch(syncId, _authorization, watcher) {
        watchers.set(syncId, watcher);
        return () => unwatched.push(syncId);
      },
      pollNow() {},
      hintWebhook() {},
      close() {
        for (const watcher of watchers.values()) watcher.onClose();
      },
    };
    return { registry, watchers, unwatched };
  }

  it('keeps only the newest undelivered status of a sync for a consumer that does not pull', async () => {
    const { registry, watchers } = fakeRegistry();
    const stream = watchSyncs(registry, [A], KEY);
    const watcher = watchers.get(A) as Watcher;
    for (let n = 1; n <= 10_000; n++) watcher.onEvent({ syncId: A, snapshot: snap(n) });

    const first = await stream.next();
    expect(first.done).toBe(false);
    expect(countOf(first.value)).toBe(10_000);
    // Nothing else was queued.
    const second = stream.next();
    expect(await settlesSoon(second)).toBe(false);
    watcher.onEvent({ syncId: A, snapshot: snap(10_001) });
    expect(countOf((await second).value)).toBe(10_001);
  });

  it('holds one pending event per sync and serves them oldest-updated first', async () => {
    const { registry, watchers } = fakeRegistry();
    const stream = watchSyncs(registry, [A, B], KEY);
    const a = watchers.get(A) as Watcher;
    const b = watchers.get(B) as Watcher;
    a.onEvent({ syncId: A, snapshot: snap(1) });
    a.onEvent({ syncId: A, snapshot: snap(2) });
    b.onEvent({ syncId: B, snapshot: snap(10) });
    a.onEvent({ syncId: A, snapshot: snap(3) });
    const pulled = [await stream.next(), await stream.next()].map((r) => [
      r.value?.syncId,
      countOf(r.value),
    ]);
    expect(pulled).toEqual([
      [B, 10],
      [A, 3],
    ]);
    const third = stream.next();
    expect(await settlesSoon(third)).toBe(false);
    // The sentinel: the next status sent is the next one pulled.
    b.onEvent({ syncId: B, snapshot: snap(11) });
    expect(countOf((await third).value)).toBe(11);
  });

  it('watches each sync once, lowercased', () => {
    const { registry, watchers } = fakeRegistry();
    watchSyncs(registry, ['SYNC-A', A, B], KEY);
    expect([...watchers.keys()]).toEqual([A, B]);
  });

  it('unwatches everything when the consumer leaves, even while it waits', async () => {
    const { registry, unwatched } = fakeRegistry();
    const stream = watchSyncs(registry, [A, B], KEY);
    const waiting = stream.next();
    await stream.return?.();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(unwatched.sort()).toEqual([A, B]);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('ends one sync on endedWith, delivers it, and completes when every sync has ended', async () => {
    const { registry, watchers, unwatched } = fakeRegistry();
    const stream = watchSyncs(registry, [A, B], KEY);
    (watchers.get(A) as Watcher).onEvent({ syncId: A, endedWith: { statusCode: 404 } });
    expect(unwatched).toEqual([A]);
    expect((await stream.next()).value).toEqual({ syncId: A, endedWith: { statusCode: 404 } });

    const waiting = stream.next();
    (watchers.get(B) as Watcher).onEvent({ syncId: B, snapshot: snap(7) });
    expect(countOf((await waiting).value)).toBe(7);
    (watchers.get(B) as Watcher).onEvent({ syncId: B, endedWith: { statusCode: 403 } });
    expect((await stream.next()).value).toEqual({ syncId: B, endedWith: { statusCode: 403 } });
    expect((await stream.next()).done).toBe(true);
    expect(unwatched).toEqual([A, B]);
  });

  it('completes when the registry closes', async () => {
    const { registry } = fakeRegistry();
    const stream = watchSyncs(registry, [A], KEY);
    const waiting = stream.next();
    registry.close();
    expect((await waiting).done).toBe(true);
  });

  it('refuses a watch that would pass the cap before starting any of its syncs', async () => {
    const { registry, scheduler, sizes } = setup(2);
    registry.watch('held', KEY, recorder());
    expect(() => watchSyncs(registry, [A, B], KEY)).toThrow(LiveCapacityError);
    // Neither A nor B was started (no upstream call for a refused subscription).
    expect(sizes).toEqual([1]);
    // The held pair's loop is armed again after its first call (the sentinel); A and B, had they
    // started, would have armed theirs in the same turn.
    await until(() => scheduler.pending().length === 1);
    expect(scheduler.pending()).toHaveLength(1);
  });

  it('with a real registry, a second channel gets the latest status at once', async () => {
    const { registry } = setup();
    const one = watchSyncs(registry, [A], KEY);
    expect(countOf((await one.next()).value)).toBe(0);
    const two = watchSyncs(registry, [A], KEY);
    expect(countOf((await two.next()).value)).toBe(0);
  });
});

describe('local fan-out', () => {
  it('delivers to every listener of a topic and forgets a topic with none left', () => {
    const fanOut = createLocalFanOut();
    const got: string[] = [];
    const offA = fanOut.subscribe('t', (e) => got.push(`a:${e.syncId}`));
    const offB = fanOut.subscribe('t', (e) => got.push(`b:${e.syncId}`));
    fanOut.subscribe('other', (e) => got.push(`o:${e.syncId}`));
    fanOut.publish('t', { syncId: '1', snapshot: snap(0) });
    offA();
    fanOut.publish('t', { syncId: '2', snapshot: snap(0) });
    offB();
    fanOut.publish('t', { syncId: '3', snapshot: snap(0) });
    expect(got).toEqual(['a:1', 'b:1', 'b:2']);
  });
});

describe('event watcher health from another replica', () => {
  it("trusts the leading replica's reads: idle syncs here wait the safety period, and stop when it fails", async () => {
    const scheduler = createManualScheduler();
    const { store, answers } = fakeStore();
    answers.set(A, EMPTY_STATUS);
    const local = createLocalFanOut();
    let deliver: ((syncId: string, hint?: Hint) => void) | undefined;
    const published: Hint[] = [];
    const fanOut: FanOut = {
      ...local,
      hint: (_syncId, hint) => {
        if (hint) published.push(hint);
      },
      onHint: (listener) => {
        deliver = listener;
      },
    };
    // Another replica leads the credential's event watcher; this one leads the sync's poll.
    const leadership: Leadership = {
      campaign: (key, onElected, onDeposed) => {
        if (!key.startsWith('events:')) onElected();
        return onDeposed;
      },
    };
    const client = { listEvents: async () => [] } as unknown as PolytomicClient;
    const registry = createLiveRegistry({
      store,
      hashCredential: (authorization) => `h(${authorization})`,
      cadence: { ...CADENCE, safetyIntervalMs: 300_000 },
      log: createLogger('silent'),
      scheduler,
      fanOut,
      leadership,
      maxPollers: 10,
      events: { client, intervalMs: 2000 },
    });
    try {
      const unwatch = registry.watch(A, KEY, recorder());
      await until(() => scheduler.pending().length === 1);
      expect(scheduler.pending()[0]?.ms).toBeLessThan(32_000);
      // The leading replica's watcher reads well: this replica's bulk checks start, and the
      // sync's next poll waits the safety period.
      deliver?.('', { kind: 'events-health', credential: `h(${KEY})`, healthy: true });
      expect(scheduler.pending().map((timer) => timer.ms)).toContain(270_000);
      scheduler.advance(32_000);
      await until(() => scheduler.pending().length === 2 && scheduler.busy() === 0);
      const delays = scheduler.pending().map((timer) => timer.ms);
      expect(delays.filter((ms) => ms >= 300_000)).toHaveLength(1);
      // Its watcher fails: the sync is polled within one idle period, the bulk check stops.
      deliver?.('', { kind: 'events-health', credential: `h(${KEY})`, healthy: false });
      expect(scheduler.pending().map((timer) => timer.ms)).toHaveLength(1);
      expect(scheduler.pending()[0]?.ms).toBeLessThanOrEqual(30_000);
      expect(published).toEqual([]);
      unwatch();
    } finally {
      registry.close();
    }
  });
});
