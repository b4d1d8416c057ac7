import { afterEach, describe, expect, it } from 'vitest';
import { syncId } from '../utils/gateway-helpers.js';
import {
  envelope,
  type LiveTest,
  metric,
  round,
  type SseEvent,
  type SseReader,
  SUB_CHANGES,
  SUB_COUNT,
  settle,
  sseInit,
  sseReader,
  startLive,
  untilAsync,
} from '../utils/live-helpers.js';
import { until } from '../utils/manual-scheduler.js';

let live: LiveTest | undefined;
const readers: SseReader[] = [];

afterEach(async () => {
  await Promise.all(readers.splice(0).map((reader) => reader.cancel().catch(() => {})));
  await live?.t.close();
  live = undefined;
});

async function begin(env: Record<string, string | undefined> = {}) {
  live = await startLive(env);
  return { ...live, live };
}

function read(response: Response): SseReader {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  if (!response.body) throw new Error('no body');
  const reader = sseReader(response.body);
  readers.push(reader);
  return reader;
}

/** `{ event, payload }` of an SSE event, the data parsed as JSON when present. */
function parsed(event: SseEvent | undefined) {
  return event && { event: event.event, payload: event.data ? JSON.parse(event.data) : null };
}

const countEvent = (id: string, recordCount: number) => ({
  event: 'next',
  payload: {
    data: { bulkSync: { id, status: { currentExecution: { recordCount } } } },
  },
});

describe('SSE through yoga.fetch', () => {
  it('works over GET too (EventSource-style), with the operation in the query string', async () => {
    const { t } = await begin();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 5 }));
    const url = new URL('http://gateway.test/graphql');
    url.searchParams.set('query', SUB_COUNT);
    url.searchParams.set('variables', JSON.stringify({ id }));
    const response = await t.app.yoga.fetch(url, { headers: { accept: 'text/event-stream' } });
    const reader = read(response);
    expect(parsed(await reader.next())).toEqual(countEvent(id, 5));
    expect(t.sim.statusCalls()).toBe(1);
  });

  for (const method of ['GET', 'POST']) {
    it(`a ${method} subscription with an Accept that cannot stream it: 406, and nothing keeps watching`, async () => {
      const { t, scheduler } = await begin();
      const id = syncId(1);
      t.sim.addSync(id, envelope({ recordCount: 1 }));
      const url = new URL('http://gateway.test/graphql');
      const init: RequestInit = { method, headers: { accept: 'application/json' } };
      if (method === 'GET') {
        url.searchParams.set('query', SUB_COUNT);
        url.searchParams.set('variables', JSON.stringify({ id }));
      } else {
        init.headers = { accept: 'application/json', 'content-type': 'application/json' };
        init.body = JSON.stringify({ query: SUB_COUNT, variables: { id } });
      }
      const response = await t.app.yoga.fetch(url, init);
      expect(response.status).toBe(406);
      await response.body?.cancel();
      // The subscription was started (one fetch for its first event) and is closed at once.
      await untilAsync(async () => (await metric(t, 'gateway_active_pollers')) === 0);
      expect(await metric(t, 'gateway_active_subscriptions')).toBe(0);
      expect(scheduler.pending()).toEqual([]);
      scheduler.advance(120_000);
      await settle();
      expect(t.sim.statusCalls()).toBe(1);
    });
  }

  it('streams the first event, then each change; cancelling stops the poller', async () => {
    const { t, scheduler, live } = await begin();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const response = await t.app.yoga.fetch(
      'http://gateway.test/graphql',
      sseInit(SUB_COUNT, { id }),
    );
    const reader = read(response);

    expect(parsed(await reader.next())).toEqual(countEvent(id, 1));
    expect(t.sim.statusCalls()).toBe(1);

    // Unchanged, then changed: exactly one more event.
    await round(live, 2, 1);
    t.sim.setStatus(id, envelope({ recordCount: 2 }));
    await round(live, 3, 1);
    expect(parsed(await reader.next())).toEqual(countEvent(id, 2));
    expect(await metric(t, 'gateway_active_subscriptions')).toBe(1);

    await reader.cancel();
    await until(() => scheduler.pending().length === 0);
    await untilAsync(async () => (await metric(t, 'gateway_active_subscriptions')) === 0);
    expect(await metric(t, 'gateway_active_pollers')).toBe(0);
    scheduler.advance(60_000);
    await settle();
    expect(t.sim.statusCalls()).toBe(3);
  });

  it('sends a NOT_FOUND event and ends the stream when the sync disappears', async () => {
    const { t, scheduler } = await begin();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const response = await t.app.yoga.fetch(
      'http://gateway.test/graphql',
      sseInit(SUB_COUNT, { id }),
    );
    const reader = read(response);
    expect(parsed(await reader.next())).toEqual(countEvent(id, 1));

    t.sim.inject({ kind: 'status', status: 404 }, { syncId: id, times: 1 });
    scheduler.advance(3000);
    const notFound = parsed(await reader.next());
    expect(notFound?.event).toBe('next');
    expect(notFound?.payload.data).toBeNull();
    expect(notFound?.payload.errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await reader.next())?.event).toBe('complete');
    expect(await reader.next()).toBeUndefined();
    expect(scheduler.pending()).toEqual([]);
  });

  it('an SSE and a second SSE subscriber of one sync share one poller', async () => {
    const { t, live } = await begin();
    const ids = [syncId(1), syncId(2)];
    for (const id of ids) t.sim.addSync(id, envelope({ recordCount: 0 }));
    const one = read(
      await t.app.yoga.fetch('http://gateway.test/graphql', sseInit(SUB_COUNT, { id: ids[0] })),
    );
    const many = read(
      await t.app.yoga.fetch('http://gateway.test/graphql', sseInit(SUB_CHANGES, { ids })),
    );
    expect(parsed(await one.next())?.event).toBe('next');
    const initial = [parsed(await many.next()), parsed(await many.next())];
    expect(initial.map((e) => e?.payload.data.bulkSyncChanges.id).sort()).toEqual(ids);
    expect(t.sim.statusCalls()).toBe(2);

    t.sim.setStatus(ids[0] as string, envelope({ recordCount: 4 }));
    await round(live, 4, 2);
    expect(parsed(await one.next())).toEqual(countEvent(ids[0] as string, 4));
    const changed = parsed(await many.next());
    expect(changed?.payload.data.bulkSyncChanges).toEqual({
      id: ids[0],
      status: { currentExecution: { status: 'RUNNING', recordCount: 4 } },
    });
  });
});

describe('SSE over a real port', () => {
  it('streams with global fetch; closing the request stops the poller', async () => {
    const { t, scheduler, live } = await begin();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const url = await t.app.start();
    const abort = new AbortController();
    const response = await fetch(`${url}/graphql`, {
      ...sseInit(SUB_COUNT, { id }),
      signal: abort.signal,
    });
    const reader = read(response);
    expect(parsed(await reader.next())).toEqual(countEvent(id, 1));

    t.sim.setStatus(id, envelope({ recordCount: 2 }));
    await round(live, 2, 1);
    expect(parsed(await reader.next())).toEqual(countEvent(id, 2));

    abort.abort();
    await until(() => scheduler.pending().length === 0);
    await untilAsync(async () => (await metric(t, 'gateway_active_subscriptions')) === 0);
    expect(await metric(t, 'gateway_active_pollers')).toBe(0);
    scheduler.advance(60_000);
    await settle();
    expect(t.sim.statusCalls()).toBe(2);
  });

  it('cancelling the body reader (no abort) also stops the poller', async () => {
    const { t, scheduler } = await begin();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const url = await t.app.start();
    const reader = read(await fetch(`${url}/graphql`, sseInit(SUB_COUNT, { id })));
    expect(parsed(await reader.next())).toEqual(countEvent(id, 1));
    await reader.cancel();
    await until(() => scheduler.pending().length === 0);
    expect(await metric(t, 'gateway_active_pollers')).toBe(0);
  });

  it('refuses an SSE subscription without any credential (UNAUTHENTICATED, no upstream call)', async () => {
    const { t } = await begin({ POLYTOMIC_API_KEY: undefined });
    const id = syncId(1);
    t.sim.addSync(id, envelope());
    const url = await t.app.start();
    const reader = read(await fetch(`${url}/graphql`, sseInit(SUB_COUNT, { id })));
    const first = parsed(await reader.next());
    expect(first?.payload.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(t.sim.statusCalls()).toBe(0);
  });

  it('forwards the Authorization header of the SSE request', async () => {
    const { t } = await begin({ POLYTOMIC_API_KEY: undefined });
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const url = await t.app.start();
    const reader = read(
      await fetch(
        `${url}/graphql`,
        sseInit(SUB_COUNT, { id }, { authorization: 'Bearer sim_demo_key' }),
      ),
    );
    expect(parsed(await reader.next())).toEqual(countEvent(id, 1));
    expect(t.sim.requests.map((r) => r.headers['authorization'])).toEqual(['Bearer sim_demo_key']);
  });
});
