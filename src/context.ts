import type { SyncActions } from './datasources/actions.js';
import type { CatalogueLoader } from './datasources/catalogue-loader.js';
import type { LiveEvent } from './datasources/live/events.js';
import type { StatusLoader } from './datasources/status-loader.js';
import type { Logger } from './observability/logger.js';

/**
 * What every resolver of one operation sees. The type lives below the schema, which imports it;
 * the factory that fills it per request is transport's (http/context-factory.ts).
 */
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
  /** This operation's status loader; undefined without a credential (resolvers then answer UNAUTHENTICATED). */
  statuses: StatusLoader | undefined;
  /** This operation's view of syncs' own fields, listings, connections and histories; undefined without a credential. */
  catalogue: CatalogueLoader | undefined;
  /**
   * Start, cancel, pause and resume, with the caller's own credential. Undefined when the caller
   * sent none: the service credential never acts on a sync (mutations answer FORBIDDEN).
   */
  actions: SyncActions | undefined;
  /**
   * Watches syncs with this operation's credential: each sync's current status at once, then
   * each change. Undefined without a credential. Throws LiveCapacityError when the gateway
   * watches all it may.
   */
  watch: ((syncIds: readonly string[]) => AsyncIterableIterator<LiveEvent>) | undefined;
  /** Cap on id list arguments (MAX_IDS_PER_REQUEST). */
  maxIdsPerRequest: number;
}
