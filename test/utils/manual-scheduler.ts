import type { Scheduler } from '../../src/datasources/live/scheduler.js';
import { until } from './wait.js';

/** A timer the gateway asked for. */
export interface ManualTimer {
  id: number;
  /** The delay asked for, jitter included. */
  ms: number;
  /** Virtual time at which it fires. */
  at: number;
}

/**
 * The gateway's timers (poll loops, Redis lease and heartbeat) under the test's control: nothing
 * fires until the test says so, so poll counts per interval are exact and no test waits for real
 * intervals. Network I/O stays real.
 */
export interface ManualScheduler extends Scheduler {
  /** Virtual now, in ms since creation. */
  readonly now: number;
  /** Timers waiting to fire. */
  pending(): ManualTimer[];
  /** Every delay ever asked for, in order. */
  readonly requested: number[];
  /** Moves virtual time by `ms` and fires every timer that falls due, in time order. */
  advance(ms: number): number;
  /**
   * Loops whose timer fired and that have neither asked for their next one nor been stopped:
   * a poll or a lease step still waiting on the network.
   */
  busy(): number;
}

export function createManualScheduler(): ManualScheduler {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, ManualTimer & { run: () => void }>();
  // A loop asks again with the same callback (the poller's `tick`, the lease's `step`), so a
  // fired callback is busy until it does, or until its timer is cleared (the loop stopped).
  const fired = new Map<() => void, number>();
  const requested: number[] = [];
  return {
    get now() {
      return now;
    },
    requested,
    setTimeout(run, ms) {
      fired.delete(run);
      const id = nextId++;
      timers.set(id, { id, ms, at: now + ms, run });
      requested.push(ms);
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
      for (const [run, id] of fired) if (id === handle) fired.delete(run);
    },
    pending() {
      return [...timers.values()].map(({ id, ms, at }) => ({ id, ms, at }));
    },
    busy: () => fired.size,
    advance(ms) {
      now += ms;
      const due = [...timers.values()].filter((t) => t.at <= now).sort((a, b) => a.at - b.at);
      for (const timer of due) {
        timers.delete(timer.id);
        fired.set(timer.run, timer.id);
        timer.run();
      }
      return due.length;
    },
  };
}

/** Options of {@link createClock}. */
export interface ClockOptions {
  /**
   * Runs after each firing: waits for traffic a loop sent without waiting for its answer (the
   * Redis heartbeat's PING), so the next firing does not find it unanswered.
   */
  flush?: () => Promise<void>;
  /**
   * False while the test keeps Redis from answering (paused, stalled): a loop waiting on it stays
   * blocked, and virtual time goes on without it, as real time would.
   */
  answering?: () => boolean;
}

/**
 * Virtual time for several gateways at once (replicas, or bare Redis links): moves a manual
 * scheduler from one due timer to the next, and before firing the next lets the work of the
 * last one finish (the poll answered, the lease renewed), so every timer fires at its own virtual
 * time and sees the effects of the ones before it.
 */
export interface Clock {
  scheduler: ManualScheduler;
  readonly now: number;
  /** Runs `ms` of virtual time. */
  run(ms: number): Promise<void>;
  /**
   * Runs virtual time until `condition` holds; fails when it does not within `withinMs` of
   * virtual time, then `graceMs` of real time (for messages still on their way, or for what runs
   * on the real clock: ioredis closing a socket, a command timing out).
   */
  runUntil(
    condition: () => boolean | Promise<boolean>,
    withinMs: number,
    graceMs?: number,
  ): Promise<void>;
}

/** How long a loop may stay busy in real time before the clock calls it stuck. */
const BUSY_TIMEOUT_MS = 5000;
/** How long to let a loop blocked on a Redis that does not answer run before moving on. */
const BLOCKED_MS = 50;

export function createClock(
  scheduler: ManualScheduler = createManualScheduler(),
  options: ClockOptions = {},
): Clock {
  const answering = options.answering ?? (() => true);
  const nextAt = () => Math.min(...scheduler.pending().map((timer) => timer.at));

  async function settle(): Promise<void> {
    if (answering()) {
      await until(() => scheduler.busy() === 0, BUSY_TIMEOUT_MS, 'every fired loop done');
      await options.flush?.();
    } else {
      await until(() => scheduler.busy() === 0, BLOCKED_MS).catch(() => {});
    }
    // Messages the loops sent (a publish, a pub/sub delivery) are read before the next firing.
    await new Promise((resolve) => setImmediate(resolve));
  }

  async function fireAt(at: number): Promise<void> {
    scheduler.advance(at - scheduler.now);
    await settle();
  }

  const clock: Clock = {
    scheduler,
    get now() {
      return scheduler.now;
    },
    async run(ms) {
      const end = scheduler.now + ms;
      for (let at = nextAt(); at <= end; at = nextAt()) await fireAt(at);
      scheduler.advance(end - scheduler.now);
    },
    async runUntil(condition, withinMs, graceMs = 1000) {
      const end = scheduler.now + withinMs;
      for (;;) {
        if (await condition()) return;
        const at = nextAt();
        if (at > end) break;
        await fireAt(at);
      }
      scheduler.advance(end - scheduler.now);
      await until(condition, graceMs, `condition within ${withinMs} ms of virtual time`);
    },
  };
  return clock;
}
