import type { SchemaRun } from '../datasources/polytomic/types.js';
import { builder } from './builder.js';
import { SchemaRunStatus } from './enums.js';
import { progressFields } from './progress-fields.js';

export const SchemaRunRef = builder.objectRef<SchemaRun>('SchemaRun').implement({
  description: 'One schema (table or object) within an execution.',
  fields: (t) => ({
    schema: t.exposeString('schema', { nullable: false, description: "The source schema's id." }),
    outputName: t.exposeString('outputName', {
      description: 'The destination table or object name.',
    }),
    status: t.field({
      type: SchemaRunStatus.ref,
      nullable: false,
      description:
        'Normalised status; UNKNOWN when Polytomic sends a value this gateway does not know yet (see rawStatus).',
      resolve: (run) => SchemaRunStatus.toValue(run.status),
    }),
    rawStatus: t.string({
      nullable: false,
      description: 'The status exactly as Polytomic sent it.',
      resolve: (run) => run.status,
    }),
    statusMessage: t.exposeString('statusMessage', {
      description: "Polytomic's message for this schema.",
    }),
    ...progressFields(t),
  }),
});
