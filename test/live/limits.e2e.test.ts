import { describe, expect, it } from 'vitest';
import { envelope, syncId } from '../fixtures/status.js';
import { startLiveGateway } from '../utils/live.js';
import { metric, untilMetric } from '../utils/metrics.js';
import { codeOf, SUB_CHANGES, SUB_COUNT } from '../utils/operations.js';
import { until } from '../utils/wait.js';
import { ended, sentinel, watch } from '../utils/ws.js';

/** First error code of a subscription's `error` message (an array of GraphQL errors). */
function errorCodeOf(error: unknown): unknown {
  return (error as { extensions?: { code?: string } }[] | undefined)?.[0]?.extensions?.code;
}

describe('MAX_IDS_PER_REQUEST', () => {
  it('rejects more ids than allowed with BAD_USER_INPUT and no upstream call', async () => {
    expect.assertions(5);
    const { t, scheduler, open } = await startLiveGateway({ MAX_IDS_PER_REQUEST: '3' });
    const ids = [1, 2, 3, 4].map(syncId);
    for (const id of ids) t.sim.addSync(id, envelope());
    const w = watch(open(), SUB_CHANGES, { ids });
    await ended(w);
    expect(w.completed).toBe(true);
    expect(w.events).toHaveLength(1);
    expect(codeOf(w.events[0])).toBe('BAD_USER_INPUT');
    expect(t.sim.statusCalls()).toBe(0);
    expect(scheduler.pending()).toEqual([]);
  });

  it('accepts exactly MAX_IDS_PER_REQUEST ids', async () => {
    const { t, open } = await startLiveGateway({ MAX_IDS_PER_REQUEST: '3' });
    const ids = [1, 2, 3].map(syncId);
    for (const id of ids) t.sim.addSync(id, envelope());
    const w = watch(open(), SUB_CHANGES, { ids });
    await until(() => w.events.length === 3);
    expect(t.sim.statusCalls()).toBe(3);
  });
});

describe('MAX_SUBSCRIPTIONS_PER_CONNECTION', () => {
  it('refuses a third subscription on one connection; a freed slot can be reused', async () => {
    const { t, open } = await startLiveGateway({ MAX_SUBSCRIPTIONS_PER_CONNECTION: '2' });
    const ids = [1, 2, 3].map(syncId);
    for (const id of ids) t.sim.addSync(id, envelope());
    const client = open();
    // One at a time: each is running before the next is sent.
    const first = watch(client, SUB_COUNT, { id: ids[0] });
    await until(() => first.events.length === 1);
    const second = watch(client, SUB_COUNT, { id: ids[1] });
    await until(() => second.events.length === 1);

    const third = watch(client, SUB_COUNT, { id: ids[2] });
    await ended(third);
    expect(errorCodeOf(third.error)).toBe('BAD_USER_INPUT');
    expect(third.events).toEqual([]);
    expect(t.sim.statusCalls(ids[2])).toBe(0);

    // Another connection is not affected.
    const elsewhere = watch(open(), SUB_COUNT, { id: ids[2] });
    await until(() => elsewhere.events.length === 1);

    first.stop();
    await untilMetric(t, 'gateway_active_subscriptions', 2);
    const again = watch(client, SUB_COUNT, { id: ids[0] });
    await until(() => again.events.length === 1);
    expect(again.error).toBeUndefined();
    expect(second.completed).toBe(false);
  });

  it('refuses the third of three subscriptions sent at once on one connection', async () => {
    const { t, open } = await startLiveGateway({ MAX_SUBSCRIPTIONS_PER_CONNECTION: '2' });
    const ids = [1, 2, 3].map(syncId);
    for (const id of ids) t.sim.addSync(id, envelope());
    const client = open();
    // Sent back to back, before the server has finished the first onSubscribe.
    const all = ids.map((id) => watch(client, SUB_COUNT, { id }));
    await until(() => all.filter((w) => w.events.length === 1 || w.error).length === 3);
    await sentinel(client);
    expect(all.filter((w) => w.error !== undefined).map((w) => errorCodeOf(w.error))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(all.filter((w) => w.events.length === 1)).toHaveLength(2);
    expect(t.sim.statusCalls()).toBe(2);
  });
});

describe('MAX_POLLERS', () => {
  it('refuses a third distinct sync with UPSTREAM_UNAVAILABLE; joining a watched one is fine', async () => {
    const { t, scheduler, open } = await startLiveGateway({ MAX_POLLERS: '2' });
    const ids = [1, 2, 3].map(syncId);
    for (const id of ids) t.sim.addSync(id, envelope());
    const client = open();
    const a = watch(client, SUB_COUNT, { id: ids[0] });
    await until(() => a.events.length === 1);
    const b = watch(client, SUB_COUNT, { id: ids[1] });
    await until(() => b.events.length === 1);

    const refused = watch(client, SUB_COUNT, { id: ids[2] });
    await ended(refused);
    expect(refused.completed).toBe(true);
    expect(refused.events).toHaveLength(1);
    expect(codeOf(refused.events[0])).toBe('UPSTREAM_UNAVAILABLE');
    expect(t.sim.statusCalls(ids[2])).toBe(0);

    const joins = watch(open(), SUB_COUNT, { id: ids[0] });
    await until(() => joins.events.length === 1);
    expect(t.sim.statusCalls()).toBe(2);
    expect(scheduler.pending()).toHaveLength(2);
    expect(await metric(t, 'gateway_active_pollers')).toBe(2);
  });

  it('a bulkSyncChanges crossing the cap part-way is refused whole and leaves no poller', async () => {
    const { t, scheduler, open } = await startLiveGateway({ MAX_POLLERS: '2' });
    const ids = [1, 2, 3].map(syncId);
    for (const id of ids) t.sim.addSync(id, envelope());
    const kept = watch(open(), SUB_COUNT, { id: ids[0] });
    await until(() => kept.events.length === 1);

    // ids[1] fits under the cap, ids[2] does not: the whole subscription is refused.
    const bulk = watch(open(), SUB_CHANGES, { ids: [ids[1], ids[2]] });
    await ended(bulk);
    expect(bulk.events).toHaveLength(1);
    expect(codeOf(bulk.events[0])).toBe('UPSTREAM_UNAVAILABLE');
    expect(t.sim.statusCalls(ids[2])).toBe(0);
    await until(() => scheduler.pending().length === 1);
    expect(await metric(t, 'gateway_active_pollers')).toBe(1);
    expect(await metric(t, 'gateway_active_subscriptions')).toBe(1);

    // The freed slot is usable.
    const next = watch(open(), SUB_COUNT, { id: ids[2] });
    await until(() => next.events.length === 1);
    expect(kept.completed).toBe(false);
  });
});

describe('input errors over WebSocket', () => {
  it('carry only the contract code (none of yoga’s HTTP hints); a mutation of no field is one', async () => {
    const { t, open } = await startLiveGateway();
    const client = open();
    const syntax = watch(client, 'subscription { bulkSync(id: ', {});
    const missing = watch(client, SUB_COUNT, {});
    const mutation = watch(client, 'mutation { bulkSync }', {});
    await ended(syntax);
    await ended(missing);
    await ended(mutation);
    expect(mutation.error).toEqual([
      {
        message: 'Cannot query field "bulkSync" on type "Mutation".',
        locations: [{ line: 1, column: 12 }],
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
    expect(syntax.error).toEqual([
      {
        message: 'Syntax Error: Unexpected <EOF>.',
        locations: [{ line: 1, column: 29 }],
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
    expect(missing.events.map((event) => event.errors?.map((e) => e.extensions))).toEqual([
      [{ code: 'BAD_USER_INPUT' }],
    ]);
    expect(t.sim.statusCalls()).toBe(0);
  });
});
