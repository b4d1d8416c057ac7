import { isInProgress, type SyncStatus, UNSERVABLE } from '../polytomic/types.js';

/** Poll periods, from POLL_INTERVAL_MS and POLL_IDLE_INTERVAL_MS. */
export interface Cadence {
  intervalMs: number;
  idleIntervalMs: number;
  /** An idle sync's period while events are watched for its credential (POLL_SAFETY_INTERVAL_MS). */
  safetyIntervalMs?: number | undefined;
}

/** How long after `next_execution_time` to look, so the new run has been created. */
const AFTER_SCHEDULED_MS = 1000;
/**
 * Cap of the failure backoff: eight short periods, between 10 s and 60 s. A backoff also delays
 * noticing recovery: a flat 60 s cap would leave dashboards a minute behind after each fault,
 * while eight periods keep the load of a long outage low all the same.
 */
const backoffCap = (cadence: Cadence) => Math.min(60_000, Math.max(10_000, cadence.intervalMs * 8));

/**
 * The wait before the next poll: the short period while a run is in progress; otherwise the idle
 * period, shortened to land just after a scheduled start, and kept short for one idle period
 * after a start that has passed without a run showing up yet (schedulers run late).
 */
export function nextPollDelay(status: SyncStatus, cadence: Cadence, now: number): number {
  if (isInProgress(status)) return cadence.intervalMs;
  const next = status.nextExecutionTime;
  // An unreadable time is polled as if nothing were scheduled.
  const scheduled = next && next !== UNSERVABLE ? Date.parse(next) : Number.NaN;
  if (Number.isNaN(scheduled)) return cadence.idleIntervalMs;
  const untilStart = scheduled - now;
  if (untilStart < 0) {
    return -untilStart < cadence.idleIntervalMs ? cadence.intervalMs : cadence.idleIntervalMs;
  }
  return Math.min(
    cadence.idleIntervalMs,
    Math.max(cadence.intervalMs, untilStart + AFTER_SCHEDULED_MS),
  );
}

/** The longest Retry-After a poller honours: its subscribers still hear at least hourly. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * Wait after the n-th failure in a row (n ≥ 1): doubling from the short period, capped;
 * Retry-After wins when longer, up to an hour.
 */
export function backoffDelay(failures: number, cadence: Cadence, retryAfterMs?: number): number {
  const doubled = Math.min(backoffCap(cadence), cadence.intervalMs * 2 ** failures);
  return Math.max(doubled, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

/** Up to 5% later (at most 250 ms), so pollers started together drift apart instead of firing in lockstep. */
export function withJitter(ms: number, random: () => number = Math.random): number {
  return Math.round(ms + random() * Math.min(ms * 0.05, 250));
}
