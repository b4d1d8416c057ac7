import type { Logger } from '../../observability/logger.js';
import type { CredentialHasher } from '../credential.js';
import type { PolytomicClient } from '../polytomic/client.js';
import type { SyncEvent } from '../polytomic/wire-events.js';
import type { StatusStore } from '../status-store.js';
import type { Cadence } from './cadence.js';
import { type EventWatcher, startEventWatcher } from './event-watcher.js';
import type { LiveEvent } from './events.js';
import { createLocalFanOut, type FanOut } from './fan-out.js';
import { createLocalLeadership, type Leadership } from './leadership.js';
import { type Poller, type PollOutcome, startPoller } from './poller.js';
import { realScheduler, type Scheduler } from './scheduler.js';

/** Someone watching one sync: told each event, and when the registry shuts down. */
export interface Watcher {
  onEvent(event: LiveEvent): void;
  onClose(): void;
}

/** Refused when the gateway already watches MAX_POLLERS (credential, sync) pairs. */
export class LiveCapacityError extends Error {
  readonly code = 'LIVE_CAPACITY';
  constructor(max: number) {
    super(`The gateway already watches ${max} syncs; try again later`);
    this.name = 'LiveCapacityError';
  }
}

/** Options of {@link createLiveRegistry}. */
export interface LiveRegistryOptions {
  store: StatusStore;
  hashCredential: CredentialHasher;
  cadence: Cadence;
  log: Logger;
  /** Most (credential, sync) pairs watched at once. */
  maxPollers: number;
  /** @default in-memory (one process) */
  fanOut?: FanOut;
  /** @default in-memory (this process always leads) */
  leadership?: Leadership;
  /** @default real timers */
  scheduler?: Scheduler;
  onPoll?: (outcome: PollOutcome) => void;
  /** Told the number of watched pairs whenever it changes. */
  onSize?: (size: number) => void;
  /**
   * Told of an action on another replica (a hint through the fan-out), before the forced poll:
   * what this replica keeps of the sync besides its status must go too, or the watchers would
   * re-read it stale.
   */
  onActionElsewhere?: (syncId: string) => void;
  /**
   * Polytomic's event log, read once per `intervalMs` per credential with watched syncs (one
   * replica leads each credential's watcher). Absent with POLYTOMIC_EVENTS=off.
   */
  events?: { client: PolytomicClient; intervalMs: number } | undefined;
  /** Told when an event watcher starts, stops, or changes health, for metrics. */
  onWatcherHealth?: (change: { from?: 'healthy' | 'failing'; to?: 'healthy' | 'failing' }) => void;
  /** Told, for an event, how long after its `created_at` the first push it caused went out. */
  onEventLag?: (seconds: number) => void;
}

/** Syncs per `GET /api/bulk/syncs/status` call: short enough a URL (about 2.3 KB of ids). */
export const SUMMARY_CHUNK = 50;

/** Every watched sync of the process, one poll loop each however many watch it. */
export interface LiveRegistry {
  /**
   * Watches `syncId` as `authorization` sees it. A watcher joining a sync already watched is
   * told the latest status at once. Returns the unwatch function; the last one out stops the poll.
   */
  watch(syncId: string, authorization: string, watcher: Watcher): () => void;
  /** Throws LiveCapacityError unless all of `syncIds` can be watched (before any is). */
  checkRoom(syncIds: readonly string[], authorization: string): void;
  /**
   * Polls `syncId` now, with every credential it is polled with (an action just changed it):
   * here, and through the fan-out on the other replicas.
   */
  pollNow(syncId: string): void;
  /**
   * Polytomic's webhook says `syncId` changed: polls it soon with every credential it is polled
   * with, here and on the other replicas. A hint only, rate-limited per sync by its pollers.
   */
  hintWebhook(syncId: string): void;
  /** Stops every poll loop and tells every watcher. */
  close(): void;
}

interface Entry {
  watchers: Set<Watcher>;
  syncId: string;
  credential: Credential;
  /** The last bulk summary of this sync: what the next one is compared with. */
  summary: string | undefined;
  /** `created_at` of the event that asked for a poll, until the push it causes goes out. */
  eventAt: number | undefined;
  last: LiveEvent | undefined;
  poller: Poller | undefined;
  stop: () => void;
}

/** One credential with watched syncs: its event watcher and its bulk safety checks. */
interface Credential {
  hash: string;
  authorization: string;
  entries: Set<Entry>;
  /** Its event watcher reads successfully (on the replica that leads it). */
  healthy: boolean;
  /** Until when another replica's watcher of this credential is known to read well. */
  healthyElsewhereUntil: number;
  watcher: EventWatcher | undefined;
  withdraw: () => void;
  sweep: unknown;
  /** One function per credential: the timer of one loop, not a new closure per round. */
  runSweep: () => void;
}

/** The status of the sync's current (else last) run at its last poll, as sent. */
function lastRunStatus(entry: Entry): string | null {
  const last = entry.last;
  if (!last || !('snapshot' in last)) return null;
  const { currentExecution, lastExecution } = last.snapshot.status;
  return (currentExecution ?? lastExecution)?.status ?? null;
}

export function createLiveRegistry(options: LiveRegistryOptions): LiveRegistry {
  const { store, hashCredential, cadence, maxPollers, log, onPoll, onSize } = options;
  const fanOut = options.fanOut ?? createLocalFanOut();
  const leadership = options.leadership ?? createLocalLeadership();
  const scheduler = options.scheduler ?? realScheduler;
  const entries = new Map<string, Entry>();
  const credentials = new Map<string, Credential>();
  const { events } = options;

  const remove = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    entry.stop();
    entry.credential.entries.delete(entry);
    if (entry.credential.entries.size === 0) release(entry.credential);
    onSize?.(entries.size);
  };

  /** The credential of a newly watched sync, its event watcher started with its first sync. */
  function credentialOf(authorization: string): Credential {
    const hash = hashCredential(authorization);
    const known = credentials.get(hash);
    if (known) return known;
    const credential: Credential = {
      hash,
      authorization,
      entries: new Set(),
      healthy: false,
      healthyElsewhereUntil: 0,
      watcher: undefined,
      withdraw: () => {},
      sweep: undefined,
      runSweep: () => void sweep(credential),
    };
    credentials.set(hash, credential);
    if (events) {
      credential.withdraw = leadership.campaign(
        `events:${hash}`,
        () => {
          options.onWatcherHealth?.({ to: 'failing' });
          credential.watcher = startEventWatcher({
            client: events.client,
            authorization,
            intervalMs: events.intervalMs,
            cadence,
            scheduler,
            log,
            onEvents: (found) => {
              for (const event of found) eventFor(credential, event);
            },
            onHealth: (healthy) => setHealth(credential, healthy),
            onRead: (healthy) =>
              fanOut.hint?.('', { kind: 'events-health', credential: hash, healthy }),
          });
        },
        () => {
          credential.watcher?.stop();
          credential.watcher = undefined;
          options.onWatcherHealth?.({ from: 'failing' });
        },
      );
    }
    return credential;
  }

  function release(credential: Credential) {
    credentials.delete(credential.hash);
    credential.withdraw();
  }

  function setHealth(credential: Credential, healthy: boolean) {
    const was = watched(credential);
    credential.healthy = healthy;
    options.onWatcherHealth?.(
      healthy ? { from: 'failing', to: 'healthy' } : { from: 'healthy', to: 'failing' },
    );
    watchedChanged(credential, was);
  }

  /** Whether events are watched for `credential`: here, or by the replica leading its watcher. */
  const watched = (credential: Credential) =>
    credential.healthy || Date.now() < credential.healthyElsewhereUntil;

  /** Safety checks run while events are watched; when they stop, idle syncs poll again. */
  function watchedChanged(credential: Credential, was: boolean) {
    const is = watched(credential);
    if (is === was) return;
    scheduler.clearTimeout(credential.sweep);
    credential.sweep = undefined;
    if (is) scheduleSweep(credential);
    else for (const entry of credential.entries) entry.poller?.cadenceChanged();
  }

  /** Another replica's watcher read (or failed to): trusted for three of its intervals. */
  function healthElsewhere(hash: string, healthy: boolean) {
    const credential = credentials.get(hash);
    if (!credential || !events || credential.watcher) return;
    const was = watched(credential);
    credential.healthyElsewhereUntil = healthy ? Date.now() + events.intervalMs * 3 : 0;
    watchedChanged(credential, was);
  }

  /** An event of the credential's log: its sync's poller (here or on another replica) polls soon. */
  function eventFor(credential: Credential, event: SyncEvent) {
    const entry = entries.get(`${credential.hash}:${event.syncId.toLowerCase()}`);
    if (entry?.poller) {
      entry.eventAt ??= event.createdAt;
      entry.poller.pollSoon('event');
    } else {
      fanOut.hint?.(event.syncId.toLowerCase(), {
        kind: 'event',
        credential: credential.hash,
        createdAt: event.createdAt,
      });
    }
  }

  // Safety checks of idle syncs while events are watched: many syncs per call; only a sync whose
  // summary changed is polled. A sync the summary leaves out keeps its own safety poll.
  const safetyMs = () => cadence.safetyIntervalMs ?? cadence.idleIntervalMs;
  function scheduleSweep(credential: Credential) {
    // A little before the pollers' own safety polls, which each check that finds nothing new
    // puts off again.
    credential.sweep = scheduler.setTimeout(credential.runSweep, safetyMs() * 0.9);
  }

  async function sweep(credential: Credential) {
    if (!events || credentials.get(credential.hash) !== credential || !watched(credential)) return;
    const idle = [...credential.entries].filter((entry) => entry.poller?.isIdle());
    for (let start = 0; start < idle.length; start += SUMMARY_CHUNK) {
      const chunk = idle.slice(start, start + SUMMARY_CHUNK);
      try {
        const summaries = await events.client.listSyncSummaries(
          chunk.map((entry) => entry.syncId),
          credential.authorization,
          { attempts: 1, reason: 'safety' },
        );
        const byId = new Map(summaries.map((summary) => [summary.syncId, summary]));
        for (const entry of chunk) {
          const summary = byId.get(entry.syncId);
          if (summary === undefined) continue;
          // A first summary has none before it to compare with: its run's status is compared
          // with the last poll's, so a change since that poll is not taken as the baseline.
          const changed =
            entry.summary === undefined
              ? summary.status !== null && summary.status !== lastRunStatus(entry)
              : entry.summary !== summary.fingerprint;
          entry.summary = summary.fingerprint;
          if (changed) entry.poller?.pollSoon('event');
          else entry.poller?.checked();
        }
      } catch {
        // The pollers' own safety polls stand in for a check that failed.
      }
    }
    if (credentials.get(credential.hash) === credential && watched(credential)) {
      scheduleSweep(credential);
    }
  }

  function open(key: string, syncId: string, authorization: string): Entry {
    const credential = credentialOf(authorization);
    const entry: Entry = {
      watchers: new Set(),
      syncId,
      credential,
      summary: undefined,
      eventAt: undefined,
      last: undefined,
      poller: undefined,
      stop: () => {},
    };
    credential.entries.add(entry);
    const dispatch = (event: LiveEvent) => {
      entry.last = event;
      for (const watcher of [...entry.watchers]) watcher.onEvent(event);
      if ('endedWith' in event) remove(key);
    };
    const unsubscribe = fanOut.subscribe(key, dispatch);
    // Another replica may lead this sync: start from what it last published, if anything.
    fanOut
      .latest?.(key)
      .then((event) => {
        if (event && !entry.last && entries.get(key) === entry) dispatch(event);
      })
      .catch(() => {});
    const withdraw = leadership.campaign(
      key,
      () => {
        entry.poller = startPoller({
          syncId,
          authorization,
          store,
          cadence,
          scheduler,
          log,
          publish: (event) => {
            if (entry.eventAt !== undefined) {
              options.onEventLag?.(Math.max(0, Date.now() - entry.eventAt) / 1000);
              entry.eventAt = undefined;
            }
            fanOut.publish(key, event);
          },
          eventsWatched: () => watched(credential),
          unchanged: (event) => {
            // The poll an event asked for found nothing new: that event caused no push.
            entry.eventAt = undefined;
            fanOut.keep?.(key, event);
          },
          ...(onPoll && { onPoll }),
        });
      },
      () => {
        entry.poller?.stop();
        entry.poller = undefined;
      },
    );
    entry.stop = () => {
      withdraw();
      unsubscribe();
    };
    return entry;
  }

  const pollHere = (syncId: string) => {
    const id = syncId.toLowerCase();
    for (const entry of entries.values()) if (entry.syncId === id) entry.poller?.pollNow();
  };
  const pollSoonHere = (syncId: string, reason: 'event' | 'webhook', credential?: string) => {
    const id = syncId.toLowerCase();
    for (const entry of entries.values()) {
      if (entry.syncId === id && (!credential || entry.credential.hash === credential)) {
        entry.poller?.pollSoon(reason);
      }
    }
  };
  fanOut.onHint?.((syncId, hint) => {
    if (hint?.kind === 'events-health') {
      healthElsewhere(hint.credential, hint.healthy);
      return;
    }
    if (hint?.kind === 'event') {
      pollSoonHere(syncId, 'event', hint.credential);
      return;
    }
    if (hint?.kind === 'webhook') {
      pollSoonHere(syncId, 'webhook');
      return;
    }
    options.onActionElsewhere?.(syncId);
    pollHere(syncId);
  });

  const keyOf = (syncId: string, authorization: string) =>
    `${hashCredential(authorization)}:${syncId.toLowerCase()}`;

  return {
    checkRoom(syncIds, authorization) {
      const fresh = new Set(
        syncIds.map((id) => keyOf(id, authorization)).filter((k) => !entries.has(k)),
      );
      if (entries.size + fresh.size > maxPollers) throw new LiveCapacityError(maxPollers);
    },
    watch(syncId, authorization, watcher) {
      const id = syncId.toLowerCase();
      const key = keyOf(id, authorization);
      let entry = entries.get(key);
      if (!entry) {
        if (entries.size >= maxPollers) throw new LiveCapacityError(maxPollers);
        entry = open(key, id, authorization);
        entries.set(key, entry);
        onSize?.(entries.size);
      }
      entry.watchers.add(watcher);
      if (entry.last) watcher.onEvent(entry.last);
      const joined = entry;
      return () => {
        joined.watchers.delete(watcher);
        if (joined.watchers.size === 0 && entries.get(key) === joined) remove(key);
      };
    },
    pollNow(syncId) {
      pollHere(syncId);
      fanOut.hint?.(syncId.toLowerCase());
    },
    hintWebhook(syncId) {
      pollSoonHere(syncId, 'webhook');
      fanOut.hint?.(syncId.toLowerCase(), { kind: 'webhook' });
    },
    close() {
      for (const credential of [...credentials.values()]) {
        scheduler.clearTimeout(credential.sweep);
        release(credential);
      }
      for (const [key, entry] of [...entries]) {
        remove(key);
        for (const watcher of entry.watchers) watcher.onClose();
      }
    },
  };
}
