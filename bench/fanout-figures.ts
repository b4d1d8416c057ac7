// The fan-out benchmark's figures from its raw times: every time is on one clock
// (performance.timeOrigin + performance.now(), shared by the simulator and the worker threads).

/** p50, p99 and max of some values (ms), and how many there were. */
export interface Spread {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function spread(values: ArrayLike<number>): Spread {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const round = (value: number | undefined) =>
    value === undefined ? Number.NaN : Number(value.toFixed(1));
  return { n: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(at(1)) };
}

/** One sync's record count set to `round` at `setAt`. */
export interface Change {
  syncId: string;
  round: number;
  setAt: number;
}

export interface FanOut {
  /** Per change: the poll that first returned it -> the last of its subscribers to receive it. */
  lastSubscriber: Spread;
  /** Per delivery: the poll that first returned its change -> that subscriber's receipt. */
  eachDelivery: Spread;
  /** Per round: from its earliest poll to its last delivery (when queries felt the burst). */
  bursts: [number, number][];
  /** Changes no poll returned, or no subscriber received; should be none. */
  unmatched: number;
}

/**
 * `polls` are the upstream status calls (time and sync); `received` the receive times per
 * `${syncId}:${round}`. The first poll of a sync after its change was set is the one that
 * returned it: the simulator answers from the status in force when the request arrived.
 */
export function fanOut(
  changes: Change[],
  polls: { syncId: string; at: number }[],
  received: Map<string, number[]>,
): FanOut {
  const pollsOf = new Map<string, number[]>();
  for (const { syncId, at } of polls) {
    const times = pollsOf.get(syncId) ?? [];
    times.push(at);
    pollsOf.set(syncId, times);
  }
  const lastSubscriber: number[] = [];
  const eachDelivery: number[] = [];
  const bursts = new Map<number, [number, number]>();
  let unmatched = 0;
  for (const { syncId, round, setAt } of changes) {
    const poll = (pollsOf.get(syncId) ?? []).find((at) => at >= setAt);
    const times = received.get(`${syncId}:${round}`);
    if (poll === undefined || !times?.length) {
      unmatched += 1;
      continue;
    }
    let last = Number.NEGATIVE_INFINITY;
    for (const at of times) {
      eachDelivery.push(at - poll);
      if (at > last) last = at;
    }
    lastSubscriber.push(last - poll);
    const burst = bursts.get(round) ?? [poll, last];
    bursts.set(round, [Math.min(burst[0], poll), Math.max(burst[1], last)]);
  }
  return {
    lastSubscriber: spread(lastSubscriber),
    eachDelivery: spread(eachDelivery),
    bursts: [...bursts.values()],
    unmatched,
  };
}

/** Durations of the queries that started within any of `windows`. */
export function startedWithin(
  starts: number[],
  durations: number[],
  windows: [number, number][],
): number[] {
  return durations.filter((_, i) => {
    const start = starts[i] as number;
    return windows.some(([from, to]) => start >= from && start <= to);
  });
}
