import { describe, expect, it } from 'vitest';
import { envelope, syncId } from '../fixtures/status.js';
import { expectPollingStopped, round, startLive } from '../utils/live.js';
import { metric, untilMetric } from '../utils/metrics.js';
import { SUB_CHANGES, SUB_COUNT } from '../utils/operations.js';
import { countEvent, parsedEvent, sseInit, sseStream } from '../utils/sse.js';
import { until } from '../utils/wait.js';

// Subscriptions over Server-Sent Events, in process (yoga.fetch); over a real port: sse.e2e.test.ts.

describe('SSE through yoga.fetch', () => {
  it('works over GET too (EventSource-style), with the operation in the query string', async () => {
    const { t } = await startLive();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 5 }));
    const url = new URL('http://gateway.test/graphql');
    url.searchParams.set('query', SUB_COUNT);
    url.searchParams.set('variables', JSON.stringify({ id }));
    const response = await t.app.yoga.fetch(url, { headers: { accept: 'text/event-stream' } });
    const reader = sseStream(response);
    expect(parsedEvent(await reader.next())).toEqual(countEvent(id, 5));
    expect(t.sim.statusCalls()).toBe(1);
  });

  for (const method of ['GET', 'POST']) {
    it(`a ${method} subscription with an Accept that cannot stream it: 406, and nothing keeps watching`, async () => {
      const { t, scheduler } = await startLive();
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
      await untilMetric(t, 'gateway_active_pollers', 0);
      expect(await metric(t, 'gateway_active_subscriptions')).toBe(0);
      expect(scheduler.pending()).toEqual([]);
      // No poll timer is left: advancing fires nothing. The fetch for the first event may still
      // be on its way; once it has arrived, nothing else can call.
      expect(scheduler.advance(120_000)).toBe(0);
      await until(() => t.sim.statusCalls() >= 1, 5000, 'the first look upstream');
      expect(t.sim.statusCalls()).toBe(1);
    });
  }

  it('streams the first event, then each change; cancelling stops the poller', async () => {
    const live = await startLive();
    const { t } = live;
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const response = await t.app.yoga.fetch(
      'http://gateway.test/graphql',
      sseInit(SUB_COUNT, { id }),
    );
    const reader = sseStream(response);

    expect(parsedEvent(await reader.next())).toEqual(countEvent(id, 1));
    expect(t.sim.statusCalls()).toBe(1);

    // Unchanged, then changed: exactly one more event.
    await round(live, 2, 1);
    t.sim.setStatus(id, envelope({ recordCount: 2 }));
    await round(live, 3, 1);
    expect(parsedEvent(await reader.next())).toEqual(countEvent(id, 2));
    expect(await metric(t, 'gateway_active_subscriptions')).toBe(1);

    await reader.cancel();
    await expectPollingStopped(live, 60_000);
    expect(t.sim.statusCalls()).toBe(3);
  });

  it('sends a NOT_FOUND event and ends the stream when the sync disappears', async () => {
    const { t, scheduler } = await startLive();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const response = await t.app.yoga.fetch(
      'http://gateway.test/graphql',
      sseInit(SUB_COUNT, { id }),
    );
    const reader = sseStream(response);
    expect(parsedEvent(await reader.next())).toEqual(countEvent(id, 1));

    t.sim.inject({ kind: 'status', status: 404 }, { syncId: id, times: 1 });
    scheduler.advance(3000);
    const notFound = parsedEvent(await reader.next());
    expect(notFound?.event).toBe('next');
    expect(notFound?.payload.data).toBeNull();
    expect(notFound?.payload.errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await reader.next())?.event).toBe('complete');
    expect(await reader.next()).toBeUndefined();
    expect(scheduler.pending()).toEqual([]);
  });

  it('an SSE and a second SSE subscriber of one sync share one poller', async () => {
    const live = await startLive();
    const { t } = live;
    const ids = [syncId(1), syncId(2)];
    for (const id of ids) t.sim.addSync(id, envelope({ recordCount: 0 }));
    const one = sseStream(
      await t.app.yoga.fetch('http://gateway.test/graphql', sseInit(SUB_COUNT, { id: ids[0] })),
    );
    const many = sseStream(
      await t.app.yoga.fetch('http://gateway.test/graphql', sseInit(SUB_CHANGES, { ids })),
    );
    expect(parsedEvent(await one.next())?.event).toBe('next');
    const initial = [parsedEvent(await many.next()), parsedEvent(await many.next())];
    expect(initial.map((e) => e?.payload.data.bulkSyncChanges.id).sort()).toEqual(ids);
    expect(t.sim.statusCalls()).toBe(2);

    t.sim.setStatus(ids[0] as string, envelope({ recordCount: 4 }));
    await round(live, 4, 2);
    expect(parsedEvent(await one.next())).toEqual(countEvent(ids[0] as string, 4));
    const changed = parsedEvent(await many.next());
    expect(changed?.payload.data.bulkSyncChanges).toEqual({
      id: ids[0],
      status: { currentExecution: { status: 'RUNNING', recordCount: 4 } },
    });
  });
});
