import type { Execution } from '../datasources/polytomic/types.js';
import { builder } from './builder.js';
import { ExecutionStatus, FetchMode, OutputDisposition } from './enums.js';
import { progressFields } from './progress-fields.js';
import { SchemaRunRef } from './schema-run.js';
import { required } from './upstream-values.js';

export const ExecutionRef = builder.objectRef<Execution>('Execution').implement({
  description: 'One run of a bulk sync.',
  fields: (t) => ({
    id: t.id({
      nullable: false,
      description: "The execution's id.",
      resolve: (execution, _args, context) => required(execution, 'id', context),
    }),
    status: t.field({
      type: ExecutionStatus.ref,
      nullable: false,
      description:
        'Normalised status; UNKNOWN when Polytomic sends a value this gateway does not know yet (see rawStatus).',
      resolve: (execution) => ExecutionStatus.toValue(execution.status),
    }),
    rawStatus: t.string({
      nullable: false,
      description: 'The status exactly as Polytomic sent it.',
      resolve: (execution) => execution.status,
    }),
    statusMessage: t.exposeString('statusMessage', {
      description: "Polytomic's message for this run.",
    }),
    type: t.exposeString('type', {
      description: 'What started it, as Polytomic sends it (e.g. scheduled). Not an enum upstream.',
    }),
    fetchMode: t.field({
      type: FetchMode.ref,
      description: 'How data was fetched.',
      resolve: ({ fetchMode }) => (fetchMode === null ? null : FetchMode.toValue(fetchMode)),
    }),
    outputDisposition: t.field({
      type: OutputDisposition.ref,
      description: 'What happened to existing destination data.',
      resolve: ({ outputDisposition }) =>
        outputDisposition === null ? null : OutputDisposition.toValue(outputDisposition),
    }),
    isPartial: t.exposeBoolean('isPartial', { description: 'Whether only some schemas ran.' }),
    isResync: t.exposeBoolean('isResync', { description: 'Whether this run is a resync.' }),
    isTest: t.exposeBoolean('isTest', { description: 'Whether this is a test run.' }),
    ...progressFields(t),
    schemas: t.expose('schemas', {
      type: [SchemaRunRef],
      nullable: { list: false, items: false },
      description: 'Per-schema (table/object) breakdown; empty when Polytomic sends none.',
    }),
  }),
});
