import type { SyncStatus } from '../datasources/polytomic/types.js';
import { builder } from './builder.js';
import { ExecutionRef } from './execution.js';
import { IngestionStatusRef } from './ingestion-status.js';

export const BulkSyncStatusRef = builder.objectRef<SyncStatus>('BulkSyncStatus').implement({
  description: 'What Polytomic reports about a bulk sync: its runs, CDC health and schedule.',
  fields: (t) => ({
    currentExecution: t.expose('currentExecution', {
      type: ExecutionRef,
      description: 'The execution in progress, if any.',
    }),
    lastExecution: t.expose('lastExecution', {
      type: ExecutionRef,
      description: 'The most recent finished execution, if any.',
    }),
    ingestionStatus: t.expose('ingestionStatus', {
      type: IngestionStatusRef,
      description: 'CDC ingestion health; null for syncs without change-data-capture.',
    }),
    nextExecutionTime: t.expose('nextExecutionTime', {
      type: 'DateTime',
      description: 'When the scheduler will next start this sync; null when none is scheduled.',
    }),
  }),
});
