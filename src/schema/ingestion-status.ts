import type { IngestionStatus } from '../datasources/polytomic/types.js';
import { builder } from './builder.js';
import { IngestionLevel } from './enums.js';
import { readableTime, required } from './upstream-values.js';

export const IngestionStatusRef = builder.objectRef<IngestionStatus>('IngestionStatus').implement({
  description: 'Change-data-capture ingestion health of a sync.',
  fields: (t) => ({
    enabled: t.boolean({
      nullable: false,
      description: 'Whether CDC ingestion is on.',
      resolve: (ingestion, _args, context) => required(ingestion, 'enabled', context),
    }),
    isRunning: t.boolean({
      nullable: false,
      description: 'Whether ingestion is running now.',
      resolve: (ingestion, _args, context) => required(ingestion, 'isRunning', context),
    }),
    status: t.field({
      type: IngestionLevel.ref,
      nullable: false,
      description:
        'Normalised health level; UNKNOWN for a value this gateway does not know yet (see rawStatus).',
      resolve: (ingestion) => IngestionLevel.toValue(ingestion.status),
    }),
    rawStatus: t.string({
      nullable: false,
      description: 'The level exactly as Polytomic sent it.',
      resolve: (ingestion) => ingestion.status,
    }),
    statusMessage: t.exposeString('statusMessage', {
      description: "Polytomic's message about ingestion.",
    }),
    highwaterMark: t.exposeString('highwaterMark', {
      description: 'Opaque upstream high-water mark.',
    }),
    position: t.exposeString('position', { description: 'Opaque upstream log position.' }),
    positionTime: t.field({
      type: 'DateTime',
      description: 'Time of the log position.',
      resolve: (ingestion, _args, context) => readableTime(ingestion, 'positionTime', context),
    }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'When Polytomic last updated it.',
      resolve: (ingestion, _args, context) => readableTime(ingestion, 'updatedAt', context),
    }),
  }),
});
