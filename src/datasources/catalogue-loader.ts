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

/** Options of {@link CatalogueLoader}. */
export interface CatalogueLoaderOptions {
  store: CatalogueStore;
  client: PolytomicClient;
  authorization: string;
  requestId?: string | undefined;
}

/**
 * One operation's view of the catalogue and of sync histories: the loads of one tick are batched
 * and each distinct key is asked once (DataLoader). Nothing is cached here across ticks: the
 * store already keeps records for CATALOG_TTL_MS, shares calls in flight and forgets what an
 * action changed, and a subscription, which lives on, must see that (a poll tick never reads a
 * request-scoped cache). Its loaders are made on first use: most operations read statuses only.
 */
export class CatalogueLoader {
  readonly #options: CatalogueLoaderOptions;
  #syncs: DataLoader<string, BulkSyncRecord> | undefined;
  #connections: DataLoader<string, DataConnectionRecord> | undefined;
  #lists: DataLoader<boolean | 'all', readonly BulkSyncRecord[]> | undefined;
  #histories: DataLoader<HistoryPage, Page<Execution>> | undefined;
  #executions: DataLoader<readonly [string, string], Execution> | undefined;

  constructor(options: CatalogueLoaderOptions) {
    this.#options = options;
  }

  sync(id: string): Promise<BulkSyncRecord> {
    const { store, authorization } = this.#options;
    this.#syncs ??= batch((key) => store.sync(key, authorization, this.#call), lower);
    return this.#syncs.load(id);
  }

  connection(id: string): Promise<DataConnectionRecord> {
    const { store, authorization } = this.#options;
    this.#connections ??= batch((key) => store.connection(key, authorization, this.#call), lower);
    return this.#connections.load(id);
  }

  /** Every sync the credential sees; `active` filters (undefined: both). */
  list(active: boolean | undefined): Promise<readonly BulkSyncRecord[]> {
    const { store, authorization } = this.#options;
    // DataLoader takes no undefined key: a listing of both kinds is asked for as 'all'.
    this.#lists ??= batch(
      (key) => store.list(authorization, key === 'all' ? undefined : key, this.#call),
      String,
    );
    return this.#lists.load(active ?? 'all');
  }

  history(page: HistoryPage): Promise<Page<Execution>> {
    const { client, authorization } = this.#options;
    this.#histories ??= batch(
      ({ syncId, limit, pageToken, onlyTerminal }) =>
        client.listExecutions(
          lower(syncId),
          authorization,
          { limit, pageToken, onlyTerminal },
          this.#call,
        ),
      (key) => JSON.stringify([lower(key.syncId), key.limit, key.pageToken, key.onlyTerminal]),
    );
    return this.#histories.load(page);
  }

  execution(syncId: string, executionId: string): Promise<Execution> {
    const { client, authorization } = this.#options;
    this.#executions ??= batch(
      ([sync, execution]) => client.getExecution(lower(sync), execution, authorization, this.#call),
      ([sync, execution]) => `${lower(sync)}:${execution}`,
    );
    return this.#executions.load([syncId, executionId]);
  }

  get #call() {
    return { requestId: this.#options.requestId };
  }
}

const lower = (id: string) => id.toLowerCase();

/**
 * A DataLoader without a cache, whose batch asks each distinct key once: DataLoader hands
 * repeats of one tick over when it keeps no cache.
 */
function batch<K, V>(load: (key: K) => Promise<V>, keyOf: (key: K) => string): DataLoader<K, V> {
  return new DataLoader<K, V, string>(
    (keys) => {
      const answers = new Map<string, Promise<V | Error>>();
      return Promise.all(
        keys.map((key) => {
          const id = keyOf(key);
          let answer = answers.get(id);
          if (!answer) {
            answer = load(key).catch((error: unknown) =>
              error instanceof Error ? error : new Error(String(error)),
            );
            answers.set(id, answer);
          }
          return answer;
        }),
      );
    },
    { cache: false },
  );
}
