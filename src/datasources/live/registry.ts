import type { Logger } from '../../observability/logger.js';
import type { CredentialHasher } from '../credential.js';
import type { StatusStore } from '../status-store.js';
import type { Cadence } from './cadence.js';
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
}

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
  /** Stops every poll loop and tells every watcher. */
  close(): void;
}

interface Entry {
  watchers: Set<Watcher>;
  syncId: string;
  last: LiveEvent | undefined;
  poller: Poller | undefined;
  stop: () => void;
}

export function createLiveRegistry(options: LiveRegistryOptions): LiveRegistry {
  const { store, hashCredential, cadence, maxPollers, log, onPoll, onSize } = options;
  const fanOut = options.fanOut ?? createLocalFanOut();
  const leadership = options.leadership ?? createLocalLeadership();
  const scheduler = options.scheduler ?? realScheduler;
  const entries = new Map<string, Entry>();

  const remove = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    entry.stop();
    onSize?.(entries.size);
  };

  function open(key: string, syncId: string, authorization: string): Entry {
    const entry: Entry = {
      watchers: new Set(),
      syncId,
      last: undefined,
      poller: undefined,
      stop: () => {},
    };
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
          publish: (event) => fanOut.publish(key, event),
          unchanged: (event) => fanOut.keep?.(key, event),
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
  fanOut.onHint?.((syncId) => {
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
    close() {
      for (const [key, entry] of [...entries]) {
        remove(key);
        for (const watcher of entry.watchers) watcher.onClose();
      }
    },
  };
}
