/**
 * The organization's event log (GET /api/events, webhooks): a `bulk_sync.*` event each time a
 * simulated execution starts running or ends (see transitions.ts for when that is).
 *
 * The timeline moves with the clock and nothing ticks, so the log is written lazily: each sync
 * remembers up to when it was looked at, and a read (or a `setStatus`, or the webhook's poll)
 * records what changed since, dated when it changed (to the second, as the executions' own
 * timestamps are). The log starts when the simulator (or an `addSync` sync) does: what ran
 * before is history, not events. An `addSync` body is fixed and announces nothing on its own.
 * While a `setStatus` body stands for a sync, its timeline announces nothing; the changes of
 * body do instead.
 */
import { randomUUID } from 'node:crypto';
import { canSee, type Visibility } from './auth.js';
import { SIM_ORG_ID } from './ids.js';
import { envelopeOf, type StatusBody } from './sync-definition.js';
import type { SyncState } from './timeline.js';
import { bodyTransitions, type Transition, timelineTransitions } from './transitions.js';
import type {
  BulkSyncEventPayload,
  BulkSyncExecution,
  PolytomicEvent,
  PolytomicEventType,
} from './wire-types.js';

/** The documented event types, in the documentation's order (GET /api/events_types). */
export const EVENT_TYPES: readonly PolytomicEventType[] = [
  'sync.running',
  'sync.failed',
  'sync.canceled',
  'sync.completed',
  'sync.completed_with_errors',
  'bulk_sync.running',
  'bulk_sync.completed',
  'bulk_sync.canceled',
  'bulk_sync.failed',
  'bulk_sync.completed_with_error',
];

/** How long events are kept, on the simulator clock ("Polytomic retains events for 48 hours"). */
export const EVENT_RETENTION_MS = 48 * 3_600_000;

/** What `emitEvent` sets instead of the derived fields; `event` is merged field by field. */
export interface EventOverrides {
  id?: string;
  organization_id?: string;
  /** Also where the event sorts and filters, when it parses as a date. */
  created_at?: string;
  event?: Partial<BulkSyncEventPayload> & { [field: string]: unknown };
}

/** One recorded event and its time in milliseconds. */
export interface LoggedEvent {
  at: number;
  event: PolytomicEvent;
}

export interface EventLogOptions {
  now(): number;
  /** Where every built-in sync's watch starts. */
  startedAt: number;
  syncs: ReadonlyMap<string, SyncState>;
  /** Syncs whose `setStatus` body stands: their timeline announces nothing meanwhile. */
  overrides: ReadonlyMap<string, StatusBody>;
  /** A sync's status body now, override included. */
  statusOf(state: SyncState): StatusBody;
  /** Most events kept (the oldest go first). */
  limit: number;
  /** Called with every event as it is recorded. */
  onRecord(event: PolytomicEvent): void;
}

const WITH_TRIGGER = new Set<string>([
  'bulk_sync.completed',
  'bulk_sync.completed_with_error',
  'bulk_sync.failed',
]);

/**
 * The payload of a bulk event about `execution`. `trigger_source` (free-form upstream) is the
 * execution's `type`, `scheduled` or `manual`; `error` is its status message.
 */
function payloadOf(
  state: SyncState,
  type: string,
  execution: Pick<BulkSyncExecution, 'id' | 'type' | 'status_message'>,
): BulkSyncEventPayload {
  const payload: BulkSyncEventPayload = {
    sync_id: state.id,
    execution_id: execution.id,
    organization_id: SIM_ORG_ID,
    source_connection_id: state.entry.source,
    destination_connection_id: state.entry.destination,
    sync_name: state.name,
  };
  if (WITH_TRIGGER.has(type) && typeof execution.type === 'string') {
    payload.trigger_source = execution.type;
  }
  if (type === 'bulk_sync.failed') payload.error = execution.status_message || 'execution failed';
  return payload;
}

/** Milliseconds as RFC 3339 with milliseconds. */
function stamp(at: number): string {
  return new Date(at).toISOString();
}

export class EventLog {
  readonly #options: EventLogOptions;
  #entries: LoggedEvent[] = [];
  /** Whether `#entries` is in time order (syncs catch up one by one, so appends may not be). */
  #sorted = true;
  /** Per sync: up to when its timeline has been turned into events. */
  readonly #through = new Map<string, number>();

  constructor(options: EventLogOptions) {
    this.#options = options;
  }

  /** Records what changed on one sync's timeline since it was last looked at. */
  catchUp(syncId: string): void {
    const state = this.#options.syncs.get(syncId);
    if (state === undefined) return;
    const from = this.#through.get(syncId) ?? this.#options.startedAt;
    const to = this.#options.now();
    // A clock set back waits until it passes the point already looked at.
    if (to <= from) return;
    this.#through.set(syncId, to);
    if (this.#options.overrides.has(syncId)) return;
    // Thousands of benchmark syncs with fixed bodies cost nothing per read.
    if (state.def.fixed === true && !state.touched) return;
    for (const t of timelineTransitions(state, from, to)) this.#recordTransition(state, t);
  }

  /** Catches every sync up and applies retention. */
  catchUpAll(): void {
    for (const id of this.#options.syncs.keys()) this.catchUp(id);
    this.#trim();
  }

  /** Starts a sync's watch at `at`: a sync registered (or replaced) then has no past events. */
  watchFrom(syncId: string, at: number): void {
    this.#through.set(syncId, at);
  }

  /**
   * Records what replacing the sync's current status body with `next` announces (see
   * `bodyTransitions`); call it before the replacement takes effect.
   */
  replaceBody(state: SyncState, next: StatusBody): void {
    this.catchUp(state.id);
    const old = this.#options.statusOf(state);
    for (const t of bodyTransitions(old, next, this.#options.now())) {
      this.#recordTransition(state, t);
    }
  }

  /**
   * Records an event of any type about a sync, now: the payload names the sync's current
   * execution (else its last, else a fresh id), then `overrides` apply.
   */
  emit(state: SyncState, type: string, overrides: EventOverrides = {}): PolytomicEvent {
    this.catchUp(state.id);
    const data = envelopeOf(this.#options.statusOf(state))?.data;
    const execution = data?.current_execution ?? data?.last_execution;
    const now = this.#options.now();
    const given =
      overrides.created_at === undefined ? Number.NaN : Date.parse(overrides.created_at);
    const at = Number.isNaN(given) ? now : given;
    const event: PolytomicEvent = {
      id: overrides.id ?? randomUUID(),
      organization_id: overrides.organization_id ?? SIM_ORG_ID,
      type,
      created_at: overrides.created_at ?? stamp(at),
      event: {
        ...payloadOf(
          state,
          type,
          execution ?? { id: randomUUID(), type: 'manual', status_message: '' },
        ),
        ...overrides.event,
      },
    };
    this.#push(at, event);
    return event;
  }

  /** Every kept event a credential sees (by the payload's `sync_id`), oldest first. */
  visible(visibility: Visibility): LoggedEvent[] {
    this.catchUpAll();
    return this.#entries.filter((e) => {
      const syncId = e.event.event.sync_id;
      return typeof syncId === 'string' && canSee(visibility, syncId.toLowerCase());
    });
  }

  /** Every kept event, oldest first. */
  all(): PolytomicEvent[] {
    this.catchUpAll();
    return this.#entries.map((e) => e.event);
  }

  #recordTransition(state: SyncState, t: Transition): void {
    this.#push(t.at, {
      id: randomUUID(),
      organization_id: SIM_ORG_ID,
      type: t.type,
      created_at: stamp(t.at),
      event: payloadOf(state, t.type, t.execution),
    });
  }

  #push(at: number, event: PolytomicEvent): void {
    const last = this.#entries.at(-1);
    if (last !== undefined && at < last.at) this.#sorted = false;
    this.#entries.push({ at, event });
    // Between reads the log may hold up to twice its limit; a read trims it back.
    if (this.#entries.length >= 2 * this.#options.limit) this.#trim();
    this.#options.onRecord(event);
  }

  /** Sorts by time (a stable sort keeps the recording order of ties) and drops the expired. */
  #trim(): void {
    if (!this.#sorted) {
      this.#entries.sort((a, b) => a.at - b.at);
      this.#sorted = true;
    }
    const cutoff = this.#options.now() - EVENT_RETENTION_MS;
    let drop = this.#entries.findIndex((e) => e.at >= cutoff);
    if (drop < 0) drop = this.#entries.length;
    drop = Math.max(drop, this.#entries.length - this.#options.limit);
    if (drop > 0) this.#entries = this.#entries.slice(drop);
  }
}
