import { type ExecutionResult, GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  type GroupHooks,
  type Started,
  SubscriptionGroups,
} from '../../../../src/http/plugins/subscriptions/groups.js';
import { type DirectSink, Member } from '../../../../src/http/plugins/subscriptions/member.js';

// SubscriptionGroups and Member alone, on sources and sinks the test drives; through the gateway
// with real clients: test/live/sharing.e2e.test.ts.

/** One turn of the event loop: every microtask before it has run, and one check phase. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A fresh result (a group marks the results it serialises, so none is reused). */
const result = (value: number): ExecutionResult => ({ data: { value } });

/** Counts of every hook a group calls. */
function counting() {
  const counts = { open: 0, close: 0, sent: 0, executed: 0 };
  const hooks: GroupHooks = {
    onOpen: () => counts.open++,
    onClose: () => counts.close++,
    onSent: () => counts.sent++,
    onExecuted: () => counts.executed++,
  };
  return { counts, hooks };
}

type Step = { syncId: string; value: ExecutionResult } | { done: true } | { error: unknown };

/**
 * A group's execution as the test drives it: `push` makes the next result (noting its sync just
 * before, as the real stream does), `end` finishes it, `fail` makes its next step throw.
 */
function fakeSource(note: (syncId: string) => void) {
  const queued: Step[] = [];
  let taker: ((step: Step) => void) | undefined;
  let finished = false;
  let returned = 0;
  const settle = (step: Step): Promise<IteratorResult<ExecutionResult>> => {
    if ('error' in step) return Promise.reject(step.error);
    if ('done' in step || finished) {
      finished = true;
      return Promise.resolve({ done: true, value: undefined });
    }
    note(step.syncId);
    return Promise.resolve({ done: false, value: step.value });
  };
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    next() {
      const step = queued.shift();
      if (step) return settle(step);
      if (finished) return Promise.resolve({ done: true, value: undefined });
      return new Promise<Step>((resolve) => {
        taker = resolve;
      }).then(settle);
    },
    return() {
      returned++;
      finished = true;
      const waiting = taker;
      taker = undefined;
      waiting?.({ done: true });
      return Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  const add = (step: Step) => {
    const waiting = taker;
    taker = undefined;
    if (waiting) waiting(step);
    else queued.push(step);
  };
  return {
    iterator,
    push: (syncId: string, value: ExecutionResult) => add({ syncId, value }),
    end: () => add({ done: true }),
    fail: (error: unknown) => add({ error }),
    returned: () => returned,
  };
}

type FakeSource = ReturnType<typeof fakeSource>;

/** Groups whose every start makes a fake source, kept in `sources` in start order. */
function setup() {
  const { counts, hooks } = counting();
  const groups = new SubscriptionGroups(hooks);
  const sources: FakeSource[] = [];
  const start = (note: (syncId: string) => void): Started => {
    const source = fakeSource(note);
    sources.push(source);
    return source.iterator;
  };
  const join = async (key: string): Promise<Member> => {
    const joined = await groups.join(key, start);
    if (!(joined instanceof Member)) throw new Error(`refused: ${JSON.stringify(joined)}`);
    return joined;
  };
  const source = (n: number): FakeSource => {
    const found = sources[n];
    if (!found) throw new Error(`no source ${n}`);
    return found;
  };
  return { counts, groups, sources, source, join };
}

const PREFIX = '{"id":"op","type":"next","payload":';
const SUFFIX = '}';
const frame = (value: ExecutionResult) => `${PREFIX}${JSON.stringify(value)}${SUFFIX}`;

/** A sink that takes each frame at once. */
function instantSink(frames: string[] = []): DirectSink & { frames: string[] } {
  return {
    frames,
    prefix: PREFIX,
    suffix: SUFFIX,
    send(text, written) {
      frames.push(text);
      written();
      return true;
    },
  };
}

/** A sink that keeps each frame in flight until the test calls `release()`. */
function heldSink() {
  const frames: string[] = [];
  const inFlight: (() => void)[] = [];
  const sink: DirectSink = {
    prefix: PREFIX,
    suffix: SUFFIX,
    send(text, written) {
      frames.push(text);
      inFlight.push(written);
      return true;
    },
  };
  return {
    sink,
    frames,
    inFlight: () => inFlight.length,
    release() {
      const written = inFlight.shift();
      if (!written) throw new Error('no frame in flight');
      written();
    },
  };
}

const done = { done: true, value: undefined };
const step = (value: ExecutionResult) => ({ done: false, value });

describe('SubscriptionGroups: one execution per key', () => {
  it('starts one source for every join of the same key, and another for another key', async () => {
    const { counts, groups, sources, source, join } = setup();
    const [a1, a2, a3, b1] = await Promise.all([join('a'), join('a'), join('a'), join('b')]);
    expect(sources).toHaveLength(2);
    expect(groups.size).toBe(2);
    expect(counts).toEqual({ open: 4, close: 0, sent: 0, executed: 0 });

    const asked = [a1, a2, a3, b1].map((member) => member?.next());
    source(0).push('s1', result(1));
    source(1).push('s1', result(2));
    expect(await Promise.all(asked)).toEqual([
      step(result(1)),
      step(result(1)),
      step(result(1)),
      step(result(2)),
    ]);
    expect(counts).toEqual({ open: 4, close: 0, sent: 4, executed: 2 });
    expect(sources).toHaveLength(2);
  });

  it('gives a later joiner the latest result of each sync at once, in order, then what follows', async () => {
    const { counts, sources, source, join } = setup();
    const first = await join('k');
    for (const [syncId, value] of [
      ['s1', 1],
      ['s2', 10],
      ['s1', 2],
      ['s2', 20],
    ] as const) {
      const asked = first.next();
      source(0).push(syncId, result(value));
      expect(await asked).toEqual(step(result(value)));
    }

    const late = await join('k');
    expect(sources).toHaveLength(1);
    expect(await late.next()).toEqual(step(result(2)));
    expect(await late.next()).toEqual(step(result(20)));
    const asked = late.next();
    source(0).push('s1', result(3));
    expect(await asked).toEqual(step(result(3)));
    expect(await first.next()).toEqual(step(result(3)));
    expect(counts).toEqual({ open: 2, close: 0, sent: 8, executed: 5 });
  });

  it("drops a result repeating its sync's last JSON, not the same JSON for another sync", async () => {
    const { counts, source, join } = setup();
    const member = await join('k');
    const received: unknown[] = [];
    const read = async (push: () => void) => {
      const asked = member.next();
      push();
      received.push((await asked).value);
    };
    await read(() => source(0).push('s1', result(1)));
    // The repeat is dropped: the next thing the member gets is s2's result with the same JSON.
    await read(() => {
      source(0).push('s1', result(1));
      source(0).push('s2', result(1));
    });
    await read(() => source(0).push('s1', result(2)));
    // Back to an earlier value: it differs from the last one sent for s1, so it goes out.
    await read(() => source(0).push('s1', result(1)));
    expect(received).toEqual([result(1), result(1), result(2), result(1)]);
    expect(counts).toEqual({ open: 1, close: 0, sent: 4, executed: 5 });
  });

  it('offers a result to 256 members per turn of the event loop', async () => {
    const { counts, source, join } = setup();
    const members = await Promise.all(Array.from({ length: 600 }, () => join('k')));
    const frames: string[] = [];
    for (const member of members) member.sendDirect(instantSink(frames));
    expect(counts.open).toBe(600);

    source(0).push('s1', result(1));
    const offered: number[] = [];
    for (let n = 0; n < 4; n++) {
      await turn();
      offered.push(frames.length);
    }
    expect(offered).toEqual([256, 512, 600, 600]);
    expect(new Set(frames)).toEqual(new Set([frame(result(1))]));
    expect(counts).toEqual({ open: 600, close: 0, sent: 600, executed: 1 });
  });

  it('gives a refusal to everyone who asked meanwhile, and keeps no group', async () => {
    const { counts, hooks } = counting();
    const groups = new SubscriptionGroups(hooks);
    const refusal: ExecutionResult = { errors: [new GraphQLError('refused')] };
    let refuse: (value: Started) => void = () => {};
    let starts = 0;
    const refusing = () => {
      starts++;
      return new Promise<Started>((resolve) => {
        refuse = resolve;
      });
    };
    const joins = [
      groups.join('k', refusing),
      groups.join('k', refusing),
      groups.join('k', refusing),
    ];
    expect(starts).toBe(1);
    refuse(refusal);
    const answers = await Promise.all(joins);
    expect(answers).toHaveLength(3);
    for (const answer of answers) expect(answer).toBe(refusal);
    expect(groups.size).toBe(0);
    expect(counts).toEqual({ open: 0, close: 0, sent: 0, executed: 0 });

    // A later join starts afresh.
    const source = fakeSource(() => {});
    const later = await groups.join('k', () => {
      starts++;
      return source.iterator;
    });
    expect(later).toBeInstanceOf(Member);
    expect(starts).toBe(2);
    expect(groups.size).toBe(1);
  });

  it('rejects every join when starting throws, and keeps no group', async () => {
    const { counts, hooks } = counting();
    const groups = new SubscriptionGroups(hooks);
    const boom = new Error('cannot start');
    let starts = 0;
    const throwing = async (): Promise<Started> => {
      starts++;
      throw boom;
    };
    const joins = await Promise.allSettled([
      groups.join('k', throwing),
      groups.join('k', throwing),
    ]);
    expect(joins).toEqual([
      { status: 'rejected', reason: boom },
      { status: 'rejected', reason: boom },
    ]);
    expect(starts).toBe(1);
    expect(groups.size).toBe(0);
    expect(counts).toEqual({ open: 0, close: 0, sent: 0, executed: 0 });
  });

  it("fails each member's next() with the source's error after what it holds; each closes once", async () => {
    const { counts, groups, sources, source, join } = setup();
    const [reading, idle, direct, slow] = await Promise.all([
      join('k'),
      join('k'),
      join('k'),
      join('k'),
    ]);
    if (!reading || !idle || !direct || !slow) throw new Error('four members');
    const directFrames = instantSink();
    direct.sendDirect(directFrames);
    const slowSink = heldSink();
    slow.sendDirect(slowSink.sink);
    // graphql-ws keeps asking for the next step of a direct member.
    const directStep = direct.next();
    const slowStep = slow.next();

    for (const value of [1, 2]) {
      const asked = reading.next();
      source(0).push('s1', result(value));
      expect(await asked).toEqual(step(result(value)));
    }
    const pending = reading.next();
    // Each outcome kept as it comes (no rejection left unhandled), asserted below.
    const outcomes = [pending, directStep, slowStep].map((p) =>
      p.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
    );
    const boom = new Error('source failed');
    source(0).fail(boom);
    await turn();

    expect(await outcomes[0]).toEqual({ error: boom });
    // The idle member still gets the one result it holds (the latest of its sync), then the error.
    expect(await idle.next()).toEqual(step(result(2)));
    await expect(idle.next()).rejects.toBe(boom);
    expect(directFrames.frames).toEqual([frame(result(1)), frame(result(2))]);
    expect(await outcomes[1]).toEqual({ error: boom });
    // The slow member's first frame is still in flight, the second one waits for it.
    expect(slowSink.frames).toEqual([frame(result(1))]);
    slowSink.release();
    expect(slowSink.frames).toEqual([frame(result(1)), frame(result(2))]);
    slowSink.release();
    expect(await outcomes[2]).toEqual({ error: boom });

    expect(counts).toEqual({ open: 4, close: 4, sent: 7, executed: 2 });
    for (const member of [reading, idle, direct, slow]) expect(await member.next()).toEqual(done);
    for (const member of [reading, idle, direct, slow]) await member.return();
    expect(counts.close).toBe(4);
    expect(groups.size).toBe(0);
    // A later join starts a new execution.
    await join('k');
    expect(sources).toHaveLength(2);
  });

  it('completes each member after what it holds when the source ends', async () => {
    const { counts, groups, source, join } = setup();
    const [a, b] = await Promise.all([join('k'), join('k')]);
    if (!a || !b) throw new Error('two members');
    const waiting = a.next();
    source(0).push('s1', result(1));
    expect(await waiting).toEqual(step(result(1)));
    const ending = a.next();
    source(0).end();
    expect(await ending).toEqual(done);
    expect(await b.next()).toEqual(step(result(1)));
    expect(await b.next()).toEqual(done);
    expect(groups.size).toBe(0);
    expect(counts).toEqual({ open: 2, close: 2, sent: 2, executed: 1 });
  });

  it('returns the source exactly once, when the last member leaves', async () => {
    const { counts, groups, sources, source, join } = setup();
    const members = await Promise.all([join('k'), join('k'), join('k')]);
    const [m1, m2, m3] = members;
    if (!m1 || !m2 || !m3) throw new Error('three members');
    source(0).push('s1', result(1));
    await turn();
    expect(counts).toEqual({ open: 3, close: 0, sent: 0, executed: 1 });

    await m1.return();
    await m1.return();
    expect(counts.close).toBe(1);
    // A member that left is offered nothing.
    source(0).push('s1', result(2));
    await turn();
    expect(await m1.next()).toEqual(done);
    expect(await m2.next()).toEqual(step(result(2)));
    await m2.return();
    expect(source(0).returned()).toBe(0);
    expect(groups.size).toBe(1);

    // The last one leaves while it waits for a step: that step ends, the source is returned.
    expect(await m3.next()).toEqual(step(result(2)));
    const waiting = m3.next();
    await m3.return();
    expect(await waiting).toEqual(done);
    expect(source(0).returned()).toBe(1);
    expect(groups.size).toBe(0);
    await m3.return();
    expect(source(0).returned()).toBe(1);
    expect(counts).toEqual({ open: 3, close: 3, sent: 2, executed: 2 });

    // The next join starts a new execution, with nothing to replay.
    const next = await join('k');
    expect(sources).toHaveLength(2);
    const asked = next.next();
    source(1).push('s1', result(5));
    expect(await asked).toEqual(step(result(5)));
  });
  it('a join meeting the last member leaving starts a new group instead of ending', async () => {
    const { counts, groups, sources, source, join } = setup();
    const first = await join('k');
    source(0).push('s1', result(1));
    expect(await first.next()).toEqual(step(result(1)));
    // A subscribe and a complete in one chunk: the join is on its way when the group empties.
    const joining = join('k');
    await first.return();
    const second = await joining;
    expect(sources).toHaveLength(2);
    expect(source(0).returned()).toBe(1);
    expect(groups.size).toBe(1);
    // The new execution's results reach it; it is not completed.
    const asked = second.next();
    source(1).push('s1', result(2));
    expect(await asked).toEqual(step(result(2)));
    expect(counts).toEqual({ open: 2, close: 1, sent: 2, executed: 2 });
  });

  it('replays syncs in the order of their latest results, as a slow member holds them', async () => {
    const { source, join } = setup();
    const slow = await join('k');
    source(0).push('s1', result(1));
    source(0).push('s2', result(10));
    source(0).push('s1', result(2));
    await turn();
    const late = await join('k');
    const order = async (member: Member) => [
      (await member.next()).value,
      (await member.next()).value,
    ];
    expect(await order(slow)).toEqual([result(10), result(2)]);
    expect(await order(late)).toEqual([result(10), result(2)]);
  });
});

describe('Member writing straight to its socket', () => {
  /** One member of a fresh group, writing to `sink`. */
  async function directMember(sink: DirectSink) {
    const setupped = setup();
    const member = await setupped.join('k');
    member.sendDirect(sink);
    const push = async (...results: [string, ExecutionResult][]) => {
      for (const [syncId, value] of results) setupped.source(0).push(syncId, value);
      await turn();
    };
    return { ...setupped, member, push };
  }

  it('keeps one result per sync while a frame is in flight: the first and the latest go out', async () => {
    const socket = heldSink();
    const { counts, push } = await directMember(socket.sink);

    await push(['s1', result(1)]);
    expect(socket.frames).toEqual([frame(result(1))]);
    await push(['s1', result(2)], ['s2', result(10)], ['s1', result(3)], ['s3', result(100)]);
    expect(socket.frames).toHaveLength(1);
    expect(socket.inFlight()).toBe(1);

    // Each frame waits for the one before; s1's newest replaced its older one and went last.
    for (const expected of [2, 3, 4]) {
      socket.release();
      expect(socket.frames).toHaveLength(expected);
    }
    socket.release();
    expect(socket.inFlight()).toBe(0);
    expect(socket.frames).toEqual([
      frame(result(1)),
      frame(result(10)),
      frame(result(3)),
      frame(result(100)),
    ]);
    expect(counts).toEqual({ open: 1, close: 0, sent: 4, executed: 5 });
  });

  it('counts nothing sent to a closing socket, and writes nothing more to it', async () => {
    const tried: string[] = [];
    const closing: DirectSink = {
      prefix: PREFIX,
      suffix: SUFFIX,
      send(text) {
        tried.push(text);
        return false;
      },
    };
    const { counts, push } = await directMember(closing);
    await push(['s1', result(1)], ['s2', result(2)]);
    expect(tried).toEqual([frame(result(1))]);
    expect(counts).toEqual({ open: 1, close: 0, sent: 0, executed: 2 });
  });

  it('three results of one sync while its first frame is in flight make exactly two frames', async () => {
    const socket = heldSink();
    const { counts, push } = await directMember(socket.sink);
    await push(['s1', result(1)], ['s1', result(2)], ['s1', result(3)]);
    expect(socket.frames).toEqual([frame(result(1))]);
    socket.release();
    socket.release();
    expect(socket.inFlight()).toBe(0);
    expect(socket.frames).toEqual([frame(result(1)), frame(result(3))]);
    expect(counts).toEqual({ open: 1, close: 0, sent: 2, executed: 3 });
  });

  it('delivers a result with errors once, in order with the frames around it', async () => {
    // What the client gets, in order, whichever way each result takes: a frame the member
    // writes, or a step graphql-ws takes from next() and sends.
    const received: unknown[] = [];
    const sink: DirectSink = {
      prefix: PREFIX,
      suffix: SUFFIX,
      send(text, written) {
        const message = JSON.parse(text) as { id: string; type: string; payload: unknown };
        expect({ id: message.id, type: message.type }).toEqual({ id: 'op', type: 'next' });
        received.push(message.payload);
        written();
        return true;
      },
    };
    const { counts, member, push, source } = await directMember(sink);
    // graphql-ws's loop over the operation's stream.
    const loop = (async () => {
      for await (const value of member) received.push(JSON.parse(JSON.stringify(value)));
    })();

    const error: ExecutionResult = {
      data: null,
      errors: [
        new GraphQLError('Bulk sync s1 was not found.', { extensions: { code: 'NOT_FOUND' } }),
      ],
    };
    await push(['s1', result(1)], ['s1', error], ['s2', result(2)]);
    await turn();
    expect(received).toEqual([
      result(1),
      {
        data: null,
        errors: [{ message: 'Bulk sync s1 was not found.', extensions: { code: 'NOT_FOUND' } }],
      },
      result(2),
    ]);
    expect(counts).toEqual({ open: 1, close: 0, sent: 3, executed: 3 });

    source(0).end();
    await loop;
    expect(received).toHaveLength(3);
    expect(counts).toEqual({ open: 1, close: 1, sent: 3, executed: 3 });
  });

  it("writes errors masked as yoga masks them, without yoga's internal hints", async () => {
    const socket = instantSink();
    const { counts, push } = await directMember(socket);
    const secret = 'connect ECONNREFUSED http://10.0.0.1/api';
    await push([
      's1',
      {
        data: null,
        errors: [
          new GraphQLError(secret, { path: ['bulkSync'], originalError: new Error(secret) }),
          new GraphQLError('Bulk sync s1 was not found.', {
            path: ['bulkSync'],
            extensions: { code: 'NOT_FOUND', http: { status: 404 } },
          }),
        ],
        extensions: { http: { status: 200 } },
      },
    ]);
    expect(socket.frames).toHaveLength(1);
    expect(socket.frames[0]).not.toContain('10.0.0.1');
    expect(JSON.parse(socket.frames[0] as string)).toEqual({
      id: 'op',
      type: 'next',
      payload: {
        data: null,
        errors: [
          {
            message: 'Unexpected error.',
            path: ['bulkSync'],
            extensions: { code: 'INTERNAL_SERVER_ERROR' },
          },
          {
            message: 'Bulk sync s1 was not found.',
            path: ['bulkSync'],
            extensions: { code: 'NOT_FOUND' },
          },
        ],
      },
    });
    expect(counts).toEqual({ open: 1, close: 0, sent: 1, executed: 1 });
  });

  it('sends what it held before going direct, then ends after it when its group ends', async () => {
    const { counts, source, join } = setup();
    const member = await join('k');
    source(0).push('s1', result(1));
    source(0).push('s2', result(2));
    await turn();
    const socket = heldSink();
    member.sendDirect(socket.sink);
    expect(socket.frames).toEqual([frame(result(1))]);
    const asked = member.next();
    source(0).end();
    await turn();
    socket.release();
    expect(socket.frames).toEqual([frame(result(1)), frame(result(2))]);
    socket.release();
    expect(await asked).toEqual(done);
    expect(counts).toEqual({ open: 1, close: 1, sent: 2, executed: 2 });
  });
});
