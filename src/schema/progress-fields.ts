import type { SchemaTypes } from '@pothos/core';
import type { Context } from '../context.js';
import { type Count, UNSERVABLE } from '../datasources/polytomic/types.js';
import type { builder } from './builder.js';
import { clientError, ErrorCode } from './errors.js';

type Types =
  typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;

/** What an execution and a schema run both report about their progress. */
interface Progress {
  recordCount: Count;
  errorCount: Count;
  warningCount: Count;
  createdAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  updatedAt: string | null;
}

/** The counts and timestamps shared by Execution and SchemaRun, described once. */
export function progressFields<Shape extends Progress>(
  t: PothosSchemaTypes.ObjectFieldBuilder<Types, Shape>,
) {
  const count = (key: 'recordCount' | 'errorCount' | 'warningCount', description: string) =>
    t.field({
      type: 'SafeInt',
      description,
      resolve: (run, _args, context) => exactCount(run[key], key, context),
    });
  const time = (
    key: 'createdAt' | 'startedAt' | 'completedAt' | 'updatedAt',
    description: string,
  ) => t.field({ type: 'DateTime', description, resolve: (run) => run[key] });
  return {
    recordCount: count('recordCount', 'Records synced so far.'),
    errorCount: count('errorCount', 'Records that failed.'),
    warningCount: count('warningCount', 'Warnings raised.'),
    createdAt: time('createdAt', 'When it was created.'),
    startedAt: time('startedAt', 'When it started; null until then.'),
    completedAt: time('completedAt', 'When it finished; null until then.'),
    updatedAt: time('updatedAt', 'When Polytomic last updated it.'),
  };
}

/**
 * A count as the schema serves it: one SafeInt cannot carry (beyond 2^53-1, or not whole) fails
 * this field alone (null, with its error) and the rest of the status is served.
 */
function exactCount(value: Count, field: string, context: Context): number | null {
  if (value !== UNSERVABLE) return value;
  // Seen by operators too: before, such a body was an unreadable sync in the logs and metrics.
  context.log().warn({ field }, 'Polytomic sent a count SafeInt cannot carry');
  throw clientError(
    ErrorCode.UPSTREAM_UNAVAILABLE,
    `Polytomic sent a ${field} this API cannot send exactly (beyond ±(2^53-1), or not whole).`,
  );
}
