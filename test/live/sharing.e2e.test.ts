import type { Client, ExecutionResult } from 'graphql-ws';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { Member } from '../../src/http/plugins/subscriptions/member.js';
import { SIM_KEY, SIM_OTHER_KEY } from '../../tools/simulator/index.js';
import { envelope, syncId } from '../fixtures/status.js';
import { DEFAULTS } from '../utils/defaults.js';
import {
  expectPollingStopped,
  IDLE_MS,
  type LiveGateway,
  round,
  startLiveGateway,
} from '../utils/live.js';
import { metric, untilMetric } from '../utils/metrics.js';
import { SUB_CHANGES, SUB_COUNT, SUB_STATUS } from '../utils/operations.js';
import { parsedEvent, sseInit, sseStream } from '../utils/sse.js';
import { until } from '../utils/wait.js';
import { ended, sentinel, type Watch, watch } from '../utils/ws.js';

// Identical subscriptions (same document, variables and credential) share one execution per
// change: src/http/plugins/subscriptions/{groups,member,shared-results}.ts. The groups alone, on
// sources the test drives: test/http/plugins/subscriptions/groups.test.ts.

const EXECUTIONS = 'gateway_subscription_executions_total';
const EVENTS = 'gateway_subscription_events_total';
const ACTIVE = 'gateway_active_subscriptions';
const ERRORS_NOT_FOUND =
  'graphql_envelop_error_result{operationType="subscription",phase="execute",code="NOT_FOUND"}';

/** What `SUB_COUNT` sends for `id` at `recordCount`. */
const countData = (id: string, recordCount: number): ExecutionResult => ({
  data: { bulkSync: { id, status: { currentExecution: { recordCount } } } },
});

/** What `SUB_STATUS` sends for `id` at `status`. */
const statusData = (id: string, status: string): ExecutionResult => ({
  data: { bulkSync: { id, status: { currentExecution: { status } } } },
});

/** Counts the members that write their results straight to their WebSocket. */
function countDirectMembers() {
  const spy = vi.spyOn(Member.prototype, 'sendDirect');
  onTestFinished(() => spy.mockRestore());
  return () => spy.mock.calls.length;
}

/** The gateway's executions, events sent and status calls so far. */
async function counts(live: LiveGateway) {
  return {
    executions: await metric(live.t, EXECUTIONS),
    events: await metric(live.t, EVENTS),
    statusCalls: live.t.sim.statusCalls(),
  };
}

describe('one execution per change for identical subscriptions', () => {
  it('500 subscribers of one sync cost one execution and one status call per change', async () => {
    const live = await startLiveGateway();
    const { t, open } = live;
    const direct = countDirectMembers();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 10 }));
    // 5 connections × 100 subscriptions: MAX_SUBSCRIPTIONS_PER_CONNECTION each, well under
    // WS_MAX_SUBSCRIBES_PER_MINUTE.
    expect(DEFAULTS.websocket.maxSubscriptionsPerConnection).toBe(100);
    expect(DEFAULTS.websocket.maxSubscribesPerMinute).toBe(600);
    const clients = Array.from({ length: 5 }, () => open());
    const watches = clients.flatMap((client) =>
      Array.from({ length: 100 }, () => watch(client, SUB_COUNT, { id })),
    );
    await until(() => watches.every((w) => w.events.length === 1), 10_000, '500 first events');
    expect(await counts(live)).toEqual({ executions: 1, events: 500, statusCalls: 1 });
    expect(await metric(t, ACTIVE)).toBe(500);
    expect(await metric(t, 'gateway_active_pollers')).toBe(1);
    // Every WebSocket member writes the group's JSON straight to its socket.
    expect(direct()).toBe(500);

    t.sim.setStatus(id, envelope({ recordCount: 20 }));
    await round(live, 2, 1);
    await until(() => watches.every((w) => w.events.length === 2), 10_000, '500 second events');
    expect(await counts(live)).toEqual({ executions: 2, events: 1000, statusCalls: 2 });

    // Only the status moves, which no subscriber selected: executed once, sent to nobody.
    t.sim.setStatus(id, envelope({ status: 'exporting', recordCount: 20 }));
    await round(live, 3, 1);
    await untilMetric(t, EXECUTIONS, 3);
    // Each connection is full, so its sentinel is refused: an answer all the same, behind
    // anything already sent on that socket.
    for (const client of clients) await sentinel(client);
    expect(await counts(live)).toEqual({ executions: 3, events: 1000, statusCalls: 3 });
    for (const w of watches) {
      expect(w.events).toEqual([countData(id, 10), countData(id, 20)]);
      expect(w.completed).toBe(false);
      expect(w.error).toBeUndefined();
    }
  });
});

describe('credentials never share a group', () => {
  const NO_SERVICE_KEY = { POLYTOMIC_API_KEY: undefined };
  const DEMO = `Bearer ${SIM_KEY}`;
  const OTHER = `Bearer ${SIM_OTHER_KEY}`;

  it("a credential that may not see the sync gets its own NOT_FOUND, never the other's data", async () => {
    const live = await startLiveGateway(NO_SERVICE_KEY);
    const { t, open } = live;
    const id = syncId(1);
    // Only the all-seeing SIM_KEY sees the sync.
    t.sim.addSync(id, envelope({ recordCount: 7 }));
    const demoClient = open({ connectionParams: { authorization: DEMO } });
    const demo = watch(demoClient, SUB_COUNT, { id });
    await until(() => demo.events.length === 1);

    // Same document and variables once A's group has a result to replay: B must not get it.
    const other = watch(open({ connectionParams: { authorization: OTHER } }), SUB_COUNT, { id });
    await ended(other);
    expect(other.completed).toBe(true);
    expect(other.error).toBeUndefined();
    expect(other.events).toEqual([
      {
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
    ]);
    expect(await counts(live)).toEqual({ executions: 2, events: 2, statusCalls: 2 });
    expect(t.sim.requests.map((r) => r.headers['authorization'])).toEqual([DEMO, OTHER]);

    t.sim.setStatus(id, envelope({ recordCount: 8 }));
    await round(live, 3, 1);
    await until(() => demo.events.length === 2);
    await sentinel(demoClient);
    expect(demo.events).toEqual([countData(id, 7), countData(id, 8)]);
    expect(t.sim.requests.at(-1)?.headers['authorization']).toBe(DEMO);
    expect(await counts(live)).toEqual({ executions: 3, events: 3, statusCalls: 3 });
  });

  it('two credentials that both see the sync run two executions per change', async () => {
    const live = await startLiveGateway(NO_SERVICE_KEY);
    const { t, open } = live;
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }), { keys: [SIM_OTHER_KEY] });
    const demoClient = open({ connectionParams: { authorization: DEMO } });
    const otherClient = open({ connectionParams: { authorization: OTHER } });
    const demo = [watch(demoClient, SUB_COUNT, { id }), watch(demoClient, SUB_COUNT, { id })];
    const other = [watch(otherClient, SUB_COUNT, { id }), watch(otherClient, SUB_COUNT, { id })];
    const all = [...demo, ...other];
    await until(() => all.every((w) => w.events.length === 1));
    expect(await counts(live)).toEqual({ executions: 2, events: 4, statusCalls: 2 });
    expect(t.sim.requests.map((r) => r.headers['authorization']).sort()).toEqual([DEMO, OTHER]);

    t.sim.setStatus(id, envelope({ recordCount: 2 }));
    await round(live, 4, 2);
    await until(() => all.every((w) => w.events.length === 2));
    expect(await counts(live)).toEqual({ executions: 4, events: 8, statusCalls: 4 });

    // The other key loses the sync as the count moves: its group alone ends with NOT_FOUND.
    t.sim.addKey(SIM_OTHER_KEY, []);
    t.sim.setStatus(id, envelope({ recordCount: 3 }));
    await round(live, 6, 1);
    for (const w of other) await ended(w);
    await until(() => demo.every((w) => w.events.length === 3));
    await sentinel(demoClient);
    for (const w of demo) {
      expect(w.events).toEqual([countData(id, 1), countData(id, 2), countData(id, 3)]);
    }
    for (const w of other) {
      expect(w.events.slice(0, 2)).toEqual([countData(id, 1), countData(id, 2)]);
      expect(w.events).toHaveLength(3);
      expect(w.events[2]?.data).toBeNull();
      expect(w.events[2]?.errors?.map((e) => e.extensions)).toEqual([
        { code: 'NOT_FOUND', syncId: id },
      ]);
      expect(w.completed).toBe(true);
    }
    expect(await counts(live)).toEqual({ executions: 6, events: 12, statusCalls: 6 });
  });
});

describe('a group per document and variables', () => {
  it('subscribers of two syncs and of two documents get only their own results', async () => {
    const live = await startLiveGateway();
    const { t, open } = live;
    const [one, two] = [syncId(1), syncId(2)];
    t.sim.addSync(one, envelope({ recordCount: 10 }));
    t.sim.addSync(two, envelope({ recordCount: 20 }));
    const client = open();
    // Three groups: (count, one), (count, two), (status, one); two syncs polled.
    const countOne = [watch(client, SUB_COUNT, { id: one }), watch(client, SUB_COUNT, { id: one })];
    const countTwo = [watch(client, SUB_COUNT, { id: two }), watch(client, SUB_COUNT, { id: two })];
    const statusOne = [watch(client, SUB_STATUS, { id: one })];
    const all = [...countOne, ...countTwo, ...statusOne];
    await until(() => all.every((w) => w.events.length === 1));
    expect(await counts(live)).toEqual({ executions: 3, events: 5, statusCalls: 2 });
    expect(t.sim.statusCalls(one)).toBe(1);
    expect(t.sim.statusCalls(two)).toBe(1);

    // Both counts move: each group executes once, the status group hears nothing.
    t.sim.setStatus(one, envelope({ recordCount: 11 }));
    t.sim.setStatus(two, envelope({ recordCount: 21 }));
    await round(live, 4, 2);
    await until(() => [...countOne, ...countTwo].every((w) => w.events.length === 2));
    await untilMetric(t, EXECUTIONS, 6);
    expect(await counts(live)).toEqual({ executions: 6, events: 9, statusCalls: 4 });

    // Only sync one's status moves: its two groups execute once each, one poll of it.
    t.sim.setStatus(one, envelope({ status: 'exporting', recordCount: 11 }));
    await round(live, 6, 2);
    await until(() => statusOne.every((w) => w.events.length === 2));
    await untilMetric(t, EXECUTIONS, 8);
    await sentinel(client);
    expect(await counts(live)).toEqual({ executions: 8, events: 10, statusCalls: 6 });
    expect(t.sim.statusCalls(one)).toBe(3);
    expect(t.sim.statusCalls(two)).toBe(3);

    for (const w of countOne) expect(w.events).toEqual([countData(one, 10), countData(one, 11)]);
    for (const w of countTwo) expect(w.events).toEqual([countData(two, 20), countData(two, 21)]);
    for (const w of statusOne) {
      expect(w.events).toEqual([statusData(one, 'RUNNING'), statusData(one, 'EXPORTING')]);
    }
  });

  it('a late bulkSyncChanges subscriber gets each sync at once, with no execution or call', async () => {
    const live = await startLiveGateway();
    const { t, open } = live;
    const ids = [syncId(1), syncId(2)];
    for (const [n, id] of ids.entries()) t.sim.addSync(id, envelope({ recordCount: n }));
    const client = open();
    const first = watch(client, SUB_CHANGES, { ids });
    await until(() => first.events.length === 2);
    t.sim.setStatus(ids[1] as string, envelope({ recordCount: 5 }));
    await round(live, 4, 2);
    await until(() => first.events.length === 3);
    expect(await counts(live)).toEqual({ executions: 3, events: 3, statusCalls: 4 });

    const late = watch(client, SUB_CHANGES, { ids });
    await until(() => late.events.length === 2);
    await sentinel(client);
    const changes = (id: string, recordCount: number) => ({
      data: {
        bulkSyncChanges: { id, status: { currentExecution: { status: 'RUNNING', recordCount } } },
      },
    });
    expect(late.events).toEqual([changes(ids[0] as string, 0), changes(ids[1] as string, 5)]);
    expect(first.events).toHaveLength(3);
    expect(await counts(live)).toEqual({ executions: 3, events: 5, statusCalls: 4 });
  });
});

describe('a group spans transports', () => {
  it('an SSE and a WebSocket subscriber share one execution and get the same data', async () => {
    const live = await startLiveGateway();
    const { t, url, open } = live;
    const direct = countDirectMembers();
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    // The SSE subscriber comes first: its request starts the group's execution.
    const abort = new AbortController();
    const sse = sseStream(
      await fetch(`${url}/graphql`, { ...sseInit(SUB_COUNT, { id }), signal: abort.signal }),
    );
    expect(parsedEvent(await sse.next())).toEqual({ event: 'next', payload: countData(id, 1) });
    const client = open();
    const ws = watch(client, SUB_COUNT, { id });
    await until(() => ws.events.length === 1);
    expect(ws.events).toEqual([countData(id, 1)]);
    expect(await counts(live)).toEqual({ executions: 1, events: 2, statusCalls: 1 });
    // Only the WebSocket member writes straight to its socket.
    expect(direct()).toBe(1);

    t.sim.setStatus(id, envelope({ recordCount: 2 }));
    await round(live, 2, 1);
    expect(parsedEvent(await sse.next())).toEqual({ event: 'next', payload: countData(id, 2) });
    await until(() => ws.events.length === 2);
    expect(ws.events).toEqual([countData(id, 1), countData(id, 2)]);
    expect(await counts(live)).toEqual({ executions: 2, events: 4, statusCalls: 2 });

    // The request that started the execution goes: the group goes on for the WebSocket member.
    abort.abort();
    await untilMetric(t, ACTIVE, 1);
    t.sim.setStatus(id, envelope({ recordCount: 3 }));
    await round(live, 3, 1);
    await until(() => ws.events.length === 3);
    await sentinel(client);
    expect(ws.events).toEqual([countData(id, 1), countData(id, 2), countData(id, 3)]);
    expect(await counts(live)).toEqual({ executions: 3, events: 5, statusCalls: 3 });

    ws.stop();
    await expectPollingStopped(live, IDLE_MS * 10);
  });
});

describe('a result with errors in a group', () => {
  it("every member gets one sync's NOT_FOUND once, in order, and the other sync goes on", async () => {
    const live = await startLiveGateway();
    const { t, url, open } = live;
    const [keeps, gone] = [syncId(1), syncId(2)];
    for (const id of [keeps, gone]) t.sim.addSync(id, envelope({ recordCount: 0 }));
    const ids = [keeps, gone];
    const clients = [open(), open()];
    const sockets = clients.map((client) => watch(client, SUB_CHANGES, { ids }));
    const sse = sseStream(await fetch(`${url}/graphql`, sseInit(SUB_CHANGES, { ids })));
    const sseEvents: unknown[] = [];
    const readSse = async (count: number) => {
      for (let n = 0; n < count; n++) {
        const event = parsedEvent(await sse.next());
        expect(event?.event).toBe('next');
        sseEvents.push(event?.payload);
      }
    };
    await readSse(2);
    await until(() => sockets.every((w) => w.events.length === 2));
    expect(await counts(live)).toEqual({ executions: 2, events: 6, statusCalls: 2 });

    t.sim.inject({ kind: 'status', status: 404 }, { syncId: gone, times: 1 });
    await round(live, 4, 1);
    await readSse(1);
    await until(() => sockets.every((w) => w.events.length === 3));
    expect(await counts(live)).toEqual({ executions: 3, events: 9, statusCalls: 4 });

    t.sim.setStatus(keeps, envelope({ recordCount: 9 }));
    await round(live, 5, 1);
    await readSse(1);
    await until(() => sockets.every((w) => w.events.length === 4));
    for (const client of clients) await sentinel(client);
    expect(await counts(live)).toEqual({ executions: 4, events: 12, statusCalls: 5 });
    // The error result is counted once per member it reached, whichever way it went out.
    expect(await metric(t, ERRORS_NOT_FOUND)).toBe(3);

    const changes = (id: string, recordCount: number) => ({
      data: {
        bulkSyncChanges: { id, status: { currentExecution: { status: 'RUNNING', recordCount } } },
      },
    });
    const notFound = {
      data: null,
      errors: [
        {
          message: `Bulk sync ${gone} was not found.`,
          locations: [{ line: 3, column: 5 }],
          path: ['bulkSyncChanges'],
          extensions: { code: 'NOT_FOUND', syncId: gone },
        },
      ],
    };
    // The first two come in the order the two first polls answered: the same for everyone.
    const [first] = sockets;
    const firstTwo = [...(first?.events.slice(0, 2) ?? [])].sort((a, b) =>
      JSON.stringify(a).localeCompare(JSON.stringify(b)),
    );
    expect(firstTwo).toEqual([changes(keeps, 0), changes(gone, 0)]);
    const expected = [...(first?.events.slice(0, 2) ?? []), notFound, changes(keeps, 9)];
    for (const w of sockets) {
      expect(w.events).toEqual(expected);
      expect(w.completed).toBe(false);
    }
    expect(sseEvents).toEqual(expected);
  });
});

describe('leaving a group', () => {
  it('the last member keeps the execution; when it leaves polling stops and the group is gone', async () => {
    const live = await startLiveGateway();
    const { t, open } = live;
    const id = syncId(1);
    t.sim.addSync(id, envelope({ recordCount: 1 }));
    const [stopsClient, disposedClient, staysClient] = [open(), open(), open()] as [
      Client,
      Client,
      Client,
    ];
    const stops = watch(stopsClient, SUB_COUNT, { id });
    const disposed = watch(disposedClient, SUB_COUNT, { id });
    const stays = watch(staysClient, SUB_COUNT, { id });
    const members: Watch[] = [stops, disposed, stays];
    await until(() => members.every((w) => w.events.length === 1));
    expect(await metric(t, ACTIVE)).toBe(3);
    expect(await counts(live)).toEqual({ executions: 1, events: 3, statusCalls: 1 });

    // One unsubscribes, one closes its connection.
    stops.stop();
    await disposedClient.dispose();
    await untilMetric(t, ACTIVE, 1);
    expect(live.scheduler.pending()).toHaveLength(1);
    expect(await metric(t, 'gateway_active_pollers')).toBe(1);

    t.sim.setStatus(id, envelope({ recordCount: 2 }));
    await round(live, 2, 1);
    await until(() => stays.events.length === 2);
    await sentinel(staysClient);
    expect(stays.events).toEqual([countData(id, 1), countData(id, 2)]);
    // Sent to the one member left, nobody else.
    expect(await counts(live)).toEqual({ executions: 2, events: 4, statusCalls: 2 });

    stays.stop();
    await expectPollingStopped(live, IDLE_MS * 10);
    expect(await metric(t, ACTIVE)).toBe(0);
    expect(t.sim.statusCalls()).toBe(2);

    // A new subscriber starts a new group: a new poll, a new execution, the current data.
    const again = watch(staysClient, SUB_COUNT, { id });
    await until(() => again.events.length === 1);
    await sentinel(staysClient);
    expect(again.events).toEqual([countData(id, 2)]);
    expect(again.completed).toBe(false);
    expect(await counts(live)).toEqual({ executions: 3, events: 5, statusCalls: 3 });
  });
});
