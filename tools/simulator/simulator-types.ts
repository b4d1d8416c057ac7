import type { EventOverrides } from './events.js';
import type { Fault, InjectOptions } from './faults.js';
import type { RouteKind } from './routes.js';
import type { StatusBody } from './sync-definition.js';
import type { WebhookDelivery, WebhookFault, WebhookOptions } from './webhook.js';
import type { PolytomicEvent } from './wire-types.js';

/** Options of `createSimulator`. */
export interface SimulatorOptions {
  /** @default 0 (an ephemeral port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** The clock every status is computed from, in epoch milliseconds. @default Date.now */
  now?: () => number;
  /** How many of the latest requests `requests` keeps at least. @default 10000 */
  requestLogSize?: number;
  /**
   * Page size of `GET /api/bulk/syncs`. When set the list pages (`limit` up to 50 overrides it,
   * `page_token` walks on, and a top-level `pagination: {next_page_token}` is sent, with no
   * token on the last page); when unset it is one page without `pagination`, as the SDK declares.
   * @default undefined
   */
  listPageSize?: number;
  /**
   * How many `Idempotency-Key`s are remembered at most (the oldest answered ones go first);
   * each is kept 24 hours on the simulator clock.
   * @default 10000
   */
  idempotencyKeyLimit?: number;
  /**
   * Order of `GET /api/events`, which Polytomic does not document: `desc` is newest first
   * (`limit` then keeps the newest), `asc` oldest first.
   * @default 'desc'
   */
  eventsOrder?: 'asc' | 'desc';
  /** How many events the log keeps at most, besides the 48 hours of retention. @default 10000 */
  eventLogSize?: number;
  /**
   * The organization's webhook: every new event is POSTed to `url`, signed with `secret`
   * (see webhook.ts for what is guessed). Also settable with `setWebhook`.
   * @default undefined (no deliveries)
   */
  webhook?: WebhookOptions;
}

/** One request as the simulator received it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The route it matched; absent for unknown paths and methods a path does not serve. */
  route?: RouteKind;
  /** The lowercased sync id, for per-sync paths. */
  syncId?: string;
  /** The lowercased execution id, for `GET …/executions/{exec_id}`. */
  executionId?: string;
  /** The lowercased connection id, for `GET /api/connections/{id}`. */
  connectionId?: string;
  headers: Record<string, string | undefined>;
  /** Simulator clock at arrival. */
  at: number;
}

/** Options of `Simulator.addSync`. */
export interface AddSyncOptions {
  /** Credentials that may see the sync besides the all-seeing ones. @default [] */
  keys?: readonly string[];
  /** @default 'Sync <id>' */
  name?: string;
  /** @default true */
  active?: boolean;
}

/** A running (or startable) fake Polytomic API. */
export interface Simulator {
  /** Origin such as `http://127.0.0.1:41234`; throws before `start()`. */
  readonly url: string;
  /** Clock value when the simulator was created; every built-in cycle is anchored to it. */
  readonly startedAt: number;
  /**
   * The requests received since creation or the last `resetRequests()`, oldest first: all of
   * them up to `requestLogSize`, at least the latest `requestLogSize` after that.
   */
  readonly requests: readonly RecordedRequest[];
  /** Listens and resolves with `url`. */
  start(): Promise<string>;
  /** Closes the server and every connection (hung and keep-alive too), and clears timers. */
  close(): Promise<void>;
  /** The simulator's current clock value. */
  now(): number;
  /** Replaces the clock and drops any `advance()` offset; `startedAt` stays as it was. */
  setNow(now: () => number): void;
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void;
  /**
   * Answers status calls for a known sync with this fixed body (a string is sent as-is), and
   * records the events the change from the previous body announces (transitions.ts,
   * `bodyTransitions`). While the body stands the sync's own runs record no events.
   */
  setStatus(syncId: string, body: StatusBody): void;
  /** Goes back to the sync's own status, recording the events of that change like `setStatus`. */
  clearStatus(syncId: string): void;
  /**
   * Registers (or replaces) a sync with a fixed status body, a default catalogue entry
   * (Postgres → Snowflake connections, manual schedule) and the body's executions as history.
   */
  addSync(syncId: string, body: StatusBody, options?: AddSyncOptions): void;
  /** Sets what a credential sees: a Bearer token, or `<org-id>:<deployment-key>` for Basic. */
  addKey(credential: string, syncIds: readonly string[] | 'all'): void;
  /** Queues a fault; see `Fault`. */
  inject(fault: Fault, options?: InjectOptions): void;
  /** Drops every queued fault, webhook faults included. */
  clearFaults(): void;
  /**
   * Number of `GET …/status` requests received, optionally for one sync: exact whatever the log
   * keeps, per sync for the first 100,000 distinct ids asked for.
   */
  statusCalls(syncId?: string): number;
  /** Number of `GET /api/bulk/syncs/status` (summary) requests received; not in `statusCalls`. */
  bulkStatusCalls(): number;
  /** Number of `GET /api/events` requests received (`events_types` is `calls('eventTypes')`). */
  eventsCalls(): number;
  /**
   * The event log, oldest first, whatever the key (48 hours and `eventLogSize` at most). Reading
   * it records what changed since it was last looked at, as a `GET /api/events` does.
   */
  events(): readonly PolytomicEvent[];
  /**
   * Records an event of any `type` (known or not) about a known sync, now: the payload names the
   * sync, its connections and its current (else last) execution, then `overrides` apply. It is
   * delivered to the webhook like any other. Returns it.
   */
  emitEvent(syncId: string, type: string, overrides?: EventOverrides): PolytomicEvent;
  /** Sets the webhook (`undefined` removes it); deliveries under way go on. */
  setWebhook(webhook: WebhookOptions | undefined): void;
  /** Every delivery attempt so far, oldest first. */
  webhookDeliveries(): readonly WebhookDelivery[];
  /** Queues a fault for the next `times` delivery attempts (all of them when absent). */
  injectWebhook(fault: WebhookFault, options?: { times?: number }): void;
  /** Resolves when no delivery is under way, retries included. */
  webhooksSettled(): Promise<void>;
  /**
   * Number of requests received: in all (unknown paths included), of one route kind, or of one
   * route kind for one id (the sync id; the connection id for `connection`). Exact whatever the
   * log keeps, per id for the first 100,000 distinct ids of each kind.
   */
  calls(route?: RouteKind, id?: string): number;
  /** Empties `requests` and zeroes every counter. */
  resetRequests(): void;
}
