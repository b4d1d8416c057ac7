import type { DocumentNode, ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { clientError, ErrorCode } from '../../../errors.js';
import { estimateUpstreamCalls } from '../../../schema/costs.js';

/**
 * Demand control: an operation whose estimated upstream calls exceed `max`
 * (MAX_UPSTREAM_CALLS_PER_OPERATION) is refused with BAD_USER_INPUT before any resolver runs, so
 * it costs no call. Lists multiply upstream work (ten aliases of a hundred ids are a thousand
 * calls while the static cost limit sees ten fields); the estimate reads the list arguments and
 * variables, from the costs each field declares in the schema. A subscription is estimated per
 * event, when it subscribes.
 */
export function useDemandControl(max: number): Plugin {
  // Estimates by document, then by operation name and variables: a known query costs a lookup.
  const known = new WeakMap<DocumentNode, LRUCache<string, { calls: number | undefined }>>();
  const estimate = (args: ExecutionArgs) => {
    let byInput = known.get(args.document);
    if (!byInput) {
      byInput = new LRUCache({ max: 64 });
      known.set(args.document, byInput);
    }
    const key = inputKey(args);
    let found = key === undefined ? undefined : byInput.get(key);
    if (!found) {
      found = {
        calls: estimateUpstreamCalls(
          args.schema,
          args.document,
          args.operationName,
          args.variableValues,
        ),
      };
      if (key !== undefined) byInput.set(key, found);
    }
    return found.calls;
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

/** The operation name and variables as a cache key; undefined for variables JSON cannot write. */
function inputKey(args: ExecutionArgs): string | undefined {
  try {
    return `${args.operationName ?? ''}\n${JSON.stringify(args.variableValues ?? {})}`;
  } catch {
    return undefined;
  }
}
