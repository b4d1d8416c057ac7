import { useGraphQlJit } from '@envelop/graphql-jit';
import { BREAK, type DocumentNode, getOperationAST, Kind, visit } from 'graphql';
import type { Logger } from '../logger.js';

/**
 * Queries run compiled (graphql-jit): the full-status query walks ~100 fields per sync and
 * execution was the largest cost on the hot path. Documents graphql-jit would run wrongly stay
 * on graphql-js:
 * - subscriptions, which keep graphql-js semantics;
 * - a document of several operations: the plugin caches a compiled query per document whatever
 *   operationName asks, so every name would run the first one compiled;
 * - `_entities` with representations written in the document: graphql-jit parses a scalar
 *   literal without the operation's variables (a `$id` inside one is lost) and prints a warning
 *   to stderr for each such document. A router sends them as a variable, which compiles.
 * (Mutations are refused at validation: this schema has none.)
 */
export function useQueryJit(logger: Logger): ReturnType<typeof useGraphQlJit> {
  const compiles = new WeakMap<DocumentNode, boolean>();
  return useGraphQlJit(
    {},
    {
      enableIf: ({ document }) => {
        let known = compiles.get(document);
        if (known === undefined) {
          known = getOperationAST(document)?.operation === 'query' && !hasLiteralInput(document);
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

/** Whether the document passes `_entities` representations as a literal, not a variable. */
function hasLiteralInput(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Argument(node) {
      if (node.name.value !== 'representations' || node.value.kind === Kind.VARIABLE) return;
      found = true;
      return BREAK;
    },
  });
  return found;
}
