import type { Logger } from '../../observability/logger.js';
import { PolytomicError, UpstreamHttpError } from '../polytomic/errors.js';
import type { Snapshot } from '../polytomic/types.js';
import type { StatusStore } from '../status-store.js';
import { backoffDelay, type Cadence, nextPollDelay, withJitter } from './cadence.js';
import type { LiveEvent } from './events.js';
import type { Scheduler } from './scheduler.js';

/** How one poll ended, for metrics. */
export type PollOutcome = 'changed' | 'unchanged' | 'failed' | 'ended';

/** Options of {@link startPoller}. */
export interface PollerOptions {
  syncId: string;
  authorization: string;
  store: StatusStore;
  cadence: Cadence;
  scheduler: Scheduler;
  publish: (event: LiveEvent) => void;
  /** Told the unchanged snapshot of a poll that found nothing new. */
  unchanged?: (event: LiveEvent) => void;
  log: Logger;
  onPoll?: (outcome: PollOutcome) => void;
  /** @default Date.now */
  now?: () => number;
}

/** Statuses that end a watch: the key no longer works, or the sync is gone. */
const ENDING = new Set([401, 403, 404]);

/** A running poll loop. */
export interface Poller {
  stop(): void;
  /**
   * An action just changed the sync: polls now instead of at the next tick (right after a poll
   * in flight, whose answer may predate the change; not while backing off, whose wait stands),
   * publishes that poll's status even if unchanged (its watchers re-read the sync's own fields,
   * which polls do not see), and keeps the busy cadence for one idle period, as Polytomic may
   * list a started run a little later.
   */
  pollNow(): void;
}

/**
 * The poll loop of one (credential, sync): polls at once, then at the cadence the last status
 * calls for; publishes only when the status changed; backs off on failure without publishing;
 * ends on 401/403/404.
 */
export function startPoller(options: PollerOptions): Poller {
  const { syncId, authorization, store, cadence, scheduler, publish, log, onPoll } = options;
  const now = options.now ?? Date.now;
  let last: string | undefined;
  let failures = 0;
  let timer: unknown;
  let stopped = false;
  let polling = false;
  let again = false;
  // Set by pollNow: publish the next status whatever it is, and poll busily until then.
  let forced = false;
  let busyUntil = 0;

  const schedule = (ms: number) => {
    if (!stopped) timer = scheduler.setTimeout(tick, withJitter(ms));
  };

  const succeeded = (snapshot: Snapshot) => {
    const { status } = snapshot;
    if (failures > 0) log.info({ syncId, failures }, 'live poll recovered');
    failures = 0;
    const fingerprint = JSON.stringify(status);
    const changed = fingerprint !== last;
    last = fingerprint;
    onPoll?.(changed ? 'changed' : 'unchanged');
    if (changed || forced) publish({ syncId, snapshot });
    else options.unchanged?.({ syncId, snapshot });
    forced = false;
    const delay = nextPollDelay(status, cadence, now());
    schedule(now() < busyUntil ? Math.min(delay, cadence.intervalMs) : delay);
  };

  const failed = (error: unknown) => {
    if (stopped) return;
    if (error instanceof UpstreamHttpError && ENDING.has(error.statusCode)) {
      onPoll?.('ended');
      stopped = true;
      publish({ syncId, endedWith: { statusCode: error.statusCode } });
      return;
    }
    failures += 1;
    onPoll?.('failed');
    const reason = error instanceof PolytomicError ? error.message : 'unexpected error';
    if (failures === 1) log.warn({ syncId, reason }, 'live poll failed; backing off');
    const retryAfter = error instanceof PolytomicError ? error.retryAfterMs : undefined;
    schedule(backoffDelay(failures, cadence, retryAfter));
  };

  function tick(first = false) {
    if (stopped) return;
    polling = true;
    // The first look may use the shared TTL cache (fresh by definition); later ticks want news.
    // Never a stale stand-in: a subscriber would keep it until the data itself changed.
    const fetch = first
      ? store.get(syncId, authorization, { attempts: 1, allowStale: false })
      : store.refresh(syncId, authorization, { attempts: 1 });
    fetch
      .then((snapshot) => {
        if (!stopped) succeeded(snapshot);
      }, failed)
      .finally(() => {
        polling = false;
        // Cleared here, not in pollNow: a poll that failed leaves pollNow waiting for the
        // backoff, and the action it carried must not be polled for again after recovery.
        if (again) {
          again = false;
          pollNow();
        }
      });
  }

  function pollNow() {
    if (stopped) return;
    busyUntil = now() + cadence.idleIntervalMs;
    forced = true;
    if (failures > 0) return;
    if (polling) {
      again = true;
      return;
    }
    scheduler.clearTimeout(timer);
    tick();
  }

  tick(true);
  return {
    stop() {
      stopped = true;
      scheduler.clearTimeout(timer);
    },
    pollNow,
  };
}
