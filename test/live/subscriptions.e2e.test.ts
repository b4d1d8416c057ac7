import type { Client } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { SIM_SYNCS } from '../../tools/simulator/index.js';
import { envelope, syncId } from '../fixtures/status.js';
import { expectPollingStopped, IDLE_MS, ROUND_MS, round, startLiveGateway } from '../utils/live.js';
import { metric, untilMetric } from '../utils/metrics.js';
import { executionOf, idOf, SUB_CHANGES, SUB_COUNT, SUB_STATUS } from '../utils/operations.js';
import { until } from '../utils/wait.js';
import { ended, sentinel, watch } from '../utils/ws.js';

describe('one event per change of the selected data', () => {
  it('sends the first event at once and then only what each subscriber selected', async () => {
    const live = await startLiveGateway();
    const { t, scheduler, open } = live;
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 10 }));
    const client = open();

    const statusOnly = watch(client, SUB_STATUS, { id });
    const countOnly = watch(client, SUB_COUNT, { id });
    await until(() => statusOnly.events.length === 1 && countOnly.events.length === 1);
    expect(t.sim.statusCalls()).toBe(1);
    expect(scheduler.pending()).toHaveLength(1);
    expect(statusOnly.events[0]).toEqual({
      data: { bulkSync: { id, status: { currentExecution: { status: 'RUNNING' } } } },
    });
    expect(countOnly.events[0]).toEqual({
      data: { bulkSync: { id, status: { currentExecution: { recordCount: 10 } } } },
    });

    // Only recordCount moves: the recordCount subscriber hears it, the status one does not.
    t.sim.setStatus(id, envelope({ recordCount: 20 }));
    await round(live, 2, 1);
    await until(() => countOnly.events.length === 2);

    // Nothing moves: nobody hears anything.
    await round(live, 3, 1);

    // Only the status moves (still in progress, so the cadence stays short).
    t.sim.setStatus(id, envelope({ status: 'exporting', recordCount: 20 }));
    await round(live, 4, 1);
    await until(() => statusOnly.events.length === 2);
    // Both subscriptions share the client's socket: nothing more is on its way to either.
    await sentinel(client);

    expect(statusOnly.events.map(executionOf)).toEqual([
      { status: 'RUNNING' },
      { status: 'EXPORTING' },
    ]);
    expect(countOnly.events.map(executionOf)).toEqual([{ recordCount: 10 }, { recordCount: 20 }]);
    expect(t.sim.statusCalls()).toBe(4);
    expect(statusOnly.completed || countOnly.completed).toBe(false);
  });

  it('a late subscriber gets the latest status at once without another upstream call', async () => {
    const { t, open } = await startLiveGateway();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 3 }));
    const first = watch(open(), SUB_COUNT, { id });
    await until(() => first.events.length === 1);
    const late = watch(open(), SUB_COUNT, { id });
    await until(() => late.events.length === 1);
    expect(executionOf(late.events[0])).toEqual({ recordCount: 3 });
    expect(t.sim.statusCalls()).toBe(1);
  });
});

describe('one upstream poll per watched sync', () => {
  it('50 subscribers on 3 syncs cost exactly 3 upstream calls per interval', async () => {
    const live = await startLiveGateway();
    const { t, open } = live;
    const ids = [syncId(1), syncId(2), syncId(3)];
    for (const id of ids) t.sim.addSync(id, envelope({ recordCount: 0 }));
    // 10 connections × 5 subscriptions: well under MAX_SUBSCRIPTIONS_PER_CONNECTION (100).
    const connections = Array.from({ length: 10 }, () => open());
    const subscribers = Array.from({ length: 50 }, (_, i) => {
      const id = ids[i % 3] as string;
      return { id, w: watch(connections[i % 10] as Client, SUB_COUNT, { id }) };
    });

    await until(() => subscribers.every(({ w }) => w.events.length === 1));
    expect(t.sim.statusCalls()).toBe(3);
    for (const id of ids) expect(t.sim.statusCalls(id)).toBe(1);

    for (let r = 1; r <= 3; r++) {
      for (const id of ids) t.sim.setStatus(id, envelope({ recordCount: r }));
      await round(live, 3 + 3 * r, 3);
      await until(() => subscribers.every(({ w }) => w.events.length === r + 1));
      expect(t.sim.statusCalls()).toBe(3 + 3 * r);
      for (const id of ids) expect(t.sim.statusCalls(id)).toBe(1 + r);
    }

    for (const connection of connections) await sentinel(connection);
    for (const { id, w } of subscribers) {
      expect(w.events.map(idOf)).toEqual([id, id, id, id]);
      expect(w.events.map(executionOf)).toEqual([0, 1, 2, 3].map((n) => ({ recordCount: n })));
    }
  });
});

describe('leaving', () => {
  it('keeps the poller while one subscriber stays; the last one out stops polling', async () => {
    const live = await startLiveGateway();
    const { t, scheduler, open } = live;
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const leavesFirst = watch(open(), SUB_COUNT, { id });
    const stayClient = open();
    const stays = watch(stayClient, SUB_COUNT, { id });
    await until(() => leavesFirst.events.length === 1 && stays.events.length === 1);
    expect(await metric(t, 'gateway_active_subscriptions')).toBe(2);
    expect(await metric(t, 'gateway_active_pollers')).toBe(1);

    leavesFirst.stop();
    await untilMetric(t, 'gateway_active_subscriptions', 1);
    expect(scheduler.pending()).toHaveLength(1);
    expect(await metric(t, 'gateway_active_pollers')).toBe(1);

    t.sim.setStatus(id, envelope({ recordCount: 2 }));
    await round(live, 2, 1);
    await until(() => stays.events.length === 2);
    expect(executionOf(stays.events[1])).toEqual({ recordCount: 2 });
    expect(leavesFirst.events).toHaveLength(1);

    // The last subscriber leaves by closing its connection.
    await stayClient.dispose();
    await expectPollingStopped(live, IDLE_MS * 10);
    expect(t.sim.statusCalls()).toBe(2);
  });
});

describe('bulkSyncChanges', () => {
  it('sends each sync once on subscribe, then one event per changed sync', async () => {
    const live = await startLiveGateway();
    const { t, open } = live;
    const ids = [syncId(1), syncId(2), syncId(3)];
    for (const id of ids) t.sim.addSync(id, envelope({ recordCount: 0 }));
    const client = open();
    const w = watch(client, SUB_CHANGES, { ids });

    await until(() => w.events.length === 3);
    expect(t.sim.statusCalls()).toBe(3);
    expect(w.events.map(idOf).sort()).toEqual([...ids].sort());

    t.sim.setStatus(ids[1] as string, envelope({ recordCount: 5 }));
    await round(live, 6, 3);
    await until(() => w.events.length === 4);
    await sentinel(client);
    expect(w.events).toHaveLength(4);
    expect(idOf(w.events[3])).toBe(ids[1]);
    expect(executionOf(w.events[3])).toEqual({ status: 'RUNNING', recordCount: 5 });

    // No change: no event. Then two syncs change: two events, one each.
    await round(live, 9, 3);
    t.sim.setStatus(ids[0] as string, envelope({ recordCount: 7 }));
    t.sim.setStatus(ids[2] as string, envelope({ recordCount: 8 }));
    await round(live, 12, 3);
    await until(() => w.events.length === 6);
    await sentinel(client);
    expect(w.events).toHaveLength(6);
    expect(w.events.slice(4).map(idOf).sort()).toEqual([ids[0], ids[2]].sort());
    expect(w.completed).toBe(false);
  });

  it('answers ids in the case the client asked, one poller per sync', async () => {
    const { t, open } = await startLiveGateway();
    const upper = SIM_SYNCS.idle.toUpperCase();
    const client = open();
    const w = watch(client, SUB_CHANGES, { ids: [upper, SIM_SYNCS.idle] });
    await until(() => w.events.length === 1);
    await sentinel(client);
    expect(w.events.map(idOf)).toEqual([upper]);
    expect(t.sim.statusCalls()).toBe(1);
  });
});

describe('syncs that can no longer be watched', () => {
  it.each([
    [404, 'NOT_FOUND'],
    [401, 'UNAUTHENTICATED'],
    [403, 'FORBIDDEN'],
  ])('a %i mid-subscription sends one %s error event, then completes', async (status, code) => {
    expect.assertions(9);
    const { t, scheduler, open } = await startLiveGateway();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const w = watch(open(), SUB_COUNT, { id });
    await until(() => w.events.length === 1);

    t.sim.inject({ kind: 'status', status }, { syncId: id, times: 1 });
    scheduler.advance(ROUND_MS);
    await ended(w);

    expect(w.completed).toBe(true);
    expect(w.error).toBeUndefined();
    expect(w.events).toHaveLength(2);
    expect(w.events[1]?.data).toBeNull();
    expect(w.events[1]?.errors).toHaveLength(1);
    expect(w.events[1]?.errors?.[0]?.extensions).toEqual({ code, syncId: id });
    expect(scheduler.pending()).toEqual([]);
    // With no poll timer pending (just asserted), advancing fires nothing: no call can follow.
    scheduler.advance(IDLE_MS * 10);
    expect(t.sim.statusCalls()).toBe(2);
    expect(await metric(t, 'gateway_active_pollers')).toBe(0);
  });

  it('in bulkSyncChanges a 404 ends only that sync; the others keep streaming', async () => {
    const live = await startLiveGateway();
    const { t, open } = live;
    const ids = [syncId(1), syncId(2), syncId(3)];
    for (const id of ids) t.sim.addSync(id, envelope({ recordCount: 0 }));
    const [keeps, gone] = ids as [string, string, string];
    const client = open();
    const w = watch(client, SUB_CHANGES, { ids });
    await until(() => w.events.length === 3);

    t.sim.inject({ kind: 'status', status: 404 }, { syncId: gone, times: 1 });
    await round(live, 6, 2);
    await until(() => w.events.length === 4);
    const endEvent = w.events[3];
    expect(endEvent?.data).toBeNull();
    expect(endEvent?.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', syncId: gone });
    expect(endEvent?.errors?.[0]?.message).toContain(gone);
    expect(w.completed).toBe(false);

    t.sim.setStatus(keeps, envelope({ recordCount: 9 }));
    await round(live, 8, 2);
    await until(() => w.events.length === 5);
    await sentinel(client);
    expect(w.events).toHaveLength(5);
    expect(idOf(w.events[4])).toBe(keeps);
    expect(executionOf(w.events[4])).toEqual({ status: 'RUNNING', recordCount: 9 });
    expect(t.sim.statusCalls(gone)).toBe(2);
    expect(w.completed).toBe(false);
  });

  it('bulkSyncChanges completes once every sync has ended', async () => {
    const { t, scheduler, open } = await startLiveGateway();
    const ids = [syncId(1), syncId(2)];
    for (const id of ids) t.sim.addSync(id, envelope());
    const w = watch(open(), SUB_CHANGES, { ids });
    await until(() => w.events.length === 2);
    t.sim.inject({ kind: 'status', status: 404 }, { times: 2 });
    scheduler.advance(ROUND_MS);
    await ended(w);
    expect(w.completed).toBe(true);
    expect(w.events.slice(2).map((event) => event.errors?.[0]?.extensions)).toEqual(
      expect.arrayContaining(ids.map((id) => ({ code: 'NOT_FOUND', syncId: id }))),
    );
    expect(w.events).toHaveLength(4);
    expect(scheduler.pending()).toEqual([]);
  });
});
