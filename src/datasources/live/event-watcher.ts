import type { Logger } from '../../observability/logger.js';
import type { PolytomicClient } from '../polytomic/client.js';
import { PolytomicError } from '../polytomic/errors.js';
import type { SyncEvent } from '../polytomic/wire-events.js';
import { backoffDelay, type Cadence } from './cadence.js';
import type { Scheduler } from './scheduler.js';

/** Events asked for per read: Polytomic's maximum. */
const PAGE = 100;
/** Pages read per tick at most: a backlog is caught up over the next ticks. */
const MAX_PAGES = 5;
/**
 * How far back each read looks before the newest event seen. Polytomic says nothing of the
 * order in which events are logged, so one logged late with an earlier time is still found;
 * events seen before are known by id.
 */
const OVERLAP_MS = 10_000;

/** Options of {@link startEventWatcher}. */
export interface EventWatcherOptions {
  client: PolytomicClient;
  authorization: string;
  /** POLYTOMIC_EVENTS_INTERVAL_MS. */
  intervalMs: number;
  /** For the backoff after a failed read. */
  cadence: Cadence;
  scheduler: Scheduler;
  log: Logger;
  /** New bulk sync events, each once. */
  onEvents: (events: SyncEvent[]) => void;
  /** Told when reads start or stop succeeding. */
  onHealth: (healthy: boolean) => void;
  /** Told after each read whether it succeeded (other replicas learn the watcher's health). */
  onRead?: (healthy: boolean) => void;
  /** @default Date.now */
  now?: () => number;
}

/** A running watcher of one credential's event log. */
export interface EventWatcher {
  stop(): void;
}

/**
 * Reads `GET /api/events` once per interval for one credential, paging by time (no real paging
 * is documented), in whichever order Polytomic sends them, and hands on each bulk sync event
 * once. A failed or refused read makes it unhealthy at once (its syncs fall back to their own
 * cadence) and it retries with backoff.
 */
export function startEventWatcher(options: EventWatcherOptions): EventWatcher {
  const { client, authorization, intervalMs, cadence, scheduler, log } = options;
  const now = options.now ?? Date.now;
  /** Ids of the events already handed on, with their time (forgotten once out of the overlap). */
  const seen = new Map<string, number>();
  let newest = now() - Math.max(OVERLAP_MS, intervalMs * 2);
  let failures = 0;
  let healthy = false;
  let stopped = false;
  let timer: unknown;

  const schedule = (ms: number) => {
    if (!stopped) timer = scheduler.setTimeout(tick, ms);
  };

  /** One read of the window, then older pages while they come back full. */
  async function read(): Promise<SyncEvent[]> {
    const startingAfter = new Date(newest - OVERLAP_MS);
    const fresh: SyncEvent[] = [];
    let endingBefore: Date | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const events = await client.listEvents(
        authorization,
        { startingAfter, endingBefore, limit: PAGE },
        { attempts: 1, reason: 'events' },
      );
      for (const event of events) {
        if (seen.has(event.id)) continue;
        seen.set(event.id, event.createdAt);
        fresh.push(event);
      }
      if (events.length < PAGE) break;
      // A full page: more may be older than its oldest (newest first) or newer than its newest
      // (oldest first). Either way, the next page is the part of the window not yet read.
      const times = events.map((event) => event.createdAt);
      const ascending = (times[0] ?? 0) <= (times[times.length - 1] ?? 0);
      if (ascending) {
        const last = Math.max(...times);
        if (last <= startingAfter.getTime()) break;
        startingAfter.setTime(last - 1);
      } else {
        endingBefore = new Date(Math.min(...times) + 1);
      }
    }
    return fresh;
  }

  function tick() {
    if (stopped) return;
    read().then(
      (fresh) => {
        if (stopped) return;
        if (failures > 0) log.info({ failures }, 'event watcher recovered');
        failures = 0;
        for (const event of fresh) newest = Math.max(newest, event.createdAt);
        for (const [id, at] of seen) if (at < newest - OVERLAP_MS * 2) seen.delete(id);
        if (!healthy) {
          healthy = true;
          options.onHealth(true);
        }
        if (fresh.length > 0) options.onEvents(fresh);
        options.onRead?.(true);
        schedule(intervalMs);
      },
      (error: unknown) => {
        if (stopped) return;
        failures += 1;
        const reason = error instanceof PolytomicError ? error.message : 'unexpected error';
        if (failures === 1) {
          log.warn({ reason }, 'event watcher failed; its syncs poll at their own cadence');
        }
        if (healthy) {
          healthy = false;
          options.onHealth(false);
        }
        options.onRead?.(false);
        const retryAfter = error instanceof PolytomicError ? error.retryAfterMs : undefined;
        schedule(backoffDelay(failures, { ...cadence, intervalMs }, retryAfter));
      },
    );
  }

  tick();
  return {
    stop() {
      stopped = true;
      scheduler.clearTimeout(timer);
      if (healthy) {
        healthy = false;
        options.onHealth(false);
      }
    },
  };
}
