import {
  type ASTNode,
  BREAK,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  GraphQLIncludeDirective,
  type GraphQLObjectType,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isAbstractType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  visit,
} from 'graphql';

/**
 * What resolving a field costs upstream, declared beside the field (its `extensions`). Read by
 * {@link estimateUpstreamCalls}, which demand control runs before any resolver.
 */
export interface UpstreamCost {
  /** Calls the field makes itself, given its arguments. */
  calls?: number | ((args: Record<string, unknown>) => number);
  /** How many objects it returns: the calls of its selection count this many times. */
  items?: number | ((args: Record<string, unknown>) => number);
  /**
   * A call shared by several fields of one object (all of a sync's own fields come from one
   * `GET /api/bulk/syncs/{id}`): counted once per object, however many of them are selected.
   */
  group?: Group;
  /** Groups the returned objects arrive with already (a listing carries each sync's record). */
  provides?: readonly Group[];
}

/** The per-object calls: a sync's status, a sync's own record, a connection's record. */
export type Group = 'status' | 'record' | 'connection';

/** The `extensions` entry a field declares its cost with. */
export const cost = (upstream: UpstreamCost) => ({ upstreamCost: upstream });

/**
 * The upstream calls an operation would make (an upper bound; a subscription's per event), from
 * its selection, arguments and variables, before anything runs. A small walk of its own rather
 * than @pothos/plugin-complexity's: that plugin adds field costs up, and a sync's eleven own
 * fields share one call, which it would count eleven times; the declarations stay with the
 * fields all the same. Undefined when the variables do not fit the operation (execution then
 * refuses it itself).
 */
export function estimateUpstreamCalls(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
): Estimate | undefined {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return undefined;
  const coerced = getVariableValues(
    schema,
    operation.variableDefinitions ?? [],
    rawVariables ?? {},
  );
  if (coerced.errors) return undefined;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  const walk: Walk = { schema, fragments, variables: coerced.coerced, variable: false };
  const calls = costOf(walk, root, [operation.selectionSet], new Set());
  return { calls, dependsOnVariables: walk.variable };
}

/** An operation's estimate, and whether other variables could change it. */
export interface Estimate {
  calls: number;
  /** False when no cost the walk read came from a variable: the document alone decides. */
  dependsOnVariables: boolean;
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  /** Set once a cost or a @skip/@include the walk read came from a variable. */
  variable: boolean;
}

/** The calls of `selections` on one object of `type` that arrives with `provided` groups. */
function costOf(
  walk: Walk,
  type: GraphQLObjectType,
  selections: readonly SelectionSetNode[],
  provided: ReadonlySet<Group>,
): number {
  let total = 0;
  const groups = new Set<Group>();
  for (const nodes of collect(walk, type, selections).values()) {
    const [node] = nodes as [FieldNode];
    const field = type.getFields()[node.name.value];
    if (!field) continue;
    const declared = (field.extensions as { upstreamCost?: UpstreamCost }).upstreamCost ?? {};
    const args = argumentsOf(field, node, walk.variables);
    const fromArguments =
      typeof declared.calls === 'function' || typeof declared.items === 'function';
    if (fromArguments && nodes.some(hasVariable)) walk.variable = true;
    if (declared.group && !provided.has(declared.group)) groups.add(declared.group);
    const own = declaredValue(declared.calls, args, 0);
    const subSelections = nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
    const below = subSelections.length
      ? childCost(walk, field, subSelections, new Set(declared.provides))
      : 0;
    total += own + declaredValue(declared.items, args, 1) * below;
  }
  return total + groups.size;
}

/** The costliest of the object types a field may return (an `_entities` union). */
function childCost(
  walk: Walk,
  field: GraphQLField<unknown, unknown>,
  selections: readonly SelectionSetNode[],
  provided: ReadonlySet<Group>,
): number {
  const named = getNamedType(field.type);
  const types = isObjectType(named)
    ? [named]
    : isAbstractType(named)
      ? walk.schema.getPossibleTypes(named)
      : [];
  return Math.max(0, ...types.map((type) => costOf(walk, type, selections, provided)));
}

/** The fields selected on `type`, by response key, through fragments and @skip/@include. */
function collect(
  walk: Walk,
  type: GraphQLObjectType,
  selections: readonly SelectionSetNode[],
  fields = new Map<string, FieldNode[]>(),
  visited = new Set<string>(),
): Map<string, FieldNode[]> {
  for (const selectionSet of selections) {
    for (const selection of selectionSet.selections) {
      if (!included(walk, selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        fields.set(key, [...(fields.get(key) ?? []), selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(walk, type, selection.typeCondition?.name.value)) {
          collect(walk, type, [selection.selectionSet], fields, visited);
        }
      } else {
        const name = selection.name.value;
        const fragment = walk.fragments[name];
        if (!fragment || visited.has(name)) continue;
        visited.add(name);
        if (applies(walk, type, fragment.typeCondition.name.value)) {
          collect(walk, type, [fragment.selectionSet], fields, visited);
        }
      }
    }
  }
  return fields;
}

function included(walk: Walk, node: { directives?: readonly unknown[] | undefined }): boolean {
  const directed = node as Parameters<typeof getDirectiveValues>[1];
  if (directed.directives?.length && hasVariable(directed)) walk.variable = true;
  if (getDirectiveValues(GraphQLSkipDirective, directed, walk.variables)?.['if'] === true) {
    return false;
  }
  return getDirectiveValues(GraphQLIncludeDirective, directed, walk.variables)?.['if'] !== false;
}

/** Whether a field's arguments (or a node's directives) name a variable anywhere. */
function hasVariable(node: object): boolean {
  let found = false;
  // Its own arguments and directives only: not the fields selected below it.
  const { selectionSet: _children, ...own } = node as { selectionSet?: unknown };
  visit(own as unknown as ASTNode, {
    Variable() {
      found = true;
      return BREAK;
    },
  });
  return found;
}

function applies(walk: Walk, type: GraphQLObjectType, condition: string | undefined): boolean {
  if (!condition || condition === type.name) return true;
  const named = walk.schema.getType(condition);
  return named !== undefined && isAbstractType(named) && walk.schema.isSubType(named, type);
}

function argumentsOf(
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variables: Record<string, unknown>,
): Record<string, unknown> {
  try {
    return getArgumentValues(field, node, variables);
  } catch {
    // An argument execution will refuse anyway: nothing it could cost.
    return {};
  }
}

function declaredValue(
  declared: number | ((args: Record<string, unknown>) => number) | undefined,
  args: Record<string, unknown>,
  fallback: number,
): number {
  if (declared === undefined) return fallback;
  const value = typeof declared === 'function' ? declared(args) : declared;
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}
