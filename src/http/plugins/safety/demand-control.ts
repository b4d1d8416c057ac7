import type { DocumentNode, ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { clientError, ErrorCode } from '../../../errors.js';
import { estimateUpstreamCalls } from '../../../schema/costs.js';

/**
 * Demand control: an operation whose estimated upstream calls exceed `max`
 * (MAX_UPSTREAM_CALLS_PER_OPERATION) is refused with BAD_USER_INPUT before any resolver runs, so
 * it costs no call. Lists multiply upstream work (ten aliases of a hundred ids are a thousand
 * calls in a shape of ten fields, which MAX_COST alone would let through); the estimate reads
 * the list arguments and variables, from the costs each field declares in the schema. A
 * subscription is estimated per event, when it subscribes.
 */
export function useDemandControl(max: number): Plugin {
  // By document and operation: one estimate when its variables cannot change it (most queries),
  // else one per set of variables.
  const known = new WeakMap<DocumentNode, PerDocument>();
  const estimate = (args: ExecutionArgs): number | undefined => {
    let document = known.get(args.document);
    if (!document) {
      document = { fixed: new Map() };
      known.set(args.document, document);
    }
    const operation = args.operationName ?? '';
    if (document.fixed.has(operation)) return document.fixed.get(operation);
    const key = inputKey(args);
    const remembered = key === undefined ? undefined : document.byInput?.get(key);
    if (remembered) return remembered.calls;
    const fresh = estimateUpstreamCalls(
      args.schema,
      args.document,
      args.operationName,
      args.variableValues,
    );
    if (fresh && !fresh.dependsOnVariables) document.fixed.set(operation, fresh.calls);
    else if (key !== undefined) {
      document.byInput ??= new LRUCache({ max: 64 });
      document.byInput.set(key, { calls: fresh?.calls });
    }
    return fresh?.calls;
  };
  const check = (
    args: ExecutionArgs,
    refuse: (result: { errors: ReturnType<typeof clientError>[] }) => void,
  ) => {
    const calls = estimate(args);
    if (calls === undefined || calls <= max) return;
    refuse({
      errors: [
        clientError(
          ErrorCode.BAD_USER_INPUT,
          `This operation could make ${calls} upstream calls; at most ${max} are allowed (MAX_UPSTREAM_CALLS_PER_OPERATION). Ask for fewer ids, smaller pages or fewer aliases.`,
          { upstreamCalls: calls, maxUpstreamCalls: max },
        ),
      ],
    });
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      check(args, setResultAndStopExecution);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      check(args, setResultAndStopExecution);
    },
  };
}

interface PerDocument {
  fixed: Map<string, number | undefined>;
  byInput?: LRUCache<string, { calls: number | undefined }>;
}

/** The operation name and variables as a cache key; undefined for variables JSON cannot write. */
function inputKey(args: ExecutionArgs): string | undefined {
  try {
    return `${args.operationName ?? ''}\n${JSON.stringify(args.variableValues ?? {})}`;
  } catch {
    return undefined;
  }
}
