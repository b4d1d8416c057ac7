import { builder } from './builder.js';
import './bulk-sync.js';
import { refuseForeignRepresentations } from './entities.js';

/**
 * The served schema: a Federation v2 subgraph (`_service`, `_entities`, `BulkSync @key(id)`),
 * with the `@link` of the contract.
 */
export const schema = refuseForeignRepresentations(
  builder.toSubGraphSchema({
    linkUrl: 'https://specs.apollo.dev/federation/v2.6',
    federationDirectives: ['@key', '@shareable'],
  }),
);
