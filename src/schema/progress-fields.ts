import type { SchemaTypes } from '@pothos/core';
import type { builder } from './builder.js';
import { clientError, ErrorCode } from './errors.js';

type Types =
  typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;

/** What an execution and a schema run both report about their progress. */
interface Progress {
  recordCount: number | null;
  errorCount: number | null;
  warningCount: number | null;
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
    t.field({ type: 'SafeInt', description, resolve: (run) => exactCount(run[key], key) });
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
 * A count SafeInt carries exactly; otherwise this field alone fails (null, with its error), and
 * the rest of the status is served. Polytomic's counts are int64: one beyond 2^53-1 cannot be
 * sent as a JSON number without rounding, and a fractional one is no count at all.
 */
function exactCount(value: number | null, field: string): number | null {
  if (value === null || Number.isSafeInteger(value)) return value;
  throw clientError(
    ErrorCode.UPSTREAM_UNAVAILABLE,
    `Polytomic sent ${field} ${value}, which is no whole number within ±(2^53-1).`,
  );
}
