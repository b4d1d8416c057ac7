import { type ASTVisitor, GraphQLError, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Refuses an operation type the schema has no root for (this one has no mutations) at
 * validation, as graphql 17's KnownOperationTypesRule will. graphql 16 lets such a document
 * validate and fails it at execution with `data: null` and no code; written here because
 * graphql 16, GraphQL Armor and envelop have no such rule.
 */
export function useKnownOperationTypes(): Plugin {
  const rule = (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      if (context.getSchema().getRootType(node.operation)) return;
      context.reportError(
        new GraphQLError(`This API has no ${node.operation}s; only queries and subscriptions.`, {
          nodes: node,
        }),
      );
    },
  });
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}
