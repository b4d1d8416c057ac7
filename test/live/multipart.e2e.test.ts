import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import type { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { envelope, syncId } from '../fixtures/status.js';
import { leftover } from '../utils/leftovers.js';
import { expectPollingStopped, type LiveTest, round } from '../utils/live.js';
import { createManualScheduler } from '../utils/manual-scheduler.js';
import { metric } from '../utils/metrics.js';
import { SUB_CHANGES, SUB_COUNT } from '../utils/operations.js';
import { startTestApp } from '../utils/test-app.js';

// Subscriptions over HTTP in Apollo's multipart protocol (Apollo Client's HttpLink default),
// over a real port: the real Apollo Client 4, and the bytes on the wire.

/** What Apollo Client 4.3's HttpLink sends as Accept for a subscription (and nothing else). */
const APOLLO_ACCEPT =
  'multipart/mixed;boundary=graphql;subscriptionSpec=1.0,application/graphql-response+json,application/json;q=0.9';
const CONTENT_TYPE = 'multipart/mixed;boundary="graphql";subscriptionSpec=1.0';
/** The boundary delimiter, and the headers that open every part. */
const DELIMITER = '\r\n--graphql';
const HEAD = '\r\ncontent-type: application/json\r\n\r\n';
const HEARTBEAT = `${HEAD}{}${DELIMITER}`;
/** What turns the last delimiter into the closing one. */
const CLOSE = '--\r\n';

/** A live test app listening on a port; multipart heartbeats every `heartbeatMs` of real time. */
async function startMultipart(
  env: Record<string, string | undefined> = {},
  heartbeatMs = 3_600_000,
): Promise<LiveTest & { url: string }> {
  const scheduler = createManualScheduler();
  const t = await startTestApp(env, { scheduler, multipartHeartbeatMs: heartbeatMs });
  return { t, scheduler, url: await t.app.start() };
}

/** A POST as Apollo Client sends it. */
function multipartInit(
  query: string,
  variables: Record<string, unknown>,
  accept = APOLLO_ACCEPT,
): RequestInit {
  return {
    method: 'POST',
    headers: { accept, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  };
}

/**
 * Reads a multipart body segment by segment, each as sent: the opening delimiter, then each part
 * with the delimiter after it, then `--\r\n`; undefined once the body has ended. Cancelled with
 * the leftovers.
 */
function multipartReader(response: Response) {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe(CONTENT_TYPE);
  if (!response.body) throw new Error('no body');
  const reader = response.body.getReader();
  leftover('multipart reader', () => reader.cancel().catch(() => {}));
  const decoder = new TextDecoder();
  let text = '';
  let ended = false;
  const segment = async (): Promise<string | undefined> => {
    for (;;) {
      if (text.startsWith(CLOSE)) {
        text = text.slice(CLOSE.length);
        return CLOSE;
      }
      const end = text.indexOf(DELIMITER);
      if (end >= 0) {
        const next = text.slice(0, end + DELIMITER.length);
        text = text.slice(next.length);
        return next;
      }
      if (ended) {
        if (text) throw new Error(`the body ended inside a part: ${JSON.stringify(text)}`);
        return undefined;
      }
      const chunk = await reader.read();
      if (chunk.done) ended = true;
      else text += decoder.decode(chunk.value, { stream: true });
    }
  };
  return {
    segment,
    /** The next part that is no heartbeat, its JSON parsed. */
    async payload(): Promise<unknown> {
      for (;;) {
        const next = await segment();
        if (next === undefined || next === CLOSE) throw new Error(`no payload: ${next}`);
        if (next !== HEARTBEAT) return JSON.parse(next.slice(HEAD.length, -DELIMITER.length));
      }
    },
    cancel: () => reader.cancel(),
  };
}

/** A part's text for `result`, as the gateway writes it. */
const part = (result: unknown) => `${HEAD}${JSON.stringify({ payload: result })}${DELIMITER}`;

/** What SUB_COUNT's result for `id` at `recordCount` is. */
const countResult = (id: string, recordCount: number) => ({
  data: { bulkSync: { id, status: { currentExecution: { recordCount } } } },
});

/** The values an rxjs Observable emits, one at a time; unsubscribed with the leftovers. */
function observe<T>(observable: Observable<T>) {
  const values: (T | { completed: true } | { failed: unknown })[] = [];
  const waiting: (() => void)[] = [];
  const push = (value: (typeof values)[number]) => {
    values.push(value);
    waiting.shift()?.();
  };
  const subscription = observable.subscribe({
    next: (value) => push(value),
    complete: () => push({ completed: true }),
    error: (error: unknown) => push({ failed: error }),
  });
  leftover('Apollo subscription', () => subscription.unsubscribe());
  return {
    async next() {
      if (values.length === 0) await new Promise<void>((resolve) => waiting.push(resolve));
      return values.shift();
    },
    unsubscribe: () => subscription.unsubscribe(),
  };
}

/** Apollo Client over HttpLink alone, on global fetch; `accepts` gets each request's Accept. */
function apolloClient(url: string, accepts: (string | null)[] = []) {
  const client = new ApolloClient({
    link: new HttpLink({
      uri: `${url}/graphql`,
      fetch: (input, init) => {
        accepts.push(new Headers(init?.headers).get('accept'));
        return fetch(input, init);
      },
    }),
    cache: new InMemoryCache(),
  });
  leftover('Apollo client', () => client.stop());
  return client;
}

const CHANGES = gql(SUB_CHANGES);

describe('Apollo Client 4 over HTTP (multipart subscriptions)', () => {
  it('receives the first event, then a change; unsubscribing stops the poller', async () => {
    const live = await startMultipart();
    const { t, url } = live;
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const accepts: (string | null)[] = [];
    const client = apolloClient(url, accepts);
    const events = observe(client.subscribe({ query: CHANGES, variables: { ids: [id] } }));
    const event = (recordCount: number) => ({
      data: {
        bulkSyncChanges: {
          __typename: 'BulkSync',
          id,
          status: {
            __typename: 'BulkSyncStatus',
            currentExecution: { __typename: 'Execution', status: 'RUNNING', recordCount },
          },
        },
      },
    });

    expect(await events.next()).toEqual(event(1));
    expect(accepts).toEqual([APOLLO_ACCEPT]);
    expect(t.sim.statusCalls()).toBe(1);
    expect(await metric(t, 'gateway_active_subscriptions')).toBe(1);
    expect(await metric(t, 'gateway_active_pollers')).toBe(1);

    t.sim.setStatus(id, envelope({ recordCount: 2 }));
    await round(live, 2, 1);
    expect(await events.next()).toEqual(event(2));

    events.unsubscribe();
    await expectPollingStopped(live, 60_000);
    expect(t.sim.statusCalls()).toBe(2);
  });

  it('bad input: the contract code, no upstream call, and the subscription ends', async () => {
    const { t, url } = await startMultipart({ MAX_IDS_PER_REQUEST: '2' });
    const client = apolloClient(url);
    const ids = [syncId(1), syncId(2), syncId(3)];
    for (const id of ids) t.sim.addSync(id, envelope());

    const refusals: [string[], string, Record<string, unknown>][] = [
      [ids, 'ids may hold at most 2 ids; got 3.', { code: 'BAD_USER_INPUT' }],
      [
        ['not-a-uuid'],
        '"not-a-uuid" is not a bulk sync id (a UUID).',
        { code: 'BAD_USER_INPUT', argumentValue: 'not-a-uuid' },
      ],
    ];
    for (const [asked, message, extensions] of refusals) {
      const events = observe(client.subscribe({ query: CHANGES, variables: { ids: asked } }));
      const refused = (await events.next()) as { error?: { errors?: unknown[] } };
      expect(refused.error?.errors).toEqual([
        // Apollo Client sends the document as it prints it.
        { message, locations: [{ line: 2, column: 3 }], path: ['bulkSyncChanges'], extensions },
      ]);
      expect(await events.next()).toEqual({ completed: true });
    }
    expect(t.sim.requests).toEqual([]);
    expect(await metric(t, 'gateway_active_subscriptions')).toBe(0);
  });

  it('a query sent with the multipart Accept gets its JSON answer', async () => {
    const { t, url } = await startMultipart();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 7 }));
    const response = await fetch(
      `${url}/graphql`,
      multipartInit(
        'query ($id: ID!) { bulkSync(id: $id) { id status { currentExecution { recordCount } } } }',
        { id },
      ),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(
      'application/graphql-response+json; charset=utf-8',
    );
    expect(await response.json()).toEqual(countResult(id, 7));
    expect(t.sim.statusCalls()).toBe(1);
  });
});

describe('the multipart wire', () => {
  it('headers, each part byte-exact, only changed results, and the closing boundary when the sync is gone', async () => {
    const live = await startMultipart();
    const { t, scheduler, url } = live;
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const response = await fetch(`${url}/graphql`, multipartInit(SUB_COUNT, { id }));
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const body = multipartReader(response);

    expect(await body.segment()).toBe(DELIMITER);
    expect(await body.segment()).toBe(
      `${HEAD}{"payload":{"data":{"bulkSync":{"id":"${id}","status":{"currentExecution":{"recordCount":1}}}}}}${DELIMITER}`,
    );
    // An unchanged poll sends nothing; the change after it is the next part.
    await round(live, 2, 1);
    t.sim.setStatus(id, envelope({ recordCount: 2 }));
    await round(live, 3, 1);
    expect(await body.segment()).toBe(part(countResult(id, 2)));

    t.sim.inject({ kind: 'status', status: 404 }, { syncId: id, times: 1 });
    scheduler.advance(3000);
    const gone = await body.segment();
    expect(JSON.parse(gone?.slice(HEAD.length, -DELIMITER.length) ?? '')).toEqual({
      payload: {
        data: null,
        errors: [
          {
            message: `Bulk sync ${id} was not found.`,
            locations: [{ line: 3, column: 5 }],
            path: ['bulkSync'],
            extensions: { code: 'NOT_FOUND', syncId: id },
          },
        ],
      },
    });
    expect(await body.segment()).toBe(CLOSE);
    expect(await body.segment()).toBeUndefined();
    expect(scheduler.pending()).toEqual([]);
    expect(await metric(t, 'gateway_active_subscriptions')).toBe(0);
    expect(t.sim.statusCalls()).toBe(4);
  });

  it('sends a heartbeat part {} while idle, then the next change', async () => {
    const live = await startMultipart({}, 20);
    const { t, url } = live;
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const body = multipartReader(await fetch(`${url}/graphql`, multipartInit(SUB_COUNT, { id })));
    expect(await body.segment()).toBe(DELIMITER);
    // Heartbeats may come before it too, if the first upstream call takes 20 ms.
    expect(await body.payload()).toEqual({ payload: countResult(id, 1) });
    expect(await body.segment()).toBe(HEARTBEAT);
    expect(await body.segment()).toBe(HEARTBEAT);

    t.sim.setStatus(id, envelope({ recordCount: 2 }));
    await round(live, 2, 1);
    expect(await body.payload()).toEqual({ payload: countResult(id, 2) });

    await body.cancel();
    await expectPollingStopped(live, 60_000);
    expect(t.sim.statusCalls()).toBe(2);
  });

  it('an Accept naming only the multipart protocol: a refused subscription is one payload, then the close', async () => {
    const { t, url } = await startMultipart();
    const response = await fetch(
      `${url}/graphql`,
      multipartInit(SUB_COUNT, { id: 'nope' }, 'multipart/mixed;subscriptionSpec="1.0"'),
    );
    const body = multipartReader(response);
    expect(await body.segment()).toBe(DELIMITER);
    expect(await body.segment()).toBe(
      part({
        errors: [
          {
            message: '"nope" is not a bulk sync id (a UUID).',
            locations: [{ line: 3, column: 5 }],
            path: ['bulkSync'],
            extensions: { code: 'BAD_USER_INPUT', argumentValue: 'nope' },
          },
        ],
      }),
    );
    expect(await body.segment()).toBe(CLOSE);
    expect(await body.segment()).toBeUndefined();
    expect(t.sim.requests).toEqual([]);
  });

  it('a graceful stop ends an open stream with the closing boundary', async () => {
    const { t, scheduler, url } = await startMultipart();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const body = multipartReader(await fetch(`${url}/graphql`, multipartInit(SUB_COUNT, { id })));
    expect(await body.segment()).toBe(DELIMITER);
    expect(await body.payload()).toEqual({ payload: countResult(id, 1) });

    await t.app.stop();
    expect(await body.segment()).toBe(CLOSE);
    expect(await body.segment()).toBeUndefined();
    expect(scheduler.pending()).toEqual([]);
    expect(t.sim.statusCalls()).toBe(1);
  });
});
