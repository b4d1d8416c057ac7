import { type CallOptions, createTransport, type TransportOptions } from './transport.js';
import type {
  ActivateAnswer,
  BulkSyncRecord,
  CancelAnswer,
  DataConnectionRecord,
  Execution,
  Page,
  StartRequest,
  SyncStatus,
} from './types.js';
import { parseStatusBody } from './wire.js';
import {
  parseActivateBody,
  parseBulkSyncBody,
  parseBulkSyncListBody,
  parseCancelBody,
  parseConnectionBody,
  parseExecutionBody,
  parseExecutionListBody,
} from './wire-catalogue.js';
import {
  parseEventsBody,
  parseSummariesBody,
  type SyncEvent,
  type SyncSummary,
} from './wire-events.js';

export type { CallOptions } from './transport.js';

/** Options of {@link createPolytomicClient}: the transport's. */
export type PolytomicClientOptions = TransportOptions;

/** The REST datasource: one method per Polytomic endpoint the gateway uses. */
export interface PolytomicClient {
  /** `GET /api/bulk/syncs/{id}/status`. */
  getSyncStatus(id: string, authorization: string, options?: CallOptions): Promise<SyncStatus>;
  /** `GET /api/bulk/syncs/{id}`. */
  getBulkSync(id: string, authorization: string, options?: CallOptions): Promise<BulkSyncRecord>;
  /** `GET /api/bulk/syncs`, one page (`pageToken` from the previous one). */
  listBulkSyncs(
    authorization: string,
    query: { active?: boolean | undefined; pageToken?: string | undefined },
    options?: CallOptions,
  ): Promise<Page<BulkSyncRecord>>;
  /** `GET /api/bulk/syncs/{id}/executions`, one page. */
  listExecutions(
    id: string,
    authorization: string,
    query: { limit: number; pageToken?: string | undefined; onlyTerminal: boolean },
    options?: CallOptions,
  ): Promise<Page<Execution>>;
  /** `GET /api/bulk/syncs/{id}/executions/{executionId}`. */
  getExecution(
    id: string,
    executionId: string,
    authorization: string,
    options?: CallOptions,
  ): Promise<Execution>;
  /** `GET /api/connections/{id}`. */
  getConnection(
    id: string,
    authorization: string,
    options?: CallOptions,
  ): Promise<DataConnectionRecord>;
  /** `POST /api/bulk/syncs/{id}/executions`: starts an execution. */
  startBulkSync(
    id: string,
    authorization: string,
    request: StartRequest,
    options: ActionOptions,
  ): Promise<Execution>;
  /** `POST /api/bulk/syncs/{id}/cancel`. */
  cancelBulkSync(id: string, authorization: string, options: ActionOptions): Promise<CancelAnswer>;
  /** `POST /api/bulk/syncs/{id}/activate`. */
  activateBulkSync(
    id: string,
    authorization: string,
    active: boolean,
    options: ActionOptions,
  ): Promise<ActivateAnswer>;
  /**
   * `GET /api/events`, bulk sync events only, created strictly after `startingAfter` (and before
   * `endingBefore`), at most `limit` (≤ 100).
   */
  listEvents(
    authorization: string,
    query: { startingAfter: Date; endingBefore?: Date | undefined; limit: number },
    options?: CallOptions,
  ): Promise<SyncEvent[]>;
  /** `GET /api/bulk/syncs/status?sync_id=…`: one summary per sync Polytomic reports on. */
  listSyncSummaries(
    ids: readonly string[],
    authorization: string,
    options?: CallOptions,
  ): Promise<SyncSummary[]>;
  /** Calls holding a concurrency slot, and calls waiting for one. */
  load(): { active: number; queued: number };
}

/** An action's call: it carries an `Idempotency-Key`, the same on every attempt. */
export interface ActionOptions extends CallOptions {
  idempotencyKey: string;
}

/**
 * The Polytomic endpoints the gateway uses, each a path, a method and a reader of its answer,
 * over the shared transport (timeouts, retries, breaker, concurrency cap).
 */
export function createPolytomicClient(options: PolytomicClientOptions): PolytomicClient {
  const { send, load } = createTransport(options);
  const sync = (id: string) => `/api/bulk/syncs/${encodeURIComponent(id)}`;
  return {
    load,
    listEvents: (authorization, { startingAfter, endingBefore, limit }, call) =>
      send(
        {
          method: 'GET',
          route: '/api/events',
          path: withQuery('/api/events', {
            starting_after: startingAfter.toISOString(),
            ending_before: endingBefore?.toISOString(),
            limit,
          }),
          resource: 'events',
          parse: parseEventsBody,
        },
        authorization,
        call,
      ),
    listSyncSummaries: (ids, authorization, call) => {
      const search = new URLSearchParams();
      for (const id of ids) search.append('sync_id', id);
      return send(
        {
          method: 'GET',
          route: '/api/bulk/syncs/status',
          path: `/api/bulk/syncs/status?${search}`,
          resource: 'bulk-sync-statuses',
          parse: parseSummariesBody,
        },
        authorization,
        call,
      );
    },
    getSyncStatus: (id, authorization, call) =>
      send(
        {
          method: 'GET',
          route: '/api/bulk/syncs/{id}/status',
          path: `${sync(id)}/status`,
          resource: id,
          parse: (body) => parseStatusBody(body, id),
        },
        authorization,
        call,
      ),
    getBulkSync: (id, authorization, call) =>
      send(
        {
          method: 'GET',
          route: '/api/bulk/syncs/{id}',
          path: sync(id),
          resource: id,
          parse: (body) => parseBulkSyncBody(body, id),
        },
        authorization,
        call,
      ),
    listBulkSyncs: (authorization, { active, pageToken }, call) =>
      send(
        {
          method: 'GET',
          route: '/api/bulk/syncs',
          path: withQuery('/api/bulk/syncs', { active, page_token: pageToken }),
          resource: 'bulk-syncs',
          parse: parseBulkSyncListBody,
        },
        authorization,
        call,
      ),
    listExecutions: (id, authorization, { limit, pageToken, onlyTerminal }, call) =>
      send(
        {
          method: 'GET',
          route: '/api/bulk/syncs/{id}/executions',
          path: withQuery(`${sync(id)}/executions`, {
            limit,
            page_token: pageToken,
            only_terminal: onlyTerminal || undefined,
          }),
          resource: id,
          parse: parseExecutionListBody,
        },
        authorization,
        call,
      ),
    getExecution: (id, executionId, authorization, call) =>
      send(
        {
          method: 'GET',
          route: '/api/bulk/syncs/{id}/executions/{exec_id}',
          path: `${sync(id)}/executions/${encodeURIComponent(executionId)}`,
          resource: id,
          parse: parseExecutionBody,
        },
        authorization,
        call,
      ),
    getConnection: (id, authorization, call) =>
      send(
        {
          method: 'GET',
          route: '/api/connections/{id}',
          path: `/api/connections/${encodeURIComponent(id)}`,
          resource: id,
          parse: (body) => parseConnectionBody(body, id),
        },
        authorization,
        call,
      ),
    startBulkSync: (id, authorization, start, call) =>
      send(
        {
          method: 'POST',
          route: '/api/bulk/syncs/{id}/executions',
          path: `${sync(id)}/executions`,
          body: JSON.stringify({
            fetch_mode: start.fetchMode,
            resync_mode: start.resyncMode,
            schemas: start.schemas,
            test: start.test,
          }),
          idempotencyKey: call.idempotencyKey,
          resource: id,
          parse: parseExecutionBody,
        },
        authorization,
        call,
      ),
    cancelBulkSync: (id, authorization, call) =>
      send(
        {
          method: 'POST',
          route: '/api/bulk/syncs/{id}/cancel',
          path: `${sync(id)}/cancel`,
          idempotencyKey: call.idempotencyKey,
          resource: id,
          parse: parseCancelBody,
        },
        authorization,
        call,
      ),
    activateBulkSync: (id, authorization, active, call) =>
      send(
        {
          method: 'POST',
          route: '/api/bulk/syncs/{id}/activate',
          path: `${sync(id)}/activate`,
          body: JSON.stringify({ active }),
          idempotencyKey: call.idempotencyKey,
          resource: id,
          parse: parseActivateBody,
        },
        authorization,
        call,
      ),
  };
}

/** `path?name=value&…` for the values given (undefined ones left out). */
function withQuery(path: string, query: Record<string, string | number | boolean | undefined>) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}
