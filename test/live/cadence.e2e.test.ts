import { describe, expect, it } from 'vitest';
import { envelope, syncId } from '../fixtures/status.js';
import { fireNext, IDLE_MS, INTERVAL_MS, isJittered, startLiveGateway } from '../utils/live.js';
import { SUB_COUNT } from '../utils/operations.js';
import { until } from '../utils/wait.js';
import { watch } from '../utils/ws.js';

// The delays the poll loop asks for, through the app (the rules themselves:
// test/datasources/live/cadence.test.ts).

describe('cadence through the app (manual scheduler)', () => {
  /** Subscribes to a sync answering `body` and returns the delay the poller then asked for. */
  async function firstDelay(body: ReturnType<typeof envelope>) {
    const { t, scheduler, open } = await startLiveGateway();
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
    const { t, scheduler, open } = await startLiveGateway();
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
