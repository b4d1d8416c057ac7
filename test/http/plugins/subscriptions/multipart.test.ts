import type { ExecutionResult } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  multipartResponse,
  prefersMultipartSubscription,
} from '../../../../src/http/plugins/subscriptions/multipart.js';

// The processor alone, on a stream the test drives and fake timers; over a real port with the
// gateway and Apollo Client: test/live/multipart.e2e.test.ts.

const DELIMITER = '\r\n--graphql';
const HEAD = '\r\ncontent-type: application/json\r\n\r\n';
const HEARTBEAT = `${HEAD}{}${DELIMITER}`;
const HEARTBEAT_MS = 5000;

type FetchAPI = Parameters<typeof multipartResponse>[1];
const fetchAPI = globalThis as unknown as FetchAPI;

/** A subscription's result stream, each step decided by the test (kept until asked for). */
function stream() {
  type Step = { ok: IteratorResult<ExecutionResult> } | { error: unknown };
  const steps: Step[] = [];
  const waiting: ((step: Step) => void)[] = [];
  let returned = 0;
  const settle = (step: Step) =>
    'ok' in step ? Promise.resolve(step.ok) : Promise.reject(step.error);
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    next: () => {
      const step = steps.shift();
      if (step) return settle(step);
      return new Promise<Step>((resolve) => waiting.push(resolve)).then(settle);
    },
    return: async () => {
      returned += 1;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  const add = (step: Step) => {
    const taker = waiting.shift();
    if (taker) taker(step);
    else steps.push(step);
  };
  return {
    iterator,
    push: (value: ExecutionResult) => add({ ok: { done: false, value } }),
    end: () => add({ ok: { done: true, value: undefined } }),
    fail: (error: unknown) => add({ error }),
    returned: () => returned,
  };
}

/** Reads the body one write at a time, as text. */
function writes(response: Response) {
  if (!response.body) throw new Error('no body');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  return {
    async next(): Promise<string | undefined> {
      const chunk = await reader.read();
      return chunk.done ? undefined : decoder.decode(chunk.value);
    },
    cancel: () => reader.cancel(),
  };
}

describe('prefersMultipartSubscription', () => {
  it.each([
    [
      'multipart/mixed;boundary=graphql;subscriptionSpec=1.0,application/graphql-response+json,application/json;q=0.9',
      true,
    ],
    ['multipart/mixed;subscriptionSpec="1.0", application/json', true],
    ['multipart/mixed; boundary="graphql"; subscriptionSpec="1.0", application/json', true],
    ['Multipart/Mixed;SubscriptionSpec=1.0', true],
    ['multipart/mixed;subscriptionSpec=1.0, text/event-stream', true],
    ['text/event-stream;q=0.5, multipart/mixed;subscriptionSpec=1.0', true],
    ['text/event-stream, multipart/mixed;subscriptionSpec=1.0', false],
    ['multipart/mixed;subscriptionSpec=1.0;q=0.5, text/event-stream', false],
    ['multipart/mixed;subscriptionSpec=1.0;q=0', false],
    ['multipart/mixed', false],
    ['multipart/mixed;deferSpec=20220824, application/json', false],
    ['multipart/mixed;subscriptionSpec=2.0', false],
    ['application/json', false],
    ['*/*', false],
  ])('%s: %s', (accept, expected) => {
    expect(prefersMultipartSubscription(accept)).toBe(expected);
  });
});

describe('multipartResponse', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('heartbeats only after HEARTBEAT_MS without a part; cancelling returns the stream and leaves no timer', async () => {
    const source = stream();
    const response = multipartResponse(source.iterator, fetchAPI, HEARTBEAT_MS);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(
      'multipart/mixed;boundary="graphql";subscriptionSpec=1.0',
    );
    const body = writes(response);
    expect(await body.next()).toBe(DELIMITER);

    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(await body.next()).toBe(HEARTBEAT);

    source.push({ data: { n: 1 } });
    expect(await body.next()).toBe(`${HEAD}{"payload":{"data":{"n":1}}}${DELIMITER}`);
    // A part restarts the idle time: 1 ms short of it, the next write is the next result.
    vi.advanceTimersByTime(HEARTBEAT_MS - 1);
    source.push({ data: { n: 2 } });
    expect(await body.next()).toBe(`${HEAD}{"payload":{"data":{"n":2}}}${DELIMITER}`);
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(await body.next()).toBe(HEARTBEAT);

    expect(vi.getTimerCount()).toBe(1);
    await body.cancel();
    expect(source.returned()).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends with the closing boundary when the stream completes, and leaves no timer', async () => {
    const source = stream();
    const body = writes(multipartResponse(source.iterator, fetchAPI, HEARTBEAT_MS));
    expect(await body.next()).toBe(DELIMITER);
    source.end();
    expect(await body.next()).toBe('--\r\n');
    expect(await body.next()).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("keeps a result's GraphQL errors in its payload, without yoga's internal extensions", async () => {
    const source = stream();
    const body = writes(multipartResponse(source.iterator, fetchAPI, HEARTBEAT_MS));
    await body.next();
    source.push({
      data: null,
      errors: [
        createGraphQLError('Bulk sync x was not found.', {
          path: ['bulkSync'],
          extensions: { code: 'NOT_FOUND', http: { status: 404 } },
        }),
      ],
      extensions: { http: { status: 404 } },
    });
    expect(await body.next()).toBe(
      `${HEAD}{"payload":{"data":null,"errors":[{"message":"Bulk sync x was not found.","path":["bulkSync"],"extensions":{"code":"NOT_FOUND"}}]}}${DELIMITER}`,
    );
  });

  it('an error of the stream itself: {"payload": null, "errors": [...]}, then the close', async () => {
    for (const [thrown, sent] of [
      [new Error('at /secret/path.ts:1'), '{"message":"Unexpected error."}'],
      [
        createGraphQLError('Unexpected error.', {
          extensions: { code: 'INTERNAL_SERVER_ERROR', unexpected: true },
        }),
        '{"message":"Unexpected error.","extensions":{"code":"INTERNAL_SERVER_ERROR"}}',
      ],
    ] as const) {
      const source = stream();
      const body = writes(multipartResponse(source.iterator, fetchAPI, HEARTBEAT_MS));
      await body.next();
      source.fail(thrown);
      expect(await body.next()).toBe(
        `${HEAD}{"payload":null,"errors":[${sent}]}${DELIMITER}--\r\n`,
      );
      expect(await body.next()).toBeUndefined();
      expect(vi.getTimerCount()).toBe(0);
    }
  });

  it('a single result (a subscription refused before it started) is one payload, then the close', async () => {
    const body = writes(
      multipartResponse({ errors: [createGraphQLError('No.')] }, fetchAPI, HEARTBEAT_MS),
    );
    expect(await body.next()).toBe(DELIMITER);
    expect(await body.next()).toBe(`${HEAD}{"payload":{"errors":[{"message":"No."}]}}${DELIMITER}`);
    expect(await body.next()).toBe('--\r\n');
    expect(await body.next()).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });
});
