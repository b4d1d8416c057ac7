import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { useDistinctResults } from '../../../../src/http/plugins/subscriptions/distinct-results.js';

/** The plugin's wrapping of one subscription's stream, as envelop would apply it. */
function wrapped(source: AsyncIterable<ExecutionResult>, counts: Record<string, number>) {
  const count = (name: string) => () => {
    counts[name] = (counts[name] ?? 0) + 1;
  };
  const plugin = useDistinctResults({
    onOpen: count('open'),
    onClose: count('close'),
    onSent: count('sent'),
  });
  const hooks = (plugin.onSubscribe as (payload: unknown) => unknown)({
    args: { contextValue: {} },
    extendContext: () => {},
  }) as { onSubscribeResult: (payload: unknown) => void };
  let result: AsyncIterable<ExecutionResult> | undefined;
  hooks.onSubscribeResult({
    result: source,
    setResult: (next: AsyncIterable<ExecutionResult>) => {
      result = next;
    },
  });
  return (result as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator]();
}

describe('distinct results', () => {
  it('counts a subscription closed when its stream throws, and passes the error on', async () => {
    const counts: Record<string, number> = {};
    async function* failing(): AsyncGenerator<ExecutionResult> {
      yield { data: { n: 1 } };
      throw new Error('the stream broke');
    }
    const iterator = wrapped(failing(), counts);
    expect(await iterator.next()).toEqual({ done: false, value: { data: { n: 1 } } });
    await expect(iterator.next()).rejects.toThrow('the stream broke');
    expect(counts).toEqual({ open: 1, sent: 1, close: 1 });
  });

  it('sends a repeat of the last result once, and counts the end once', async () => {
    const counts: Record<string, number> = {};
    async function* repeating(): AsyncGenerator<ExecutionResult> {
      yield { data: { n: 1 } };
      yield { data: { n: 1 } };
      yield { data: { n: 2 } };
    }
    const iterator = wrapped(repeating(), counts);
    const values: unknown[] = [];
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) {
      values.push(step.value);
    }
    expect(values).toEqual([{ data: { n: 1 } }, { data: { n: 2 } }]);
    expect(counts).toEqual({ open: 1, sent: 2, close: 1 });
  });
});
