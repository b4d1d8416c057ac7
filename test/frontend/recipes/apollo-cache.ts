import { InMemoryCache } from '@apollo/client';

export function createCache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      Query: {
        fields: {
          // A sync already in the cache (from allBulkSyncs or bulkSyncs) is read from there,
          // with no network call, when a query asks for it by id.
          bulkSync: {
            read: (_, { args, toReference }) =>
              toReference({ __typename: 'BulkSync', id: args?.['id'] }),
          },
        },
      },
      BulkSync: {
        fields: {
          // BulkSyncStatus has no id: without this, a second query selecting other status
          // fields replaces the status the first one cached, and wipes its fields.
          status: { merge: true },
        },
      },
    },
  });
}
