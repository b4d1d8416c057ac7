import type { LiveRegistry } from './datasources/live/registry.js';
import type { StatusLoader } from './datasources/status-loader.js';
import type { Logger } from './logger.js';

/** What every resolver of one operation sees. */
export interface Context {
  /** Correlates this operation's log lines (and upstream calls) with the caller's. */
  requestId: string;
  /**
   * This operation's logger (a pino child carrying its correlation ids), made on first call. A
   * function, not a lazy getter: envelop merges the context with Object.assign, which would call
   * the getter and build a child for every operation, though most never log.
   */
  log(): Logger;
  /** The credential this operation runs with; undefined when neither the client nor the service has one. */
  authorization: string | undefined;
  /** This operation's loader; undefined without a credential (resolvers then answer UNAUTHENTICATED). */
  statuses: StatusLoader | undefined;
  /** Cap on `ids` list arguments (MAX_IDS_PER_REQUEST). */
  maxIdsPerRequest: number;
  /** The process's watched syncs, for subscriptions. */
  live: LiveRegistry;
  /**
   * The sync the subscription event being executed is about. Set by the subscription resolver,
   * read by `useDistinctResults` to compare each result with the last one sent for that sync.
   */
  liveSyncId?: string;
  /**
   * When the oldest status this operation used was fetched; a cached response must not outlive
   * it by more than CACHE_TTL_MS.
   */
  oldestFetchedAt?: number;
}
