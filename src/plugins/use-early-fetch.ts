import {
  type DocumentNode,
  getOperationAST,
  Kind,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { Context } from '../context.js';

/** Where a root field takes its sync ids from: a variable, or literals in the document. */
type IdSource = { variable: string } | { literal: string | string[] };

/** The ids of one operation's root `bulkSync(id:)` / `bulkSyncs(ids:)` fields, by source. */
interface Plan {
  sources: { source: IdSource; list: boolean }[];
}

/** Options of {@link useEarlyFetch}. */
export interface EarlyFetchOptions {
  /** Whether the resolvers would accept these ids (format, count) without an error. */
  acceptable: (ids: readonly string[], list: boolean) => boolean;
  /** Starts the calls for `ids`; the operation's loader will use what this returns. */
  start: (request: Request, ids: string[]) => void;
}

/**
 * Starts the upstream calls of a known query as soon as its parameters are read, so they run
 * while yoga parses, validates, builds the context and starts executing (~90 µs of a cache-off
 * query's critical path, measured in place; the p50 gained is 10–30 µs, see BENCHMARKS.md).
 * It only acts on what execution is
 * certain to fetch at once: an operation whose document already passed validation, its root
 * `bulkSync`/`bulkSyncs` fields without directives, and ids the resolvers will accept, so input
 * that will be refused still costs no upstream call. The calls are handed to that operation's
 * loader (see `start`), so execution makes no other call for those ids.
 */
export function useEarlyFetch(options: EarlyFetchOptions): Plugin<Context> {
  // Plans of documents that validated, by operation name and query text.
  const plans = new LRUCache<string, Plan>({ max: 1000 });
  const keyOf = (params: GraphQLParams) => `${params.operationName ?? ''}\n${params.query}`;

  return {
    onValidate({ params: { documentAST }, context }) {
      const { params } = context as { params?: GraphQLParams };
      if (!params?.query) return;
      const key = keyOf(params);
      if (plans.has(key)) return;
      return ({ valid }) => {
        if (!valid) return;
        const plan = planOf(documentAST, params.operationName);
        if (plan) plans.set(key, plan);
      };
    },
    onParams({ paramsHandler, setParamsHandler }) {
      // Wrapping the params handler runs this only when no plugin (the response cache) has
      // already answered, and just before parsing.
      setParamsHandler((payload) => {
        const plan = payload.params.query ? plans.get(keyOf(payload.params)) : undefined;
        const ids = plan && idsOf(plan, payload.params.variables ?? {}, options.acceptable);
        if (!ids?.length) return paramsHandler(payload);
        options.start(payload.request, ids);
        // undici writes a request to a reused keep-alive socket from a setImmediate, and what
        // follows here runs in this same task: yield once, so the calls are on the wire while
        // yoga parses, validates and builds the context, not after.
        return new Promise((resolve) => setImmediate(resolve)).then(() => paramsHandler(payload));
      });
    },
  };
}

/** The plan of a query whose root sync fields take their ids plainly; undefined otherwise. */
function planOf(document: DocumentNode, operationName?: string | null): Plan | undefined {
  const operation: OperationDefinitionNode | null | undefined = getOperationAST(
    document,
    operationName,
  );
  if (operation?.operation !== 'query') return undefined;
  const sources: Plan['sources'] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) continue;
    const list = selection.name.value === 'bulkSyncs';
    if (!list && selection.name.value !== 'bulkSync') continue;
    // @skip/@include may leave the field out: only fields that surely run are fetched early.
    if (selection.directives?.length) continue;
    const argument = selection.arguments?.find((a) => a.name.value === (list ? 'ids' : 'id'));
    const source = argument && sourceOf(argument.value);
    if (source) sources.push({ source, list });
  }
  return sources.length > 0 ? { sources } : undefined;
}

function sourceOf(value: ValueNode): IdSource | undefined {
  if (value.kind === Kind.VARIABLE) return { variable: value.name.value };
  if (value.kind === Kind.STRING) return { literal: value.value };
  if (value.kind === Kind.LIST && value.values.every((v) => v.kind === Kind.STRING)) {
    return { literal: value.values.map((v) => (v.kind === Kind.STRING ? v.value : '')) };
  }
  return undefined;
}

/** Every id the plan's fields will load, or undefined when any field would refuse its input. */
function idsOf(
  plan: Plan,
  variables: Record<string, unknown>,
  acceptable: EarlyFetchOptions['acceptable'],
): string[] | undefined {
  const ids: string[] = [];
  for (const { source, list } of plan.sources) {
    const value = 'variable' in source ? variables[source.variable] : source.literal;
    if (!list && typeof value !== 'string') return undefined;
    // GraphQL coerces a single value given for a list argument into a list of one.
    const given: unknown[] = Array.isArray(value) ? value : [value];
    if (!given.every((id): id is string => typeof id === 'string')) return undefined;
    if (!acceptable(given, list)) return undefined;
    ids.push(...given);
  }
  return ids;
}
