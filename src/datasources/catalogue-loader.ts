import type { CatalogueStore, HistoryPage } from './catalogue-store.js';
import type { BulkSyncRecord, DataConnectionRecord, Execution, Page } from './polytomic/types.js';

export type { HistoryPage } from './catalogue-store.js';

/** Options of {@link CatalogueLoader}. */
export interface CatalogueLoaderOptions {
  store: CatalogueStore;
  authorization: string;
  requestId?: string | undefined;
}

/**
 * One operation's view of the catalogue and of sync histories: the store's, with the
 * operation's credential and request id. The store keeps records, listings and connections for
 * CATALOG_TTL_MS, shares every call in flight across operations (histories included, which it
 * never keeps) and forgets what an action changed. Polytomic has no batch endpoint for any of
 * these, so there is nothing for a DataLoader to batch.
 */
export class CatalogueLoader {
  readonly #options: CatalogueLoaderOptions;

  constructor(options: CatalogueLoaderOptions) {
    this.#options = options;
  }

  sync(id: string): Promise<BulkSyncRecord> {
    return this.#options.store.sync(id, this.#options.authorization, this.#call);
  }

  connection(id: string): Promise<DataConnectionRecord> {
    return this.#options.store.connection(id, this.#options.authorization, this.#call);
  }

  /** Every sync the credential sees; `active` filters (undefined: both). */
  list(active: boolean | undefined): Promise<readonly BulkSyncRecord[]> {
    return this.#options.store.list(this.#options.authorization, active, this.#call);
  }

  history(page: HistoryPage): Promise<Page<Execution>> {
    return this.#options.store.history(page, this.#options.authorization, this.#call);
  }

  execution(syncId: string, executionId: string): Promise<Execution> {
    const { store, authorization } = this.#options;
    return store.execution(syncId, executionId, authorization, this.#call);
  }

  get #call() {
    return { requestId: this.#options.requestId };
  }
}
