import type { ExecutionResult } from 'graphql-ws';
import type { GraphQLResponse } from './test-app.js';

// The operations the tests send, and readers of what comes back.

/** Every field of BulkSyncStatus, Execution, SchemaRun and IngestionStatus. */
export const STATUS_SELECTION = /* GraphQL */ `
  currentExecution { ...ExecutionFields }
  lastExecution { ...ExecutionFields }
  ingestionStatus {
    enabled
    isRunning
    status
    rawStatus
    statusMessage
    highwaterMark
    position
    positionTime
    updatedAt
  }
  nextExecutionTime
`;

export const EXECUTION_FRAGMENT = /* GraphQL */ `
  fragment ExecutionFields on Execution {
    id
    status
    rawStatus
    statusMessage
    type
    fetchMode
    outputDisposition
    isPartial
    isResync
    isTest
    recordCount
    errorCount
    warningCount
    createdAt
    startedAt
    completedAt
    updatedAt
    schemas {
      schema
      outputName
      status
      rawStatus
      statusMessage
      recordCount
      errorCount
      warningCount
      createdAt
      startedAt
      completedAt
      updatedAt
    }
  }
`;

/** `query ($id: ID!) { bulkSync(id: $id) { id status { <everything> } } }` */
export const FULL_BULK_SYNC = /* GraphQL */ `
  query FullBulkSync($id: ID!) {
    bulkSync(id: $id) {
      id
      status { ${STATUS_SELECTION} }
    }
  }
  ${EXECUTION_FRAGMENT}
`;

/** A small selection that still needs the status load. */
export const ONE_SYNC = /* GraphQL */ `
  query OneSync($id: ID!) {
    bulkSync(id: $id) {
      id
      status { nextExecutionTime currentExecution { id } }
    }
  }
`;

export const MANY_SYNCS = /* GraphQL */ `
  query ManySyncs($ids: [ID!]!) {
    bulkSyncs(ids: $ids) {
      id
      status { nextExecutionTime currentExecution { id } }
    }
  }
`;

export const SUB_STATUS = /* GraphQL */ `
  subscription SubStatus($id: ID!) {
    bulkSync(id: $id) { id status { currentExecution { status } } }
  }
`;

export const SUB_COUNT = /* GraphQL */ `
  subscription SubCount($id: ID!) {
    bulkSync(id: $id) { id status { currentExecution { recordCount } } }
  }
`;

export const SUB_BOTH = /* GraphQL */ `
  subscription SubBoth($id: ID!) {
    bulkSync(id: $id) { id status { currentExecution { status recordCount } } }
  }
`;

export const SUB_CHANGES = /* GraphQL */ `
  subscription SubChanges($ids: [ID!]!) {
    bulkSyncChanges(ids: $ids) { id status { currentExecution { status recordCount } } }
  }
`;

/** `data[name]` of an answer, typed by the test; fails the test when the field is missing or null. */
export function dataOf<T>(answer: Pick<GraphQLResponse, 'body' | 'text'>, name: string): T {
  const value = answer.body.data?.[name];
  if (value === undefined || value === null) throw new Error(`no ${name} in ${answer.text}`);
  return value as T;
}

/** `extensions.code` of every error of a response, in order. */
export function errorCodes(res: GraphQLResponse): (string | undefined)[] {
  return (res.body.errors ?? []).map((e) => e.extensions?.code);
}

/** `currentExecution` of a `bulkSync` / `bulkSyncChanges` event. */
export function executionOf(event: ExecutionResult | undefined): Record<string, unknown> | null {
  const data = event?.data as
    | Record<string, { status: { currentExecution: Record<string, unknown> | null } } | undefined>
    | null
    | undefined;
  const sync = data?.['bulkSync'] ?? data?.['bulkSyncChanges'];
  return sync?.status.currentExecution ?? null;
}

/** `id` of a `bulkSync` / `bulkSyncChanges` event. */
export function idOf(event: ExecutionResult | undefined): string | undefined {
  const data = event?.data as Record<string, { id: string } | undefined> | null | undefined;
  return (data?.['bulkSync'] ?? data?.['bulkSyncChanges'])?.id;
}

/** `extensions.code` of the first error of an event. */
export function codeOf(event: ExecutionResult | undefined): unknown {
  return event?.errors?.[0]?.extensions?.['code'];
}

/** A JSON request body of exactly `bytes` bytes that runs `query` (padded with an unused variable). */
export function paddedBody(query: string, bytes: number): string {
  const bare = JSON.stringify({ query, variables: { pad: '' } });
  return JSON.stringify({ query, variables: { pad: 'x'.repeat(bytes - bare.length) } });
}

/** `bulkSync(id)` with how fresh its status is: when it was fetched, whether it is a stand-in. */
export const SYNC_FRESHNESS = /* GraphQL */ `
  query Status($id: ID!) {
    bulkSync(id: $id) {
      id
      status { fetchedAt stale currentExecution { status recordCount } }
    }
  }
`;

/** The `status` of a {@link SYNC_FRESHNESS} answer. */
export interface FreshnessView {
  fetchedAt: string;
  stale: boolean;
  currentExecution: { status?: string; recordCount: number } | null;
}

/** `bulkSync.status` of a {@link SYNC_FRESHNESS} answer. */
export function freshnessOf(res: GraphQLResponse): FreshnessView | undefined {
  return (res.body.data?.['bulkSync'] as { status: FreshnessView } | null | undefined)?.status;
}
