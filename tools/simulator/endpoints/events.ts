import { EVENT_TYPES } from '../events.js';
import { jsonReply, type Reply } from '../http-util.js';
import type { EventsEnvelope, EventTypesEnvelope } from '../wire-types.js';
import { invalid } from './body.js';
import { type Call, isReply, type SimContext } from './context.js';

/** Page size of the event log without `limit`, and its largest (both documented). */
const DEFAULT_EVENTS = 10;
const MAX_EVENTS = 100;

/** RFC 3339 date-time: a date, a `T`, a time with optional fraction, and a zone. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** A date-time query parameter in milliseconds, undefined when absent, or the 422 for it. */
function timeParam(query: URLSearchParams, name: string): number | undefined | Reply {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const at = DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? invalid(`${name} must be an RFC 3339 date-time`) : at;
}

/** `limit`: 10 when absent; a whole number from 1 to 100, else the 422. */
function limitOf(query: URLSearchParams): number | Reply {
  const value = query.get('limit');
  if (value === null || value === '') return DEFAULT_EVENTS;
  const limit = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  return limit >= 1 && limit <= MAX_EVENTS
    ? limit
    : invalid(`limit must be an integer from 1 to ${MAX_EVENTS}`);
}

/**
 * GET /api/events: the events of the syncs the credential sees, kept 48 hours.
 * - `type` keeps one type, compared as is: an unknown type matches nothing (tests may record
 *   any type with `emitEvent`), it is not refused;
 * - `starting_after` / `ending_before` keep events created strictly after / before a time;
 * - `limit` takes the first that many in the answer's order (the newest with `desc`);
 * - `organization_id` is ignored: a normal caller is always scoped to its own organization.
 * The real order is not documented, so it is the simulator's `eventsOrder`. Nothing to list is
 * `data: null`, which the schema allows and a Go backend sends for an empty list.
 */
export function listEvents(ctx: SimContext, call: Call): Reply {
  const after = timeParam(call.query, 'starting_after');
  if (isReply(after)) return after;
  const before = timeParam(call.query, 'ending_before');
  if (isReply(before)) return before;
  const limit = limitOf(call.query);
  if (isReply(limit)) return limit;
  const type = call.query.get('type') || undefined;
  const matching = ctx.events
    .visible(call.visibility)
    .filter(
      (e) =>
        (type === undefined || e.event.type === type) &&
        (after === undefined || e.at > after) &&
        (before === undefined || e.at < before),
    );
  if (ctx.eventsOrder === 'desc') matching.reverse();
  const page = matching.slice(0, limit).map((e) => e.event);
  const body: EventsEnvelope = { data: page.length === 0 ? null : page };
  return jsonReply(200, body);
}

/** GET /api/events_types: the ten documented types. */
export function listEventTypes(): Reply {
  const body: EventTypesEnvelope = { data: [...EVENT_TYPES] };
  return jsonReply(200, body);
}
