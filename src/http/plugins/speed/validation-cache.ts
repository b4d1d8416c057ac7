import type { DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Validates each parsed document once. yoga's parse cache hands back the same DocumentNode for
 * the same query text, so its validation result can be kept beside it, weakly. This replaces
 * yoga's own validation cache, which keys its results by the names of the validation rules and
 * so reads `name` from every rule function on every request; GraphQL Armor makes its rule functions afresh per request, so they cannot be
 * compared by identity either.
 *
 * Sound because this server has one schema and validates every operation, HTTP or WebSocket,
 * with the same rules; it must come after every plugin that adds rules. As a guard, a result
 * is reused only with as many rules as it was made with.
 */
export function useValidationCache(): Plugin {
  const results = new WeakMap<DocumentNode, { rules: number; result: readonly Error[] }>();
  return {
    onValidate({ params: { documentAST, rules }, setResult }) {
      const count = rules?.length ?? 0;
      const known = results.get(documentAST);
      if (known && known.rules === count) {
        setResult(known.result);
        return undefined;
      }
      return ({ result }) => {
        results.set(documentAST, { rules: count, result });
      };
    },
  };
}
