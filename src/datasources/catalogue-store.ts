import { LRUCache } from 'lru-cache';
import type { CredentialHasher } from './credential.js';
import { InFlight } from './in-flight.js';
import type { CallOptions, PolytomicClient } from './polytomic/client.js';
import { UpstreamBodyError } from './polytomic/errors.js';
import type { BulkSyncRecord, DataConnectionRecord, Execution, Page } from './polytomic/types.js';

/** One page of a sync's history, as asked. */
export interface HistoryPage {
  syncId: string;
  limit: number;
  pageToken: string | undefined;
  onlyTerminal: boolean;
}

/** Options of {@link createCatalogueStore}. */
export interface CatalogueStoreOptions {
  client: PolytomicClient;
  hashCredential: CredentialHasher;
  /** CATALOG_TTL_MS: how long a record or a listing is reused; 0 turns reuse off. */
  ttlMs: number;
  /** Most records and listings kept at once, least recently used dropped first. */
  maxEntries: number;
  /** Told how each lookup was served, for metrics. */
  onLookup?: (kind: CatalogueKind, result: 'hit' | 'miss' | 'shared') => void;
}

export type CatalogueKind = 'sync' | 'list' | 'connection';

/**
 * The one cross-request view of what changes rarely: a sync's own fields, the list of syncs a
 * credential sees, connections. Used by queries, entity references and subscriptions alike.
 */
export interface CatalogueStore {
  /** `GET /api/bulk/syncs/{id}` as `authorization` sees it: cached, shared in flight, or fetched. */
  sync(id: string, authorization: string, call?: CallOptions): Promise<BulkSyncRecord>;
  /**
   * Every sync `authorization` sees (`active` filters; undefined: both), in Polytomic's order
   * (most recently updated first), all pages followed. Each record also answers `sync` after.
   */
  list(
    authorization: string,
    active: boolean | undefined,
    call?: CallOptions,
  ): Promise<readonly BulkSyncRecord[]>;
  /** `GET /api/connections/{id}`. */
  connection(id: string, authorization: string, call?: CallOptions): Promise<DataConnectionRecord>;
  /**
   * One page of a sync's history. Never kept (a page is news each time), but one call in flight
   * is shared by every asker with the same credential: the watchers of a sync re-read it on
   * every event.
   */
  history(page: HistoryPage, authorization: string, call?: CallOptions): Promise<Page<Execution>>;
  /** One execution of a sync, shared in flight like `history`. */
  execution(
    syncId: string,
    executionId: string,
    authorization: string,
    call?: CallOptions,
  ): Promise<Execution>;
  /**
   * Forgets sync `id` as every credential sees it, and every listing: an action just changed
   * them, and the watchers of every key re-read the sync's own fields after it.
   */
  invalidate(id: string): void;
}

/**
 * The most pages one listing follows (a thousand syncs at Polytomic's documented 50 a page).
 * More is a token that never ends: Polytomic failing, said as an error. Demand control counts a
 * listing at this many calls.
 */
export const MAX_LIST_PAGES = 20;

type Entry = BulkSyncRecord | DataConnectionRecord | readonly BulkSyncRecord[];

/**
 * Calls in flight shared and answers kept for CATALOG_TTL_MS in one bounded LRU, keyed by
 * (credential hash, kind, id) so one key's records are never served to another. Failures are
 * never cached.
 */
export function createCatalogueStore(options: CatalogueStoreOptions): CatalogueStore {
  const { client, hashCredential, ttlMs, onLookup } = options;
  const recent =
    ttlMs > 0 ? new LRUCache<string, Entry>({ max: options.maxEntries, ttl: ttlMs }) : undefined;
  const inFlight = new InFlight<Entry>();
  const histories = new InFlight<Page<Execution>>();
  const executions = new InFlight<Execution>();
  const keyOf = (authorization: string, kind: CatalogueKind, id: string) =>
    `${hashCredential(authorization)}:${kind}:${id.toLowerCase()}`;

  /** The cached entry of `key`, the call in flight for it, or a new call. */
  function lookup<T extends Entry>(
    kind: CatalogueKind,
    key: string,
    fetch: () => Promise<T>,
    keep: (value: T) => void = (value) => recent?.set(key, value),
  ): Promise<T> {
    const known = recent?.get(key);
    if (known !== undefined) {
      onLookup?.(kind, 'hit');
      return Promise.resolve(known as T);
    }
    const pending = inFlight.get(key);
    if (pending) {
      onLookup?.(kind, 'shared');
      return pending as Promise<T>;
    }
    onLookup?.(kind, 'miss');
    return inFlight.start(key, fetch(), keep as (value: Entry) => void) as Promise<T>;
  }

  /**
   * Every page, in Polytomic's order, then sorted most recently updated first (the contract's
   * order, which Polytomic's docstring promises and its schema does not; a stable sort keeps
   * Polytomic's order among equals). A token that never ends is Polytomic failing: an error, not
   * a list that is short without saying so.
   */
  async function allPages(authorization: string, active: boolean | undefined, call?: CallOptions) {
    const records: BulkSyncRecord[] = [];
    const seen = new Set<string>();
    let pageToken: string | undefined;
    for (let pages = 0; pages < MAX_LIST_PAGES; pages++) {
      const page = await client.listBulkSyncs(authorization, { active, pageToken }, call);
      records.push(...page.items);
      // Follow the token only when Polytomic sends one: it documents none for this list.
      if (!page.nextPageToken) return Object.freeze(records.sort(byUpdatedAtDesc));
      if (seen.has(page.nextPageToken)) break;
      seen.add(page.nextPageToken);
      pageToken = page.nextPageToken;
    }
    throw new UpstreamBodyError('a page token that never ends', 'a list of bulk syncs');
  }

  return {
    sync: (id, authorization, call) =>
      lookup('sync', keyOf(authorization, 'sync', id), () =>
        client.getBulkSync(id.toLowerCase(), authorization, call),
      ),
    list(authorization, active, call) {
      const key = keyOf(authorization, 'list', active === undefined ? 'all' : String(active));
      return lookup(
        'list',
        key,
        () => allPages(authorization, active, call),
        (records) => {
          recent?.set(key, records);
          for (const record of records)
            recent?.set(keyOf(authorization, 'sync', record.id), record);
        },
      );
    },
    connection: (id, authorization, call) =>
      lookup('connection', keyOf(authorization, 'connection', id), () =>
        client.getConnection(id.toLowerCase(), authorization, call),
      ),
    history({ syncId, limit, pageToken, onlyTerminal }, authorization, call) {
      const sync = syncId.toLowerCase();
      const key = `${hashCredential(authorization)}:${JSON.stringify([sync, limit, pageToken, onlyTerminal])}`;
      return (
        histories.get(key) ??
        histories.start(
          key,
          client.listExecutions(sync, authorization, { limit, pageToken, onlyTerminal }, call),
          () => {},
        )
      );
    },
    execution(syncId, executionId, authorization, call) {
      const [sync, execution] = [syncId.toLowerCase(), executionId.toLowerCase()];
      const key = `${hashCredential(authorization)}:${sync}:${execution}`;
      return (
        executions.get(key) ??
        executions.start(key, client.getExecution(sync, execution, authorization, call), () => {})
      );
    },
    invalidate(id) {
      // Keys are `<credential hash>:<kind>:<id>`: a scan of at most maxEntries keys, once per
      // action (actions are rare; reads, which are not, stay one lookup).
      const record = `:sync:${id.toLowerCase()}`;
      const changed = (key: string) => key.endsWith(record) || key.includes(':list:');
      for (const key of [...(recent?.keys() ?? [])]) if (changed(key)) recent?.delete(key);
      inFlight.forgetWhere(changed);
    },
  };
}

/** Most recently updated first; an unreadable or missing time sorts last. */
function byUpdatedAtDesc(a: BulkSyncRecord, b: BulkSyncRecord): number {
  return timeOf(b) - timeOf(a);
}

const timeOf = ({ updatedAt }: BulkSyncRecord) => {
  const time = updatedAt === null ? Number.NaN : Date.parse(updatedAt);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
};
