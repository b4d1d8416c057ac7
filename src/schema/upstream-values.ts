import type { GraphQLError } from 'graphql';
import type { Context } from '../context.js';
import { type Count, type Timestamp, UNSERVABLE } from '../datasources/polytomic/types.js';
import { clientError, ErrorCode } from '../errors.js';

// Each helper reads `parent[field]` of a status DTO. A status is shared (frozen) by every request
// and subscriber that reads it, so a bad value is logged once per status, not once per reader.
const warned = new WeakMap<object, Set<string>>();

/**
 * The error that fails `field` alone (null, with the error; the rest of the status is served),
 * warned about once per status: operators see what Polytomic sent.
 */
function unservable(
  parent: object,
  field: string,
  context: Context,
  warning: string,
  message: string,
): GraphQLError {
  let fields = warned.get(parent);
  if (!fields) {
    fields = new Set();
    warned.set(parent, fields);
  }
  if (!fields.has(field)) {
    fields.add(field);
    context.log().warn({ field }, warning);
  }
  return clientError(ErrorCode.UPSTREAM_UNAVAILABLE, message);
}

/** A count as the schema serves it: one SafeInt cannot carry (beyond 2^53-1, or not whole) fails. */
export function exactCount<K extends string>(
  parent: Record<K, Count>,
  field: K,
  context: Context,
): number | null {
  if (parent[field] !== UNSERVABLE) return parent[field];
  throw unservable(
    parent,
    field,
    context,
    'Polytomic sent a count SafeInt cannot carry',
    `Polytomic sent a ${field} this API cannot send exactly (beyond ±(2^53-1), or not whole).`,
  );
}

/**
 * A timestamp as the schema serves it: one that is no RFC 3339 date-time fails, so that it cannot
 * pass for "none" (`nextExecutionTime: null` means nothing is scheduled).
 */
export function readableTime<K extends string>(
  parent: Record<K, Timestamp>,
  field: K,
  context: Context,
): string | null {
  if (parent[field] !== UNSERVABLE) return parent[field];
  throw unservable(
    parent,
    field,
    context,
    'Polytomic sent a timestamp that is no RFC 3339 date-time',
    unreadableTimeMessage(field),
  );
}

const unreadableTimeMessage = (field: string) =>
  `Polytomic sent a ${field} that is no RFC 3339 date-time.`;

/** The error of an unreadable timestamp, for the DateTime scalar's backstop (no context to log). */
export const unreadableTime = (field: string) =>
  clientError(ErrorCode.UPSTREAM_UNAVAILABLE, unreadableTimeMessage(field));

/**
 * A value the contract makes non-null that Polytomic left out (its API marks no field required):
 * an error at this field, whose null then empties the nearest nullable parent (the execution, the
 * ingestion status), rather than an invented `false` or `""` served as if Polytomic had sent it.
 */
export function required<P extends object, K extends keyof P & string>(
  parent: P,
  field: K,
  context: Context,
): NonNullable<P[K]> {
  const value = parent[field];
  if (value !== null && value !== undefined) return value;
  throw unservable(
    parent,
    field,
    context,
    'Polytomic left out a value the contract requires',
    `Polytomic sent no ${field}.`,
  );
}
