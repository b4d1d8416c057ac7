import { useGraphQlJit } from '@envelop/graphql-jit';
import { BREAK, type DocumentNode, getOperationAST, Kind, visit } from 'graphql';
import type { Logger } from '../../../observability/logger.js';

/**
 * Queries run compiled (graphql-jit): a full-status query walks about a hundred fields per sync,
 * and execution was the largest cost on the hot path. Only queries: subscriptions keep
 * graphql-js semantics, and a mutation makes an upstream call whatever runs it. Queries
 * graphql-jit would run wrongly stay on graphql-js too:
 * - a document of several operations: the plugin caches a compiled query per document whatever
 *   operationName asks, so every name would run the first one compiled;
 * - a variable inside an object or list literal (as in federation's `_entities` with
 *   representations written in the document): graphql-jit parses a scalar literal without the
 *   operation's variables, so the variable is lost, and prints a warning to stderr. Routers pass
 *   representations as a variable, which compiles.
 */
export function useQueryJit(logger: Logger): ReturnType<typeof useGraphQlJit> {
  const compiles = new WeakMap<DocumentNode, boolean>();
  return useGraphQlJit(
    {},
    {
      enableIf: ({ document }) => {
        let known = compiles.get(document);
        if (known === undefined) {
          known =
            getOperationAST(document)?.operation === 'query' && !hasVariableInLiteral(document);
          compiles.set(document, known);
        }
        return known;
      },
      // A validated query that graphql-jit cannot compile is this gateway's bug: logged, and
      // the client gets the compile error as its result.
      onError: (result) => logger.error({ errors: result.errors }, 'query did not compile'),
    },
  );
}

/** Whether an argument's object or list literal holds a variable somewhere inside. */
function hasVariableInLiteral(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Argument(node) {
      if (node.value.kind !== Kind.OBJECT && node.value.kind !== Kind.LIST) return false;
      visit(node.value, {
        Variable() {
          found = true;
          return BREAK;
        },
      });
      return found ? BREAK : false;
    },
  });
  return found;
}
