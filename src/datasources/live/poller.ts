import type { Logger } from '../../observability/logger.js';
import { PolytomicError, UpstreamHttpError } from '../polytomic/errors.js';
import type { CallReason } from '../polytomic/transport.js';
import type { Snapshot } from '../polytomic/types.js';
import { isInProgress } from '../polytomic/types.js';
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
  /**
   * Whether Polytomic's events are watched for this credential (the watcher is healthy): an idle
   * sync then waits `cadence.safetyIntervalMs`, since an event will say when it starts.
   * @default never
   */
  eventsWatched?: () => boolean;
}

/** Least time between two polls that events asked for, per sync. */
export const EVENT_POLL_SPACING_MS = 500;

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
  /**
   * An event (or a webhook) says the sync changed state: polls now, or 500 ms after the last
   * poll an event asked for. Publishes only what changed; the cadence then follows the status.
   */
  pollSoon(reason: 'event' | 'webhook'): void;
  /** A summary of many syncs showed this one unchanged: its own safety poll can wait again. */
  checked(): void;
  /** Whether its last status was idle (nothing running): what bulk safety checks cover. */
  isIdle(): boolean;
  /** The events watcher's health changed: an idle sync's long wait ends if events are lost. */
  cadenceChanged(): void;
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
  // Why the next poll is made (for metrics), when it is due, and the last status's state.
  // The first look is asked for by a subscriber, as a query is.
  let reason: CallReason = 'query';
  let dueAt = 0;
  let idle = false;
  let lastStatus: Snapshot['status'] | undefined;
  let lastEventPoll = Number.NEGATIVE_INFINITY;
  // An event came while a poll was in flight (whose answer may predate it): poll again after.
  let eventAgain: 'event' | 'webhook' | undefined;
  const eventsWatched = options.eventsWatched ?? (() => false);

  const arm = (ms: number) => {
    if (stopped) return;
    scheduler.clearTimeout(timer);
    dueAt = now() + ms;
    timer = scheduler.setTimeout(tick, ms);
  };
  const schedule = (ms: number) => arm(withJitter(ms));
  /** The cadence of the last status: events watched make an idle sync's wait the safety period. */
  const cadenceNow = (): Cadence =>
    eventsWatched()
      ? { ...cadence, idleIntervalMs: cadence.safetyIntervalMs ?? cadence.idleIntervalMs }
      : cadence;

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
    const current = cadenceNow();
    const delay = nextPollDelay(status, current, now());
    const busy = now() < busyUntil || delay <= cadence.intervalMs;
    idle = !isInProgress(status);
    lastStatus = status;
    reason = busy ? 'busy' : eventsWatched() ? 'safety' : 'idle';
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
    const call = { attempts: 1, reason };
    const fetch = first
      ? store.get(syncId, authorization, { ...call, allowStale: false })
      : store.refresh(syncId, authorization, call);
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
          eventAgain = undefined;
          pollNow();
        } else if (eventAgain) {
          const why = eventAgain;
          eventAgain = undefined;
          pollSoon(why);
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
    reason = 'mutation';
    tick();
  }

  function pollSoon(why: 'event' | 'webhook') {
    // While backing off the backoff stands; a poll in flight may predate the change: once more.
    if (stopped || failures > 0) return;
    if (polling) {
      eventAgain ??= why;
      return;
    }
    const at = Math.max(now(), lastEventPoll + EVENT_POLL_SPACING_MS);
    // A poll already due by then serves the event.
    if (dueAt <= at) return;
    lastEventPoll = at;
    reason = why;
    arm(at - now());
  }

  tick(true);
  return {
    stop() {
      stopped = true;
      scheduler.clearTimeout(timer);
    },
    pollNow,
    pollSoon,
    checked() {
      // Put off as far as the last status allows: a scheduled start still gets its poll.
      if (stopped || !idle || polling || failures > 0 || !lastStatus) return;
      schedule(nextPollDelay(lastStatus, cadenceNow(), now()));
    },
    isIdle: () => idle && failures === 0,
    cadenceChanged() {
      // Events lost: an idle sync waiting out a safety period is polled within the idle one,
      // spread over it, so a thousand syncs do not all poll at once.
      if (stopped || polling || failures > 0 || !idle || eventsWatched()) return;
      const left = dueAt - now();
      if (left > cadence.idleIntervalMs) {
        reason = 'idle';
        arm(Math.round(Math.random() * cadence.idleIntervalMs));
      }
    },
  };
}
