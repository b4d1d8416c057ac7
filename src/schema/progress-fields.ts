import type { SchemaTypes } from '@pothos/core';
import type { Progress } from '../datasources/polytomic/types.js';
import type { builder } from './builder.js';
import { exactCount, readableTime } from './upstream-values.js';

type Types =
  typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;

/** The counts and timestamps shared by Execution and SchemaRun, described once. */
export function progressFields<Shape extends Progress>(
  t: PothosSchemaTypes.ObjectFieldBuilder<Types, Shape>,
) {
  const count = (key: 'recordCount' | 'errorCount' | 'warningCount', description: string) =>
    t.field({
      type: 'SafeInt',
      description,
      resolve: (run, _args, context) => exactCount(run, key, context),
    });
  const time = (
    key: 'createdAt' | 'startedAt' | 'completedAt' | 'updatedAt',
    description: string,
  ) =>
    t.field({
      type: 'DateTime',
      description,
      resolve: (run, _args, context) => readableTime(run, key, context),
    });
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
