import DataLoader from 'dataloader';
import type { CatalogueStore } from './catalogue-store.js';
import type { PolytomicClient } from './polytomic/client.js';
import type { BulkSyncRecord, DataConnectionRecord, Execution, Page } from './polytomic/types.js';

/** One page of a sync's history, as asked. */
export interface HistoryPage {
  syncId: string;
  limit: number;
  pageToken: string | undefined;
  onlyTerminal: boolean;
}

/** One operation's view of the catalogue and of sync histories. */
export interface CatalogueLoader {
  sync(id: string): Promise<BulkSyncRecord>;
  connection(id: string): Promise<DataConnectionRecord>;
  list(active: boolean | undefined): Promise<readonly BulkSyncRecord[]>;
  history(page: HistoryPage): Promise<Page<Execution>>;
  execution(syncId: string, executionId: string): Promise<Execution>;
}

/** Options of {@link createCatalogueLoader}. */
export interface CatalogueLoaderOptions {
  store: CatalogueStore;
  client: PolytomicClient;
  authorization: string;
  requestId?: string | undefined;
  /**
   * CATALOG_TTL_MS. What this loader answered is reused for at most this long: a query ends well
   * before, while a subscription lives on and must see changes at the store's pace.
   */
  ttlMs: number;
}

/**
 * One upstream call per distinct key per operation (DataLoader batches and deduplicates), over
 * the cross-request catalogue store; histories are read from Polytomic directly (a page is asked
 * once per operation, and is never shared between requests).
 */
export function createCatalogueLoader(options: CatalogueLoaderOptions): CatalogueLoader {
  const { store, client, authorization, requestId, ttlMs } = options;
  const call = { requestId };
  const loader = <K, V>(load: (key: K) => Promise<V>, keyOf: (key: K) => string) =>
    new DataLoader<K, V, string>(
      (keys) => {
        // Without a cache (CATALOG_TTL_MS=0) DataLoader hands repeats over: one call each still.
        const calls = new Map<string, Promise<V | Error>>();
        return Promise.all(
          keys.map((key) => {
            const id = keyOf(key);
            let answer = calls.get(id);
            if (!answer) {
              answer = load(key).catch((error: unknown) =>
                error instanceof Error ? error : new Error(String(error)),
              );
              calls.set(id, answer);
            }
            return answer;
          }),
        );
      },
      {
        cacheKeyFn: keyOf,
        ...(ttlMs > 0 ? { cacheMap: expiringMap<Promise<V>>(ttlMs) } : { cache: false }),
      },
    );
  const lower = (id: string) => id.toLowerCase();
  // Made on first use: most operations read statuses only, and pay for none of these.
  const syncs = lazy(() => loader((id: string) => store.sync(id, authorization, call), lower));
  const connections = lazy(() =>
    loader((id: string) => store.connection(id, authorization, call), lower),
  );
  // DataLoader takes no undefined key: a listing of both kinds is asked for as 'all'.
  const lists = lazy(() =>
    loader(
      (active: boolean | 'all') =>
        store.list(authorization, active === 'all' ? undefined : active, call),
      String,
    ),
  );
  const histories = lazy(() =>
    loader(
      ({ syncId, limit, pageToken, onlyTerminal }: HistoryPage) =>
        client.listExecutions(
          syncId.toLowerCase(),
          authorization,
          { limit, pageToken, onlyTerminal },
          call,
        ),
      (page) => JSON.stringify([lower(page.syncId), page.limit, page.pageToken, page.onlyTerminal]),
    ),
  );
  const executions = lazy(() =>
    loader(
      ([syncId, executionId]: [string, string]) =>
        client.getExecution(syncId.toLowerCase(), executionId, authorization, call),
      ([syncId, executionId]) => `${lower(syncId)}:${executionId}`,
    ),
  );
  return {
    sync: (id) => syncs().load(id),
    connection: (id) => connections().load(id),
    list: (active) => lists().load(active ?? 'all'),
    history: (page) => histories().load(page),
    execution: (syncId, executionId) => executions().load([syncId, executionId]),
  };
}

function lazy<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

/**
 * DataLoader's cache, with each answer kept `ttlMs` at most. Bounded by what one operation asks
 * for (its ids and pages), so a plain Map.
 */
function expiringMap<V>(ttlMs: number) {
  const entries = new Map<string, { value: V; until: number }>();
  return {
    get(key: string): V | undefined {
      const entry = entries.get(key);
      if (entry && entry.until < Date.now()) entries.delete(key);
      else return entry?.value;
      return undefined;
    },
    set(key: string, value: V) {
      entries.set(key, { value, until: Date.now() + ttlMs });
    },
    delete: (key: string) => entries.delete(key),
    clear: () => entries.clear(),
  };
}
