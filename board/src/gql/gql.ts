/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment BoardExecution on Execution {\n    id\n    status\n    rawStatus\n    statusMessage\n    recordCount\n    errorCount\n    startedAt\n    completedAt\n  }\n": typeof types.BoardExecutionFragmentDoc,
    "\n  fragment BoardSync on BulkSync {\n    id\n    name\n    active\n    schedule { frequency rawFrequency minute hour dayOfWeek dayOfMonth }\n    source { id name typeName }\n    destination { id name typeName }\n    status {\n      fetchedAt\n      stale\n      nextExecutionTime\n      currentExecution {\n        ...BoardExecution\n        schemas { schema status recordCount errorCount }\n      }\n      lastExecution { ...BoardExecution }\n      ingestionStatus { enabled isRunning status statusMessage }\n    }\n  }\n": typeof types.BoardSyncFragmentDoc,
    "\n  query BoardSyncs($after: String) {\n    allBulkSyncs(first: 50, after: $after) {\n      nodes { ...BoardSync }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.BoardSyncsDocument,
    "\n  subscription BoardChanges($ids: [ID!]!) {\n    bulkSyncChanges(ids: $ids) { ...BoardSync }\n  }\n": typeof types.BoardChangesDocument,
    "\n  query BoardHistory($id: ID!, $after: String) {\n    bulkSync(id: $id) {\n      id\n      executions(first: 10, after: $after) {\n        nodes { ...BoardExecution type }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": typeof types.BoardHistoryDocument,
    "\n  mutation BoardRunNow($id: ID!) {\n    startBulkSync(id: $id) { bulkSync { ...BoardSync } }\n  }\n": typeof types.BoardRunNowDocument,
    "\n  mutation BoardCancel($id: ID!) {\n    cancelBulkSync(id: $id) { bulkSync { ...BoardSync } }\n  }\n": typeof types.BoardCancelDocument,
    "\n  mutation BoardSetActive($id: ID!, $active: Boolean!) {\n    setBulkSyncActive(id: $id, active: $active) { bulkSync { ...BoardSync } }\n  }\n": typeof types.BoardSetActiveDocument,
};
const documents: Documents = {
    "\n  fragment BoardExecution on Execution {\n    id\n    status\n    rawStatus\n    statusMessage\n    recordCount\n    errorCount\n    startedAt\n    completedAt\n  }\n": types.BoardExecutionFragmentDoc,
    "\n  fragment BoardSync on BulkSync {\n    id\n    name\n    active\n    schedule { frequency rawFrequency minute hour dayOfWeek dayOfMonth }\n    source { id name typeName }\n    destination { id name typeName }\n    status {\n      fetchedAt\n      stale\n      nextExecutionTime\n      currentExecution {\n        ...BoardExecution\n        schemas { schema status recordCount errorCount }\n      }\n      lastExecution { ...BoardExecution }\n      ingestionStatus { enabled isRunning status statusMessage }\n    }\n  }\n": types.BoardSyncFragmentDoc,
    "\n  query BoardSyncs($after: String) {\n    allBulkSyncs(first: 50, after: $after) {\n      nodes { ...BoardSync }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.BoardSyncsDocument,
    "\n  subscription BoardChanges($ids: [ID!]!) {\n    bulkSyncChanges(ids: $ids) { ...BoardSync }\n  }\n": types.BoardChangesDocument,
    "\n  query BoardHistory($id: ID!, $after: String) {\n    bulkSync(id: $id) {\n      id\n      executions(first: 10, after: $after) {\n        nodes { ...BoardExecution type }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": types.BoardHistoryDocument,
    "\n  mutation BoardRunNow($id: ID!) {\n    startBulkSync(id: $id) { bulkSync { ...BoardSync } }\n  }\n": types.BoardRunNowDocument,
    "\n  mutation BoardCancel($id: ID!) {\n    cancelBulkSync(id: $id) { bulkSync { ...BoardSync } }\n  }\n": types.BoardCancelDocument,
    "\n  mutation BoardSetActive($id: ID!, $active: Boolean!) {\n    setBulkSyncActive(id: $id, active: $active) { bulkSync { ...BoardSync } }\n  }\n": types.BoardSetActiveDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment BoardExecution on Execution {\n    id\n    status\n    rawStatus\n    statusMessage\n    recordCount\n    errorCount\n    startedAt\n    completedAt\n  }\n"): typeof import('./graphql').BoardExecutionFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment BoardSync on BulkSync {\n    id\n    name\n    active\n    schedule { frequency rawFrequency minute hour dayOfWeek dayOfMonth }\n    source { id name typeName }\n    destination { id name typeName }\n    status {\n      fetchedAt\n      stale\n      nextExecutionTime\n      currentExecution {\n        ...BoardExecution\n        schemas { schema status recordCount errorCount }\n      }\n      lastExecution { ...BoardExecution }\n      ingestionStatus { enabled isRunning status statusMessage }\n    }\n  }\n"): typeof import('./graphql').BoardSyncFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BoardSyncs($after: String) {\n    allBulkSyncs(first: 50, after: $after) {\n      nodes { ...BoardSync }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): typeof import('./graphql').BoardSyncsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription BoardChanges($ids: [ID!]!) {\n    bulkSyncChanges(ids: $ids) { ...BoardSync }\n  }\n"): typeof import('./graphql').BoardChangesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BoardHistory($id: ID!, $after: String) {\n    bulkSync(id: $id) {\n      id\n      executions(first: 10, after: $after) {\n        nodes { ...BoardExecution type }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"): typeof import('./graphql').BoardHistoryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BoardRunNow($id: ID!) {\n    startBulkSync(id: $id) { bulkSync { ...BoardSync } }\n  }\n"): typeof import('./graphql').BoardRunNowDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BoardCancel($id: ID!) {\n    cancelBulkSync(id: $id) { bulkSync { ...BoardSync } }\n  }\n"): typeof import('./graphql').BoardCancelDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BoardSetActive($id: ID!, $active: Boolean!) {\n    setBulkSyncActive(id: $id, active: $active) { bulkSync { ...BoardSync } }\n  }\n"): typeof import('./graphql').BoardSetActiveDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
