import { describe, expect, it } from 'vitest';
import { SUMMARY_CHUNK } from '../../src/datasources/live/registry.js';
import { SIM_OTHER_KEY } from '../../tools/simulator/index.js';
import { envelope, syncId } from '../fixtures/status.js';
import { type LiveGateway, startLiveGateway } from '../utils/live.js';
import { metric, untilMetric } from '../utils/metrics.js';
import { SUB_COUNT } from '../utils/operations.js';
import { until } from '../utils/wait.js';
import { type Watch, watch } from '../utils/ws.js';

// Polytomic's events move the pollers (docs/events.md): one read of GET /api/events per interval
// per credential, an event makes one extra poll, idle syncs are checked in bulk while events are
// watched, and a failing events endpoint brings the normal cadence back. The watcher alone, on a
// client the test drives: test/datasources/live/event-watcher.test.ts.

const EVENTS_INTERVAL_MS = 2000;
const SAFETY_MS = 300_000;
const IDLE_MS = 30_000;
const HEALTHY = 'gateway_event_watchers{state="healthy"}';
const FAILING = 'gateway_event_watchers{state="failing"}';

/**
 * A gateway with events on, `count` idle syncs of the service key watched (the watcher healthy
 * before all but the first are subscribed to, so their pollers wait the safety period).
 */
async function watching(count: number): Promise<LiveGateway & { ids: string[]; watches: Watch[] }> {
  const live = await startLiveGateway({ POLYTOMIC_EVENTS: 'poll' });
  const { t, scheduler, open } = live;
  const ids = Array.from({ length: count }, (_, n) => syncId(n + 1));
  for (const id of ids) t.sim.addSync(id, envelope({ status: 'completed' }));
  const client = open();
  const watches = [watch(client, SUB_COUNT, { id: ids[0] })];
  await untilMetric(t, HEALTHY, 1);
  for (const id of ids.slice(1)) watches.push(watch(client, SUB_COUNT, { id }));
  await until(
    () =>
      watches.every((w) => w.events.length === 1) &&
      t.sim.statusCalls() === count &&
      scheduler.busy() === 0,
    5000,
    'every first event',
  );
  return { ...live, ids, watches };
}

/** Fires the timers due now (a poll an event asked for) and waits until their calls are done. */
async function fireDue(live: LiveGateway) {
  live.scheduler.advance(0);
  await until(() => live.scheduler.busy() === 0, 5000, 'the due polls');
}

/** Advances `ms`, and waits for the watcher's read (and what it set off) to finish. */
async function advance(live: LiveGateway, ms: number, eventsCalls: number) {
  live.scheduler.advance(ms);
  await until(
    () => live.t.sim.eventsCalls() === eventsCalls && live.scheduler.busy() === 0,
    5000,
    `${eventsCalls} events calls`,
  );
}

describe('events move the pollers', () => {
  it('one events call per interval per credential, however many syncs are watched', async () => {
    const live = await watching(40);
    const { t } = live;
    expect(t.sim.eventsCalls()).toBe(1);
    for (let n = 2; n <= 6; n++) await advance(live, EVENTS_INTERVAL_MS, n);
    // Nothing happened: not one status call besides the first looks.
    expect(t.sim.statusCalls()).toBe(40);
    // Every idle sync waits the safety period.
    const pollTimers = live.scheduler.pending().filter((timer) => timer.ms >= SAFETY_MS);
    expect(pollTimers).toHaveLength(40);

    // A second credential with a watched sync: a watcher of its own.
    const other = syncId(99);
    t.sim.addSync(other, envelope({ status: 'completed' }), { keys: [SIM_OTHER_KEY] });
    const w = watch(
      live.open({ connectionParams: { authorization: `Bearer ${SIM_OTHER_KEY}` } }),
      SUB_COUNT,
      { id: other },
    );
    await until(() => w.events.length === 1 && t.sim.eventsCalls() === 7);
    await until(() => live.scheduler.busy() === 0);
    live.scheduler.advance(EVENTS_INTERVAL_MS);
    await until(() => t.sim.eventsCalls() === 9 && live.scheduler.busy() === 0);
    expect(await metric(t, HEALTHY)).toBe(2);
  });

  it('an event makes exactly one extra poll, and the push it causes is timed', async () => {
    const live = await watching(10);
    const { t, ids, watches } = live;
    const id = ids[3] as string;
    t.sim.setStatus(id, envelope({ status: 'running', recordCount: 7 }));
    t.sim.emitEvent(id, 'bulk_sync.running');
    await advance(live, EVENTS_INTERVAL_MS, 2);
    await fireDue(live);
    expect(t.sim.statusCalls()).toBe(11);
    expect(t.sim.statusCalls(id)).toBe(2);
    await until(() => watches[3]?.events.length === 2);
    expect(watches[3]?.events[1]?.data).toEqual({
      bulkSync: { id, status: { currentExecution: { recordCount: 7 } } },
    });
    expect(await metric(t, 'polytomic_upstream_calls_by_reason_total{reason="event"}')).toBe(1);
    expect(await metric(t, 'gateway_event_push_lag_seconds_count')).toBe(1);

    // The next read finds the same event again (it looks back): no poll for it twice.
    await advance(live, EVENTS_INTERVAL_MS, 3);
    await fireDue(live);
    expect(t.sim.statusCalls(id)).toBe(2);
    // The sync runs now: it keeps the busy cadence, events or not.
    expect(live.scheduler.pending().some((timer) => timer.ms < EVENTS_INTERVAL_MS * 1.1)).toBe(
      true,
    );

    // An event whose poll finds nothing new caused no push: a later change is not timed as its.
    const quiet = ids[5] as string;
    t.sim.emitEvent(quiet, 'bulk_sync.completed');
    await advance(live, EVENTS_INTERVAL_MS, 4);
    await fireDue(live);
    expect(t.sim.statusCalls(quiet)).toBe(2);
    t.sim.setStatus(quiet, envelope({ status: 'failed', recordCount: 9 }));
    // The next bulk check sees its summary changed and polls it.
    live.scheduler.advance(SAFETY_MS * 0.9);
    await until(() => live.scheduler.busy() === 0 && t.sim.bulkStatusCalls() === 1);
    // Polled (no sooner than 500 ms after the event's poll, in real time).
    await new Promise((resolve) => setTimeout(resolve, 500));
    live.scheduler.advance(500);
    await until(() => t.sim.statusCalls(quiet) === 3 && live.scheduler.busy() === 0);
    await until(() => watches[5]?.events.length === 2);
    expect(await metric(t, 'gateway_event_push_lag_seconds_count')).toBe(1);
  });

  it('a failing events endpoint brings the normal cadence back at once, logged once', async () => {
    const live = await watching(20);
    const { t } = live;
    t.sim.inject({ kind: 'status', status: 503 }, { route: 'events' });
    await advance(live, EVENTS_INTERVAL_MS, 2);
    expect(await metric(t, FAILING)).toBe(1);
    expect(await metric(t, HEALTHY)).toBe(0);
    // Every idle sync is due within one idle period from now, spread over it.
    const now = live.scheduler.now;
    const polls = live.scheduler.pending().filter((timer) => timer.at - now <= IDLE_MS);
    expect(polls.length).toBe(20 + 1);
    live.scheduler.advance(IDLE_MS);
    await until(() => t.sim.statusCalls() === 40 && live.scheduler.busy() === 0);
    expect(t.sim.statusCalls()).toBe(40);
    expect(await metric(t, 'polytomic_upstream_calls_by_reason_total{reason="idle"}')).toBe(20);
    const failures = t.logs.filter((line) => line.includes('event watcher failed'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).not.toContain('Bearer');

    // Recovery: healthy again; the next idle polls wait the safety period.
    t.sim.clearFaults();
    const backoff = Math.max(...live.scheduler.pending().map((timer) => timer.at)) - now;
    expect(backoff).toBeGreaterThan(0);
    live.scheduler.advance(60_000);
    await untilMetric(t, HEALTHY, 1);
    expect(t.logs.filter((line) => line.includes('event watcher recovered'))).toHaveLength(1);
  });

  it('checks idle syncs in bulk while events are watched; only a changed one is polled', async () => {
    const count = SUMMARY_CHUNK + 10;
    const live = await watching(count);
    const { t, ids } = live;
    const sweep = SAFETY_MS * 0.9;
    live.scheduler.advance(sweep);
    await until(() => t.sim.bulkStatusCalls() === 2 && live.scheduler.busy() === 0);
    expect(t.sim.statusCalls()).toBe(count);
    // Each check that found nothing new put the sync's own safety poll off again.
    const next = Math.min(
      ...live.scheduler
        .pending()
        .filter((timer) => timer.ms >= SAFETY_MS)
        .map((timer) => timer.at),
    );
    expect(next).toBeGreaterThanOrEqual(sweep + SAFETY_MS);

    const changed = ids[42] as string;
    t.sim.setStatus(changed, envelope({ status: 'failed' }));
    live.scheduler.advance(sweep);
    await until(() => t.sim.bulkStatusCalls() === 4 && live.scheduler.busy() === 0);
    await fireDue(live);
    expect(t.sim.statusCalls()).toBe(count + 1);
    expect(t.sim.statusCalls(changed)).toBe(2);
    expect(await metric(t, 'polytomic_upstream_calls_by_reason_total{reason="safety"}')).toBe(4);
  });
});
