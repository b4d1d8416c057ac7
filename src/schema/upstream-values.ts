import type { Context } from '../context.js';
import { type Count, type Timestamp, UNSERVABLE } from '../datasources/polytomic/types.js';
import { clientError, ErrorCode } from './errors.js';

// Each helper reads `parent[field]` of a status DTO. A status is shared (frozen) by every request
// and subscriber that reads it, so a bad value is logged once per status, not once per reader.
const warned = new WeakMap<object, Set<string>>();

function warnOnce(parent: object, field: string, context: Context, message: string): void {
  let fields = warned.get(parent);
  if (!fields) {
    fields = new Set();
    warned.set(parent, fields);
  }
  if (fields.has(field)) return;
  fields.add(field);
  context.log().warn({ field }, message);
}

/**
 * A count as the schema serves it: one SafeInt cannot carry (beyond 2^53-1, or not whole) fails
 * this field alone (null, with its error) and the rest of the status is served.
 */
export function exactCount<K extends string>(
  parent: Record<K, Count>,
  field: K,
  context: Context,
): number | null {
  if (parent[field] !== UNSERVABLE) return parent[field];
  // Seen by operators too: before, such a body was an unreadable sync in the logs and metrics.
  warnOnce(parent, field, context, 'Polytomic sent a count SafeInt cannot carry');
  throw clientError(
    ErrorCode.UPSTREAM_UNAVAILABLE,
    `Polytomic sent a ${field} this API cannot send exactly (beyond ±(2^53-1), or not whole).`,
  );
}

/**
 * A timestamp as the schema serves it: one that is no RFC 3339 date-time fails this field alone
 * (null, with its error), so that it cannot pass for "none" (`nextExecutionTime: null` means
 * nothing is scheduled), and the rest of the status is served.
 */
export function readableTime<K extends string>(
  parent: Record<K, Timestamp>,
  field: K,
  context: Context,
): string | null {
  if (parent[field] !== UNSERVABLE) return parent[field];
  warnOnce(parent, field, context, 'Polytomic sent a timestamp that is no RFC 3339 date-time');
  throw unreadableTime(field);
}

export const unreadableTime = (field: string) =>
  clientError(
    ErrorCode.UPSTREAM_UNAVAILABLE,
    `Polytomic sent a ${field} that is no RFC 3339 date-time.`,
  );

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
  warnOnce(parent, field, context, 'Polytomic left out a value the contract requires');
  throw clientError(ErrorCode.UPSTREAM_UNAVAILABLE, `Polytomic sent no ${field}.`);
}
