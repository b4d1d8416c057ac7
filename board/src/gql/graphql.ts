/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Status of a bulk sync execution. */
export type ExecutionStatus =
  /** Polytomic's `canceled`. */
  | 'CANCELED'
  /** Polytomic's `canceling`. */
  | 'CANCELING'
  /** Polytomic's `completed`. */
  | 'COMPLETED'
  /** Polytomic's `created`. */
  | 'CREATED'
  /** Polytomic's `errors`. */
  | 'ERRORS'
  /** Polytomic's `exporting`. */
  | 'EXPORTING'
  /** Polytomic's `failed`. */
  | 'FAILED'
  /** Polytomic's `interrupted`. */
  | 'INTERRUPTED'
  /** Polytomic's `processing`. */
  | 'PROCESSING'
  /** Polytomic's `running`. */
  | 'RUNNING'
  /** Polytomic's `scheduled`. */
  | 'SCHEDULED'
  /** A value Polytomic sent that this gateway does not know yet. */
  | 'UNKNOWN';

/** Health level of CDC ingestion. */
export type IngestionLevel =
  /** Polytomic's `error`. */
  | 'ERROR'
  /** Polytomic's `ok`. */
  | 'OK'
  /** A value Polytomic sent that this gateway does not know yet. */
  | 'UNKNOWN'
  /** Polytomic's `warning`. */
  | 'WARNING';

/** How often a schedule runs. */
export type ScheduleFrequency =
  /** Polytomic's `builder`. */
  | 'BUILDER'
  /** Polytomic's `continuous`. */
  | 'CONTINUOUS'
  /** Polytomic's `custom`. */
  | 'CUSTOM'
  /** Polytomic's `daily`. */
  | 'DAILY'
  /** Polytomic's `dbtcloud`. */
  | 'DBTCLOUD'
  /** Polytomic's `hourly`. */
  | 'HOURLY'
  /** Polytomic's `manual`. */
  | 'MANUAL'
  /** Polytomic's `multi`. */
  | 'MULTI'
  /** Polytomic's `runafter`. */
  | 'RUNAFTER'
  /** A value Polytomic sent that this gateway does not know yet. */
  | 'UNKNOWN'
  /** Polytomic's `weekly`. */
  | 'WEEKLY';

/** Status of one schema within an execution. */
export type SchemaRunStatus =
  /** Polytomic's `canceled`. */
  | 'CANCELED'
  /** Polytomic's `completed`. */
  | 'COMPLETED'
  /** Polytomic's `created`. */
  | 'CREATED'
  /** Polytomic's `exporting`. */
  | 'EXPORTING'
  /** Polytomic's `failed`. */
  | 'FAILED'
  /** Polytomic's `interrupted`. */
  | 'INTERRUPTED'
  /** Polytomic's `processing`. */
  | 'PROCESSING'
  /** Polytomic's `running`. */
  | 'RUNNING'
  /** Polytomic's `scheduled`. */
  | 'SCHEDULED'
  /** A value Polytomic sent that this gateway does not know yet. */
  | 'UNKNOWN';

export type BoardExecutionFragment = { id: string, status: ExecutionStatus, rawStatus: string, statusMessage: string | null, recordCount: number | null, errorCount: number | null, startedAt: string | null, completedAt: string | null };

export type BoardSyncFragment = { id: string, name: string | null, active: boolean | null, schedule: { frequency: ScheduleFrequency, rawFrequency: string, minute: string | null, hour: string | null, dayOfWeek: string | null, dayOfMonth: string | null } | null, source: { id: string, name: string | null, typeName: string | null } | null, destination: { id: string, name: string | null, typeName: string | null } | null, status: { fetchedAt: string, stale: boolean, nextExecutionTime: string | null, currentExecution: { id: string, status: ExecutionStatus, rawStatus: string, statusMessage: string | null, recordCount: number | null, errorCount: number | null, startedAt: string | null, completedAt: string | null, schemas: Array<{ schema: string, status: SchemaRunStatus, recordCount: number | null, errorCount: number | null }> } | null, lastExecution: { id: string, status: ExecutionStatus, rawStatus: string, statusMessage: string | null, recordCount: number | null, errorCount: number | null, startedAt: string | null, completedAt: string | null } | null, ingestionStatus: { enabled: boolean, isRunning: boolean, status: IngestionLevel, statusMessage: string | null } | null } | null };

export type BoardSyncsQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type BoardSyncsQuery = { allBulkSyncs: { nodes: Array<{ id: string, name: string | null, active: boolean | null, schedule: { frequency: ScheduleFrequency, rawFrequency: string, minute: string | null, hour: string | null, dayOfWeek: string | null, dayOfMonth: string | null } | null, source: { id: string, name: string | null, typeName: string | null } | null, destination: { id: string, name: string | null, typeName: string | null } | null, status: { fetchedAt: string, stale: boolean, nextExecutionTime: string | null, currentExecution: { id: string, status: ExecutionStatus, rawStatus: string, statusMessage: string | null, recordCount: number | null, errorCount: number | null, startedAt: string | null, completedAt: string | null, schemas: Array<{ schema: string, status: SchemaRunStatus, recordCount: number | null, errorCount: number | null }> } | null, lastExecution: { id: string, status: ExecutionStatus, rawStatus: string, statusMessage: string | null, recordCount: number | null, errorCount: number | null, startedAt: string | null, completedAt: string | null } | null, ingestionStatus: { enabled: boolean, isRunning: boolean, status: IngestionLevel, statusMessage: string | null } | null } | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type BoardChangesSubscriptionVariables = Exact<{
  ids: Array<string | number> | string | number;
}>;


export type BoardChangesSubscription = { bulkSyncChanges: { id: string, name: string | null, active: boolean | null, schedule: { frequency: ScheduleFrequency, rawFrequency: string, minute: string | null, hour: string | null, dayOfWeek: string | null, dayOfMonth: string | null } | null, source: { id: string, name: string | null, typeName: string | null } | null, destination: { id: string, name: string | null, typeName: string | null } | null, status: { fetchedAt: string, stale: boolean, nextExecutionTime: string | null, currentExecution: { id: string, status: ExecutionStatus, rawStatus: string, statusMessage: string | null, recordCount: number | null, errorCount: number | null, startedAt: string | null, completedAt: string | null, schemas: Array<{ schema: string, status: SchemaRunStatus, recordCount: number | null, errorCount: number | null }> } | null, lastExecution: { id: string, status: ExecutionStatus, rawStatus: string, statusMessage: string | null, recordCount: number | null, errorCount: number | null, startedAt: string | null, completedAt: string | null } | null, ingestionStatus: { enabled: boolean, isRunning: boolean, status: IngestionLevel, statusMessage: string | null } | null } | null } };

export type BoardHistoryQueryVariables = Exact<{
  id: string | number;
  after?: string | null | undefined;
}>;


export type BoardHistoryQuery = { bulkSync: { id: string, executions: { nodes: Array<{ type: string | null, id: string, status: ExecutionStatus, rawStatus: string, statusMessage: string | null, recordCount: number | null, errorCount: number | null, startedAt: string | null, completedAt: string | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null } | null };

export type BoardRunNowMutationVariables = Exact<{
  id: string | number;
}>;


export type BoardRunNowMutation = { startBulkSync: { bulkSync: { id: string, name: string | null, active: boolean | null, schedule: { frequency: ScheduleFrequency, rawFrequency: string, minute: string | null, hour: string | null, dayOfWeek: string | null, dayOfMonth: string | null } | null, source: { id: string, name: string | null, typeName: string | null } | null, destination: { id: string, name: string | null, typeName: string | null } | null, status: { fetchedAt: string, stale: boolean, nextExecutionTime: string | null, currentExecution: { id: string, status: ExecutionStatus, rawStatus: string, statusMessage: string | null, recordCount: number | null, errorCount: number | null, startedAt: string | null, completedAt: string | null, schemas: Array<{ schema: string, status: SchemaRunStatus, recordCount: number | null, errorCount: number | null }> } | null, lastExecution: { id: string, status: ExecutionStatus, rawStatus: string, statusMessage: string | null, recordCount: number | null, errorCount: number | null, startedAt: string | null, completedAt: string | null } | null, ingestionStatus: { enabled: boolean, isRunning: boolean, status: IngestionLevel, statusMessage: string | null } | null } | null } } };

export type BoardCancelMutationVariables = Exact<{
  id: string | number;
}>;


export type BoardCancelMutation = { cancelBulkSync: { bulkSync: { id: string, name: string | null, active: boolean | null, schedule: { frequency: ScheduleFrequency, rawFrequency: string, minute: string | null, hour: string | null, dayOfWeek: string | null, dayOfMonth: string | null } | null, source: { id: string, name: string | null, typeName: string | null } | null, destination: { id: string, name: string | null, typeName: string | null } | null, status: { fetchedAt: string, stale: boolean, nextExecutionTime: string | null, currentExecution: { id: string, status: ExecutionStatus, rawStatus: string, statusMessage: string | null, recordCount: number | null, errorCount: number | null, startedAt: string | null, completedAt: string | null, schemas: Array<{ schema: string, status: SchemaRunStatus, recordCount: number | null, errorCount: number | null }> } | null, lastExecution: { id: string, status: ExecutionStatus, rawStatus: string, statusMessage: string | null, recordCount: number | null, errorCount: number | null, startedAt: string | null, completedAt: string | null } | null, ingestionStatus: { enabled: boolean, isRunning: boolean, status: IngestionLevel, statusMessage: string | null } | null } | null } } };

export type BoardSetActiveMutationVariables = Exact<{
  id: string | number;
  active: boolean;
}>;


export type BoardSetActiveMutation = { setBulkSyncActive: { bulkSync: { id: string, name: string | null, active: boolean | null, schedule: { frequency: ScheduleFrequency, rawFrequency: string, minute: string | null, hour: string | null, dayOfWeek: string | null, dayOfMonth: string | null } | null, source: { id: string, name: string | null, typeName: string | null } | null, destination: { id: string, name: string | null, typeName: string | null } | null, status: { fetchedAt: string, stale: boolean, nextExecutionTime: string | null, currentExecution: { id: string, status: ExecutionStatus, rawStatus: string, statusMessage: string | null, recordCount: number | null, errorCount: number | null, startedAt: string | null, completedAt: string | null, schemas: Array<{ schema: string, status: SchemaRunStatus, recordCount: number | null, errorCount: number | null }> } | null, lastExecution: { id: string, status: ExecutionStatus, rawStatus: string, statusMessage: string | null, recordCount: number | null, errorCount: number | null, startedAt: string | null, completedAt: string | null } | null, ingestionStatus: { enabled: boolean, isRunning: boolean, status: IngestionLevel, statusMessage: string | null } | null } | null } } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const BoardExecutionFragmentDoc = new TypedDocumentString(`
    fragment BoardExecution on Execution {
  id
  status
  rawStatus
  statusMessage
  recordCount
  errorCount
  startedAt
  completedAt
}
    `, {"fragmentName":"BoardExecution"}) as unknown as TypedDocumentString<BoardExecutionFragment, unknown>;
export const BoardSyncFragmentDoc = new TypedDocumentString(`
    fragment BoardSync on BulkSync {
  id
  name
  active
  schedule {
    frequency
    rawFrequency
    minute
    hour
    dayOfWeek
    dayOfMonth
  }
  source {
    id
    name
    typeName
  }
  destination {
    id
    name
    typeName
  }
  status {
    fetchedAt
    stale
    nextExecutionTime
    currentExecution {
      ...BoardExecution
      schemas {
        schema
        status
        recordCount
        errorCount
      }
    }
    lastExecution {
      ...BoardExecution
    }
    ingestionStatus {
      enabled
      isRunning
      status
      statusMessage
    }
  }
}
    fragment BoardExecution on Execution {
  id
  status
  rawStatus
  statusMessage
  recordCount
  errorCount
  startedAt
  completedAt
}`, {"fragmentName":"BoardSync"}) as unknown as TypedDocumentString<BoardSyncFragment, unknown>;
export const BoardSyncsDocument = new TypedDocumentString(`
    query BoardSyncs($after: String) {
  allBulkSyncs(first: 50, after: $after) {
    nodes {
      ...BoardSync
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment BoardExecution on Execution {
  id
  status
  rawStatus
  statusMessage
  recordCount
  errorCount
  startedAt
  completedAt
}
fragment BoardSync on BulkSync {
  id
  name
  active
  schedule {
    frequency
    rawFrequency
    minute
    hour
    dayOfWeek
    dayOfMonth
  }
  source {
    id
    name
    typeName
  }
  destination {
    id
    name
    typeName
  }
  status {
    fetchedAt
    stale
    nextExecutionTime
    currentExecution {
      ...BoardExecution
      schemas {
        schema
        status
        recordCount
        errorCount
      }
    }
    lastExecution {
      ...BoardExecution
    }
    ingestionStatus {
      enabled
      isRunning
      status
      statusMessage
    }
  }
}`) as unknown as TypedDocumentString<BoardSyncsQuery, BoardSyncsQueryVariables>;
export const BoardChangesDocument = new TypedDocumentString(`
    subscription BoardChanges($ids: [ID!]!) {
  bulkSyncChanges(ids: $ids) {
    ...BoardSync
  }
}
    fragment BoardExecution on Execution {
  id
  status
  rawStatus
  statusMessage
  recordCount
  errorCount
  startedAt
  completedAt
}
fragment BoardSync on BulkSync {
  id
  name
  active
  schedule {
    frequency
    rawFrequency
    minute
    hour
    dayOfWeek
    dayOfMonth
  }
  source {
    id
    name
    typeName
  }
  destination {
    id
    name
    typeName
  }
  status {
    fetchedAt
    stale
    nextExecutionTime
    currentExecution {
      ...BoardExecution
      schemas {
        schema
        status
        recordCount
        errorCount
      }
    }
    lastExecution {
      ...BoardExecution
    }
    ingestionStatus {
      enabled
      isRunning
      status
      statusMessage
    }
  }
}`) as unknown as TypedDocumentString<BoardChangesSubscription, BoardChangesSubscriptionVariables>;
export const BoardHistoryDocument = new TypedDocumentString(`
    query BoardHistory($id: ID!, $after: String) {
  bulkSync(id: $id) {
    id
    executions(first: 10, after: $after) {
      nodes {
        ...BoardExecution
        type
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}
    fragment BoardExecution on Execution {
  id
  status
  rawStatus
  statusMessage
  recordCount
  errorCount
  startedAt
  completedAt
}`) as unknown as TypedDocumentString<BoardHistoryQuery, BoardHistoryQueryVariables>;
export const BoardRunNowDocument = new TypedDocumentString(`
    mutation BoardRunNow($id: ID!) {
  startBulkSync(id: $id) {
    bulkSync {
      ...BoardSync
    }
  }
}
    fragment BoardExecution on Execution {
  id
  status
  rawStatus
  statusMessage
  recordCount
  errorCount
  startedAt
  completedAt
}
fragment BoardSync on BulkSync {
  id
  name
  active
  schedule {
    frequency
    rawFrequency
    minute
    hour
    dayOfWeek
    dayOfMonth
  }
  source {
    id
    name
    typeName
  }
  destination {
    id
    name
    typeName
  }
  status {
    fetchedAt
    stale
    nextExecutionTime
    currentExecution {
      ...BoardExecution
      schemas {
        schema
        status
        recordCount
        errorCount
      }
    }
    lastExecution {
      ...BoardExecution
    }
    ingestionStatus {
      enabled
      isRunning
      status
      statusMessage
    }
  }
}`) as unknown as TypedDocumentString<BoardRunNowMutation, BoardRunNowMutationVariables>;
export const BoardCancelDocument = new TypedDocumentString(`
    mutation BoardCancel($id: ID!) {
  cancelBulkSync(id: $id) {
    bulkSync {
      ...BoardSync
    }
  }
}
    fragment BoardExecution on Execution {
  id
  status
  rawStatus
  statusMessage
  recordCount
  errorCount
  startedAt
  completedAt
}
fragment BoardSync on BulkSync {
  id
  name
  active
  schedule {
    frequency
    rawFrequency
    minute
    hour
    dayOfWeek
    dayOfMonth
  }
  source {
    id
    name
    typeName
  }
  destination {
    id
    name
    typeName
  }
  status {
    fetchedAt
    stale
    nextExecutionTime
    currentExecution {
      ...BoardExecution
      schemas {
        schema
        status
        recordCount
        errorCount
      }
    }
    lastExecution {
      ...BoardExecution
    }
    ingestionStatus {
      enabled
      isRunning
      status
      statusMessage
    }
  }
}`) as unknown as TypedDocumentString<BoardCancelMutation, BoardCancelMutationVariables>;
export const BoardSetActiveDocument = new TypedDocumentString(`
    mutation BoardSetActive($id: ID!, $active: Boolean!) {
  setBulkSyncActive(id: $id, active: $active) {
    bulkSync {
      ...BoardSync
    }
  }
}
    fragment BoardExecution on Execution {
  id
  status
  rawStatus
  statusMessage
  recordCount
  errorCount
  startedAt
  completedAt
}
fragment BoardSync on BulkSync {
  id
  name
  active
  schedule {
    frequency
    rawFrequency
    minute
    hour
    dayOfWeek
    dayOfMonth
  }
  source {
    id
    name
    typeName
  }
  destination {
    id
    name
    typeName
  }
  status {
    fetchedAt
    stale
    nextExecutionTime
    currentExecution {
      ...BoardExecution
      schemas {
        schema
        status
        recordCount
        errorCount
      }
    }
    lastExecution {
      ...BoardExecution
    }
    ingestionStatus {
      enabled
      isRunning
      status
      statusMessage
    }
  }
}`) as unknown as TypedDocumentString<BoardSetActiveMutation, BoardSetActiveMutationVariables>;