// GraphiQL, served on GET /graphql when GRAPHIQL is on. Its editor opens with these operations,
// which work as pasted.

export const SAMPLE_QUERY = /* GraphQL */ `# Polytomic bulk sync status. Replace the ids with your syncs'.
query SyncHealth($ids: [ID!]! = ["5e1a0000-0000-4000-8000-000000000001", "5e1a0000-0000-4000-8000-000000000003"]) {
  bulkSyncs(ids: $ids) {
    id
    status {
      currentExecution { id status rawStatus recordCount startedAt schemas { schema status recordCount } }
      lastExecution { id status completedAt errorCount }
      ingestionStatus { status isRunning }
      nextExecutionTime
    }
  }
}
`;

export const SAMPLE_SUBSCRIPTION = /* GraphQL */ `# Live: one event now, then one each time the selected data changes.
subscription WatchSyncs($ids: [ID!]! = ["5e1a0000-0000-4000-8000-000000000001", "5e1a0000-0000-4000-8000-000000000002"]) {
  bulkSyncChanges(ids: $ids) {
    id
    status {
      currentExecution { status recordCount schemas { schema status recordCount } }
      lastExecution { status completedAt }
    }
  }
}
`;

/** yoga's GraphiQL options. */
export const graphiqlOptions = {
  title: 'Polytomic sync gateway',
  defaultQuery: `${SAMPLE_QUERY}\n${SAMPLE_SUBSCRIPTION}`,
  subscriptionsProtocol: 'WS',
} as const;
