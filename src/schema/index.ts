import { builder } from './builder.js';
import './bulk-sync.js';
import './bulk-sync-list.js';
import './bulk-sync-history.js';
import './bulk-sync-live.js';
import './bulk-sync-actions.js';
import './data-connection.js';
import { guardEntities } from './entities.js';

/**
 * The served schema: a Federation v2 subgraph (`_service`, `_entities`; `BulkSync` and
 * `DataConnection` are entities keyed by id), with the `@link` of the contract.
 */
export const schema = guardEntities(
  builder.toSubGraphSchema({
    linkUrl: 'https://specs.apollo.dev/federation/v2.6',
    federationDirectives: ['@key', '@shareable'],
  }),
);
