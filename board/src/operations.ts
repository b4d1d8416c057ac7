// Every operation the board sends. One fragment, BoardSync, is what a row shows: the listing,
// the live subscription and each action's answer all select it, so any of them can replace a
// row whole.
import { graphql } from './gql/index.js';

export const BoardExecutionFields = graphql(`
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
`);

export const BoardSyncFields = graphql(`
  fragment BoardSync on BulkSync {
    id
    name
    active
    schedule { frequency rawFrequency minute hour dayOfWeek dayOfMonth }
    source { id name typeName }
    destination { id name typeName }
    status {
      fetchedAt
      stale
      nextExecutionTime
      currentExecution {
        ...BoardExecution
        schemas { schema status recordCount errorCount }
      }
      lastExecution { ...BoardExecution }
      ingestionStatus { enabled isRunning status statusMessage }
    }
  }
`);

export const ListSyncs = graphql(`
  query BoardSyncs($after: String) {
    allBulkSyncs(first: 50, after: $after) {
      nodes { ...BoardSync }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const WatchSyncs = graphql(`
  subscription BoardChanges($ids: [ID!]!) {
    bulkSyncChanges(ids: $ids) { ...BoardSync }
  }
`);

export const SyncHistory = graphql(`
  query BoardHistory($id: ID!, $after: String) {
    bulkSync(id: $id) {
      id
      executions(first: 10, after: $after) {
        nodes { ...BoardExecution type }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

export const RunNow = graphql(`
  mutation BoardRunNow($id: ID!) {
    startBulkSync(id: $id) { bulkSync { ...BoardSync } }
  }
`);

export const Cancel = graphql(`
  mutation BoardCancel($id: ID!) {
    cancelBulkSync(id: $id) { bulkSync { ...BoardSync } }
  }
`);

export const SetActive = graphql(`
  mutation BoardSetActive($id: ID!, $active: Boolean!) {
    setBulkSyncActive(id: $id, active: $active) { bulkSync { ...BoardSync } }
  }
`);
