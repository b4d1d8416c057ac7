import type { CatalogueStore } from './catalogue-store.js';
import { InFlight } from './in-flight.js';
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
 * One operation's view of the catalogue and of sync histories, with its credential and request
 * id. Records, listings and connections come from the store, which keeps them for
 * CATALOG_TTL_MS, shares calls in flight across operations and forgets what an action changed.
 * Histories are not cached anywhere (a page is news each time it is asked): the same page asked
 * twice while in flight in one operation is fetched once. Polytomic has no batch endpoint for
 * any of these, so there is nothing for a DataLoader to batch.
 */
export class CatalogueLoader {
  readonly #options: CatalogueLoaderOptions;
  readonly #histories = new InFlight<Page<Execution>>();
  readonly #executions = new InFlight<Execution>();

  constructor(options: CatalogueLoaderOptions) {
    this.#options = options;
  }

  sync(id: string): Promise<BulkSyncRecord> {
    const { store, authorization } = this.#options;
    return store.sync(id, authorization, this.#call);
  }

  connection(id: string): Promise<DataConnectionRecord> {
    const { store, authorization } = this.#options;
    return store.connection(id, authorization, this.#call);
  }

  /** Every sync the credential sees; `active` filters (undefined: both). */
  list(active: boolean | undefined): Promise<readonly BulkSyncRecord[]> {
    const { store, authorization } = this.#options;
    return store.list(authorization, active, this.#call);
  }

  history({ syncId, limit, pageToken, onlyTerminal }: HistoryPage): Promise<Page<Execution>> {
    const { client, authorization } = this.#options;
    const sync = syncId.toLowerCase();
    const key = JSON.stringify([sync, limit, pageToken, onlyTerminal]);
    return (
      this.#histories.get(key) ??
      this.#histories.start(
        key,
        client.listExecutions(sync, authorization, { limit, pageToken, onlyTerminal }, this.#call),
        () => {},
      )
    );
  }

  execution(syncId: string, executionId: string): Promise<Execution> {
    const { client, authorization } = this.#options;
    const sync = syncId.toLowerCase();
    const key = `${sync}:${executionId}`;
    return (
      this.#executions.get(key) ??
      this.#executions.start(
        key,
        client.getExecution(sync, executionId, authorization, this.#call),
        () => {},
      )
    );
  }

  get #call() {
    return { requestId: this.#options.requestId };
  }
}
