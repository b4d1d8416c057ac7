import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../../../config.js';

/**
 * Size and shape limits on every operation (GraphQL Armor): depth, aliases, tokens, directives,
 * and no field suggestions outside development (they leak the schema). Its cost limit is off:
 * demand control (demand-control.ts) bounds cost and upstream calls from literals and variables
 * alike.
 */
export function useOperationLimits(safety: Config['safety']): Plugin {
  return EnvelopArmorPlugin({
    // Depth counts fields, not fragments: a router's `_entities` query nests its selection in
    // fragments, which would otherwise count as levels of their own and refuse a query whose
    // fields are five deep.
    maxDepth: { n: safety.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: safety.maxAliases },
    maxTokens: { n: safety.maxTokens },
    maxDirectives: { n: safety.maxDirectives },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: !safety.fieldSuggestions },
  }) as Plugin;
}
