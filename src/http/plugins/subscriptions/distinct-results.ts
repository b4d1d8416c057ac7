import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../../../context.js';
import type { LiveEvent } from '../../../datasources/live/events.js';

/** Hooks for subscription metrics. */
export interface SubscriptionHooks {
  onOpen?: () => void;
  onClose?: () => void;
  onSent?: () => void;
}

/**
 * Sends a subscription result only when it differs from the last one sent for the same sync.
 * Pollers publish whenever anything in a status changes; this makes each subscriber see only
 * changes to what it selected (a client selecting `currentExecution { status }` hears nothing
 * while only `recordCount` moves). Results are compared as serialised JSON, per sync. Applies to
 * WebSocket and SSE alike, since both run through yoga's envelop pipeline.
 *
 * Which sync a result is about is this plugin's own per-operation state: it wraps the
 * operation's `watch` so that each event the subscription's stream yields is noted before the
 * result made from it comes out (results are made one event at a time, in order).
 */
export function useDistinctResults(hooks: SubscriptionHooks = {}): Plugin<Context> {
  return {
    onSubscribe({ args, extendContext }) {
      const current = { syncId: '' };
      const { watch } = args.contextValue as Context;
      if (watch) {
        extendContext({
          watch: (syncIds: readonly string[]) =>
            noting(watch(syncIds), (event) => {
              current.syncId = event.syncId;
            }),
        });
      }
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(distinct(result, () => current.syncId, hooks));
        },
      };
    },
  };
}

/** `source`, telling `note` of each event as it is taken. */
function noting(
  source: AsyncIterableIterator<LiveEvent>,
  note: (event: LiveEvent) => void,
): AsyncIterableIterator<LiveEvent> {
  return {
    async next() {
      const step = await source.next();
      if (!step.done) note(step.value);
      return step;
    },
    return: () => source.return?.() ?? Promise.resolve({ done: true, value: undefined }),
    throw: (error?: unknown) => source.throw?.(error) ?? Promise.reject(error),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Filters repeats per key. Its `return()` reaches the source at once, so leaving stops polling. */
function distinct(
  source: AsyncIterable<ExecutionResult>,
  keyOf: () => string,
  hooks: SubscriptionHooks,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  const lastSent = new Map<string, string>();
  let open = true;
  hooks.onOpen?.();
  const close = async () => {
    if (open) {
      open = false;
      hooks.onClose?.();
      await iterator.return?.();
    }
  };
  return {
    async next() {
      for (;;) {
        let step: IteratorResult<ExecutionResult>;
        try {
          step = await iterator.next();
        } catch (error) {
          // A stream that throws has ended too: counted closed, whichever transport reads it.
          await close();
          throw error;
        }
        if (step.done) {
          await close();
          return step;
        }
        const key = keyOf();
        const json = JSON.stringify(step.value);
        if (lastSent.get(key) !== json) {
          lastSent.set(key, json);
          hooks.onSent?.();
          return step;
        }
      }
    },
    async return() {
      await close();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      await close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
