import {
  type ASTVisitor,
  type DocumentNode,
  GraphQLError,
  getOperationAST,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

// The weights GraphQL Armor's cost limit uses, kept so MAX_COST means what it meant.
const SCALAR = 1;
const OBJECT = 2;
const PER_LEVEL = 1.5;

/**
 * The static cost of an operation's shape (MAX_COST): a field costs 1, an object 2 plus its
 * selection at 1.5× per level down; fragments are not levels; repeated selections all count,
 * so a field repeated thousands of times is refused. List sizes are not multiplied in: how many
 * syncs, ids or executions an operation asks for, from literals and variables alike, is the
 * upstream-call estimate's to bound (schema/costs.ts).
 *
 * Written here in place of GraphQL Armor's cost limit, which multiplies by a `first` or `last`
 * argument written in the query but cannot see one passed as a variable: the same operation cost
 * 475 or 9.5 depending on how it was written, and the contract's own page sizes were refused.
 */
export function shapeCost(document: DocumentNode, operationName?: string | null): number {
  const operation = getOperationAST(document, operationName);
  if (!operation) return 0;
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition.selectionSet);
    }
  }
  const costs = new Map<string, number>();
  const costOf = (selectionSet: SelectionSetNode, visiting: Set<string>): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === '__schema') continue;
        total += selection.selectionSet
          ? OBJECT + PER_LEVEL * costOf(selection.selectionSet, visiting)
          : SCALAR;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        total += costOf(selection.selectionSet, visiting);
      } else {
        const name = selection.name.value;
        let known = costs.get(name);
        if (known === undefined) {
          const fragment = fragments.get(name);
          // A cycle is refused by validation; here it just stops.
          if (!fragment || visiting.has(name)) continue;
          visiting.add(name);
          known = costOf(fragment, visiting);
          visiting.delete(name);
          // Once per fragment however often it is spread: a fragment's cost does not depend on
          // where it stands (fragments are not levels).
          costs.set(name, known);
        }
        total += known;
      }
    }
    return total;
  };
  return costOf(operation.selectionSet, new Set());
}

/**
 * Refuses, at validation (so before any other check of a huge document, and cached with its
 * validation), an operation whose shape costs more than `maxCost` (MAX_COST).
 */
export function useShapeCostLimit(maxCost: number): Plugin {
  const rule = (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const cost = shapeCost(context.getDocument(), node.name?.value);
      if (cost <= maxCost) return undefined;
      // Worded as GraphQL Armor's limit was, which this one replaces; thrown, as Armor does, so
      // validation stops here rather than go on through a document already refused.
      throw new GraphQLError(`Query Cost limit of ${maxCost} exceeded, found ${cost}.`, {
        nodes: node,
      });
    },
  });
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}
