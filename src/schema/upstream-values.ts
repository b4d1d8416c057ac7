import type { Context } from '../context.js';
import { type Count, type Timestamp, UNSERVABLE } from '../datasources/polytomic/types.js';
import { clientError, ErrorCode } from './errors.js';

/**
 * A count as the schema serves it: one SafeInt cannot carry (beyond 2^53-1, or not whole) fails
 * this field alone (null, with its error) and the rest of the status is served.
 */
export function exactCount(value: Count, field: string, context: Context): number | null {
  if (value !== UNSERVABLE) return value;
  // Seen by operators too: before, such a body was an unreadable sync in the logs and metrics.
  context.log().warn({ field }, 'Polytomic sent a count SafeInt cannot carry');
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
export function readableTime(value: Timestamp, field: string, context: Context): string | null {
  if (value !== UNSERVABLE) return value;
  context.log().warn({ field }, 'Polytomic sent a timestamp that is no RFC 3339 date-time');
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
export function sent<T>(value: T | null, field: string, context: Context): T {
  if (value !== null) return value;
  context.log().warn({ field }, 'Polytomic left out a value the contract requires');
  throw clientError(ErrorCode.UPSTREAM_UNAVAILABLE, `Polytomic sent no ${field}.`);
}
