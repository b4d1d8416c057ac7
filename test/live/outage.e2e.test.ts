import { describe, expect, it } from 'vitest';
import { envelope, syncId } from '../fixtures/status.js';
import { fireNext, INTERVAL_MS, isJittered, round, startLiveGateway } from '../utils/live.js';
import { scrape } from '../utils/metrics.js';
import { codeOf, executionOf, SUB_COUNT } from '../utils/operations.js';
import { until } from '../utils/wait.js';
import { sentinel, watch } from '../utils/ws.js';

/** A live gateway and one WebSocket client of it. */
async function begin(env: Record<string, string | undefined> = {}) {
  const live = await startLiveGateway(env);
  return { ...live, live, client: live.open() };
}

/** A gateway whose one client watches sync 1 (recordCount 1) and has had its first event. */
async function watching() {
  const started = await begin();
  const id = syncId(1);
  started.t.sim.addSync(id, envelope({ recordCount: 1 }));
  const w = watch(started.client, SUB_COUNT, { id });
  await until(() => w.events.length === 1);
  return { ...started, id, w };
}

describe('upstream outage', () => {
  it('stays open and silent through several failed polls, backs off doubling, then recovers', async () => {
    const { t, scheduler, live, client, id, w } = await watching();
    expect(scheduler.requested).toHaveLength(1);
    expect(isJittered(scheduler.requested[0], INTERVAL_MS)).toBe(true);

    // UPSTREAM_MAX_ATTEMPTS is 3: a poll tick must still make exactly one call.
    const failures = 4;
    t.sim.inject({ kind: 'status', status: 503 }, { syncId: id, times: failures });
    t.sim.setStatus(id, envelope({ recordCount: 2 }));
    for (let n = 1; n <= failures; n++) {
      fireNext(scheduler);
      await until(() => t.sim.statusCalls() === 1 + n);
      await until(() => scheduler.pending().length === 1);
      expect(t.sim.statusCalls()).toBe(1 + n);
      // Doubling, up to the cap of eight intervals (at least 10 s).
      const expected = Math.min(INTERVAL_MS * 2 ** n, Math.max(10_000, INTERVAL_MS * 8));
      expect(isJittered(scheduler.requested.at(-1), expected)).toBe(true);
    }
    await sentinel(client);
    expect(w.events).toHaveLength(1);
    expect(w.completed).toBe(false);
    expect(w.error).toBeUndefined();

    // Recovery: the change made during the outage arrives, and the cadence is short again.
    fireNext(scheduler);
    await until(() => w.events.length === 2);
    expect(executionOf(w.events[1])).toEqual({ recordCount: 2 });
    await until(() => scheduler.pending().length === 1);
    expect(isJittered(scheduler.requested.at(-1), INTERVAL_MS)).toBe(true);
    expect(t.sim.statusCalls()).toBe(failures + 2);

    t.sim.setStatus(id, envelope({ recordCount: 3 }));
    await round(live, failures + 3, 1);
    await until(() => w.events.length === 3);
    expect(executionOf(w.events[2])).toEqual({ recordCount: 3 });
    expect(isJittered(scheduler.requested.at(-1), INTERVAL_MS)).toBe(true);
    expect(w.events.every((event) => event.errors === undefined)).toBe(true);

    const metrics = await scrape(t);
    expect(metrics).toContain(`gateway_polls_total{outcome="failed"} ${failures}`);
    expect(metrics).toContain(`polytomic_upstream_requests_total{outcome="503"} ${failures}`);
    expect(metrics).not.toMatch(/^polytomic_upstream_retries_total\{/m);
  });

  it('a subscribe during an outage waits silently and gets its first event on recovery', async () => {
    const { t, scheduler, client } = await begin();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 4 }));
    t.sim.inject({ kind: 'status', status: 502 }, { syncId: id, times: 2 });
    const w = watch(client, SUB_COUNT, { id });
    await until(() => t.sim.statusCalls() === 1 && scheduler.pending().length === 1);
    fireNext(scheduler);
    await until(() => t.sim.statusCalls() === 2 && scheduler.pending().length === 1);
    await sentinel(client);
    expect(w.events).toEqual([]);
    expect(scheduler.requested.map((ms, i) => isJittered(ms, INTERVAL_MS * 2 ** (i + 1)))).toEqual([
      true,
      true,
    ]);

    fireNext(scheduler);
    await until(() => w.events.length === 1);
    expect(executionOf(w.events[0])).toEqual({ recordCount: 4 });
    expect(t.sim.statusCalls()).toBe(3);
  });

  it('network resets and 429s back off too, without ending the subscription', async () => {
    const { t, scheduler, id, w } = await watching();
    t.sim.inject({ kind: 'reset' }, { syncId: id, times: 1 });
    t.sim.inject({ kind: 'status', status: 429 }, { syncId: id, times: 1 });
    for (let n = 1; n <= 2; n++) {
      fireNext(scheduler);
      await until(() => t.sim.statusCalls() === 1 + n && scheduler.pending().length === 1);
      // Doubling, up to the cap of eight intervals (at least 10 s).
      const expected = Math.min(INTERVAL_MS * 2 ** n, Math.max(10_000, INTERVAL_MS * 8));
      expect(isJittered(scheduler.requested.at(-1), expected)).toBe(true);
    }
    t.sim.setStatus(id, envelope({ recordCount: 5 }));
    fireNext(scheduler);
    await until(() => w.events.length === 2);
    expect(w.events.map(codeOf)).toEqual([undefined, undefined]);
    expect(executionOf(w.events[1])).toEqual({ recordCount: 5 });
    expect(t.sim.statusCalls()).toBe(4);
  });

  it('honours a Retry-After longer than the backoff, up to an hour, then resumes', async () => {
    const { t, scheduler, id, w } = await watching();
    const tooMany = (seconds: string) =>
      t.sim.inject(
        { kind: 'status', status: 429, headers: { 'retry-after': seconds } },
        { syncId: id, times: 1 },
      );
    for (const [seconds, waitMs] of [
      ['30', 30_000],
      ['3600', 3_600_000],
      ['86400', 3_600_000],
    ] as const) {
      tooMany(seconds);
      const calls = t.sim.statusCalls();
      fireNext(scheduler);
      await until(() => t.sim.statusCalls() === calls + 1 && scheduler.pending().length === 1);
      expect(isJittered(scheduler.requested.at(-1), waitMs)).toBe(true);
    }

    t.sim.setStatus(id, envelope({ recordCount: 6 }));
    fireNext(scheduler);
    await until(() => w.events.length === 2);
    expect(executionOf(w.events[1])).toEqual({ recordCount: 6 });
    expect(w.error).toBeUndefined();
    expect(t.sim.statusCalls()).toBe(5);
  });
});
