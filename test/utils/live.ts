import type { Client, ClientOptions } from 'graphql-ws';
import { expect } from 'vitest';
import { createManualScheduler, type ManualScheduler } from './manual-scheduler.js';
import { metric, untilMetric } from './metrics.js';
import { startTestApp, type TestApp } from './test-app.js';
import { until } from './wait.js';
import { wsClient } from './ws.js';

/** Default POLL_INTERVAL_MS / POLL_IDLE_INTERVAL_MS of the gateway. */
export const INTERVAL_MS = 2000;
export const IDLE_MS = 30_000;
/** Advances past one running-interval timer, jitter (≤ 5%) included. */
export const ROUND_MS = Math.round(INTERVAL_MS * 1.1);

/** A test app whose poll timers only fire when the test advances `scheduler`. */
export interface LiveTest {
  t: TestApp;
  scheduler: ManualScheduler;
}

export async function startLive(env: Record<string, string | undefined> = {}): Promise<LiveTest> {
  const scheduler = createManualScheduler();
  const t = await startTestApp(env, { scheduler });
  return { t, scheduler };
}

/** A live test app listening on a real port, and a way to open WebSocket clients to it. */
export interface LiveGateway extends LiveTest {
  /** Base URL (`http://127.0.0.1:<port>`). */
  url: string;
  /** A lazy graphql-ws client to this gateway (disposed with the leftovers). */
  open(options?: Partial<ClientOptions>): Client;
}

export async function startLiveGateway(
  env: Record<string, string | undefined> = {},
): Promise<LiveGateway> {
  const live = await startLive(env);
  const url = await live.t.app.start();
  return { ...live, url, open: (options = {}) => wsClient(url, options) };
}

/**
 * Fires one poll round: advances the clock by `ms`, then waits until the upstream has seen
 * `calls` status requests in all and `pollers` poll timers are pending again (each poll done).
 */
export async function round(
  live: LiveTest,
  calls: number,
  pollers: number,
  ms = ROUND_MS,
): Promise<void> {
  live.scheduler.advance(ms);
  await until(() => live.t.sim.statusCalls() === calls, 5000, `${calls} status calls`);
  await until(() => live.scheduler.pending().length === pollers, 5000, `${pollers} poll timers`);
}

/** Advances the clock exactly to the earliest pending poll timer, firing it (and any tied). */
export function fireNext(scheduler: ManualScheduler): number {
  const next = Math.min(...scheduler.pending().map((timer) => timer.at));
  if (!Number.isFinite(next)) throw new Error('no poll timer pending');
  return scheduler.advance(next - scheduler.now);
}

/** Whether `delay` is `base` plus the poller's jitter (0 to min(5%, 250 ms)). */
export function isJittered(delay: number | undefined, base: number): boolean {
  return delay !== undefined && delay >= base && delay <= base + Math.min(base * 0.05, 250) + 1;
}

/**
 * After the last subscriber left: waits until no poll timer is pending and no subscription is
 * open, asserts that no poller is left, and shows that no poll can follow: with no timer
 * pending, advancing `advanceMs` fires nothing.
 */
export async function expectPollingStopped(live: LiveTest, advanceMs: number): Promise<void> {
  await until(() => live.scheduler.pending().length === 0, 5000, 'no poll timer');
  await untilMetric(live.t, 'gateway_active_subscriptions', 0);
  expect(await metric(live.t, 'gateway_active_pollers')).toBe(0);
  expect(live.scheduler.advance(advanceMs)).toBe(0);
}
