import type { Snapshot } from '../datasources/polytomic/types.js';
import { builder } from './builder.js';
import { ExecutionRef } from './execution.js';
import { IngestionStatusRef } from './ingestion-status.js';
import { readableTime } from './upstream-values.js';

export const BulkSyncStatusRef = builder.objectRef<Snapshot>('BulkSyncStatus').implement({
  description: 'What Polytomic reports about a bulk sync: its runs, CDC health and schedule.',
  fields: (t) => ({
    currentExecution: t.field({
      type: ExecutionRef,
      resolve: ({ status }) => status.currentExecution,
      description: 'The execution in progress, if any.',
    }),
    lastExecution: t.field({
      type: ExecutionRef,
      resolve: ({ status }) => status.lastExecution,
      description: 'The most recent finished execution, if any.',
    }),
    latestExecution: t.field({
      type: ExecutionRef,
      // The current run while Polytomic lists it (running, or finished and not yet moved to
      // last), else the last one.
      resolve: ({ status }) => status.currentExecution ?? status.lastExecution,
      description:
        "v2. currentExecution when one is in progress, else lastExecution: what a UI shows as 'the run', so a subscriber also sees how a run ended (Polytomic moves a finished run from current to last).",
    }),
    ingestionStatus: t.field({
      type: IngestionStatusRef,
      resolve: ({ status }) => status.ingestionStatus,
      description: 'CDC ingestion health; null for syncs without change-data-capture.',
    }),
    nextExecutionTime: t.field({
      type: 'DateTime',
      resolve: ({ status }, _args, context) => readableTime(status, 'nextExecutionTime', context),
      description: 'When the scheduler will next start this sync; null when none is scheduled.',
    }),
    fetchedAt: t.field({
      type: 'DateTime',
      nullable: false,
      resolve: ({ fetchedAt }) => new Date(fetchedAt).toISOString(),
      description:
        'When Polytomic gave this status (the gateway may reuse it for CACHE_TTL_MS): show "as of".',
    }),
    stale: t.exposeBoolean('stale', {
      nullable: false,
      description:
        'True when Polytomic failed just now and this is the last status it gave (at fetchedAt), served instead of an error. Always false unless the gateway runs with STALE_IF_ERROR_MS.',
    }),
  }),
});
