import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../../../config.js';

/**
 * Size and shape limits on every operation (GraphQL Armor): depth, aliases, tokens, directives,
 * cost, and no field suggestions outside development (they leak the schema).
 */
export function useOperationLimits(safety: Config['safety']): Plugin {
  return EnvelopArmorPlugin({
    // Depth and cost count fields, not fragments: a router's `_entities` query nests its
    // selection in fragments, which would otherwise count as levels of their own (each one
    // multiplying the cost by 1.5) and refuse a query whose fields are five deep.
    maxDepth: { n: safety.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: safety.maxAliases },
    maxTokens: { n: safety.maxTokens },
    maxDirectives: { n: safety.maxDirectives },
    costLimit: { maxCost: safety.maxCost, ignoreIntrospection: true, flattenFragments: true },
    blockFieldSuggestion: { enabled: !safety.fieldSuggestions },
  }) as Plugin;
}
