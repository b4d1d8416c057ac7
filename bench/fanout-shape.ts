// One shape of the fan-out benchmark (S subscriptions over C connections): a fresh simulator and
// a fresh gateway, subscribers and a query loop in worker threads, the rounds, the figures.
// Everything it starts is stopped before it returns or throws.
import type { Worker } from 'node:worker_threads';
import { type Change, fanOut, type Spread, spread, startedWithin } from './fanout-figures.js';
import { type SubscriberGroup, startSubscribers } from './fanout-subscribers.js';
import { type ProbedGateway, startProbedGateway } from './gateway-probe.js';
import { cpuMicros, runningBody, startBenchSimulator, startTsWorker, until } from './lib.js';
import type { QueryClientOptions, QuerySamples } from './query-client.js';
import { askWorker } from './worker-rpc.js';

export interface Shape {
  subscriptions: number;
  connections: number;
  /** Reported when it fails, without failing the run (it may not fit a small machine). */
  stretch: boolean;
}

export interface ShapeSettings {
  rounds: number;
  intervalMs: number;
  /** How long after the last round every delivery may take to arrive. */
  deliveryTimeoutMs: number;
}

export interface ShapeFigures {
  shape: string;
  subscriptions: number;
  connections: number;
  setupSeconds: number;
  memory: {
    idle: NodeJS.MemoryUsage;
    subscribed: NodeJS.MemoryUsage;
    /** (subscribed - idle) / subscriptions, in KB of 1000 bytes. */
    rssPerSubscriptionKB: number;
    heapUsedPerSubscriptionKB: number;
  };
  fanOut: { lastSubscriber: Spread; eachDelivery: Spread; unmatchedChanges: number };
  polls: { total: number; intervals: number; perInterval: number };
  queries: { duringRounds: Spread; inBursts: Spread; errors: number };
  /** CPU time from the first round to the last delivery, of the gateway and of this process. */
  cpu: { roundsSeconds: number; gatewaySeconds: number; benchSeconds: number };
  subscriptionErrors: number;
  duplicates: number;
}

/** A shape that did not complete, with what it had measured by then. */
export class ShapeFailure extends Error {
  constructor(
    message: string,
    readonly measured: Partial<Pick<ShapeFigures, 'setupSeconds' | 'memory'>>,
  ) {
    super(message);
  }
}

const SYNCS = 20;
const QUERY_CONCURRENCY = 4;
const QUERY = /* GraphQL */ `query ($id: ID!) { bulkSync(id: $id) { id status { currentExecution { status recordCount } } } }`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const kb = (bytes: number, per: number) => Number((bytes / per / 1000).toFixed(2));
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const seconds = (value: number) => Number(value.toFixed(1));

export const shapeLabel = ({ subscriptions, connections }: Shape) =>
  `${subscriptions}x${connections}`;

/** The gateway's environment for a shape: its bounds raised to fit it. */
export function gatewayEnv(simUrl: string, shape: Shape, intervalMs: number) {
  const perConnection = shape.subscriptions / shape.connections;
  return {
    LOG_LEVEL: 'warn',
    POLYTOMIC_BASE_URL: simUrl,
    POLYTOMIC_API_KEY: 'bench_key',
    POLL_INTERVAL_MS: String(intervalMs),
    MAX_POLLERS: '100',
    WS_MAX_CONNECTIONS: String(shape.connections + 100),
    MAX_SUBSCRIPTIONS_PER_CONNECTION: String(Math.max(100, perConnection)),
    WS_MAX_SUBSCRIBES_PER_MINUTE: String(Math.max(600, 10 * perConnection)),
  };
}

export async function runShape(shape: Shape, settings: ShapeSettings): Promise<ShapeFigures> {
  const { subscriptions, connections } = shape;
  const { sim, url: simUrl, ids, now } = await startBenchSimulator(SYNCS, 'b0b00000');
  // The queries read syncs of their own: their upstream calls then neither count as polls nor
  // pass for the poll that returned a change.
  const queryIds = Array.from(
    { length: SYNCS },
    (_, n) => `b0b0f000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  );
  for (const id of queryIds) sim.addSync(id, runningBody(0), { keys: ['bench_key'] });
  let gateway: ProbedGateway | undefined;
  let subscribers: SubscriberGroup | undefined;
  let queryWorker: Worker | undefined;
  const measured: ShapeFailure['measured'] = {};
  try {
    gateway = await startProbedGateway(gatewayEnv(simUrl, shape, settings.intervalMs));
    await sleep(500);
    const idle = await gateway.memory();

    subscribers = startSubscribers(gateway.port, ids, subscriptions, connections);
    const setupStarted = now();
    await subscribers.open();
    const setupSeconds = seconds((now() - setupStarted) / 1000);
    await sleep(1000);
    const subscribed = await gateway.memory();
    const memory = {
      idle,
      subscribed,
      rssPerSubscriptionKB: kb(subscribed.rss - idle.rss, subscriptions),
      heapUsedPerSubscriptionKB: kb(subscribed.heapUsed - idle.heapUsed, subscriptions),
    };
    Object.assign(measured, { setupSeconds, memory });
    console.log(
      `  subscribed in ${setupSeconds} s; gateway RSS ${mib(idle.rss)} -> ${mib(subscribed.rss)} MiB, heap used ${mib(idle.heapUsed)} -> ${mib(subscribed.heapUsed)} MiB`,
    );

    queryWorker = startTsWorker(new URL('./query-client.ts', import.meta.url), {
      origin: `http://127.0.0.1:${gateway.port}`,
      query: QUERY,
      ids: queryIds,
      concurrency: QUERY_CONCURRENCY,
    } satisfies QueryClientOptions);
    const queries = askWorker(queryWorker);
    await queries<number>('start');

    sim.resetRequests();
    const started = now();
    // Whose CPU the rounds took: the gateway's, or this process's (simulator and clients).
    const gatewayCpu = cpuMicros(gateway.child.pid);
    const benchCpu = process.cpuUsage();
    const changes: Change[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      const before = ids.map((id) => sim.statusCalls(id));
      const setAt = now();
      for (const id of ids) {
        sim.setStatus(id, runningBody(round));
        changes.push({ syncId: id, round, setAt });
      }
      await sleep(settings.intervalMs);
      // And, should a poll come late, until each sync was polled since its change: the next
      // change would otherwise replace this one unseen, and its deliveries never come.
      const late = () => ids.filter((id, i) => sim.statusCalls(id) <= (before[i] as number));
      await until(() => late().length === 0, 10 * settings.intervalMs).catch(() => {
        throw new Error(
          `the gateway fell behind: in round ${round}, ${late().length} of ${ids.length} syncs were not polled within ${10 * settings.intervalMs} ms of their change`,
        );
      });
    }
    const intervals = (now() - started) / settings.intervalMs;
    const polls = ids.reduce((sum, id) => sum + sim.statusCalls(id), 0);

    const progress = await allDelivered(subscribers, subscriptions * settings.rounds, settings);
    const samples = await queries<QuerySamples>('stop');
    const benchUsage = process.cpuUsage(benchCpu);
    const cpu = {
      roundsSeconds: seconds((now() - started) / 1000),
      gatewaySeconds: seconds((cpuMicros(gateway.child.pid) - gatewayCpu) / 1e6),
      benchSeconds: seconds((benchUsage.user + benchUsage.system) / 1e6),
    };

    const watched = new Set(ids);
    const pollTimes = sim.requests
      .filter((r) => r.route === 'status' && r.syncId !== undefined && watched.has(r.syncId))
      .map((r) => ({ syncId: r.syncId as string, at: r.at }));
    const fan = fanOut(changes, pollTimes, await subscribers.times());
    return {
      shape: shapeLabel(shape),
      subscriptions,
      connections,
      setupSeconds,
      memory,
      fanOut: {
        lastSubscriber: fan.lastSubscriber,
        eachDelivery: fan.eachDelivery,
        unmatchedChanges: fan.unmatched,
      },
      polls: {
        total: polls,
        intervals: Number(intervals.toFixed(2)),
        perInterval: Number((polls / intervals).toFixed(2)),
      },
      queries: {
        duringRounds: spread(samples.durations),
        inBursts: spread(startedWithin(samples.starts, samples.durations, fan.bursts)),
        errors: samples.errors,
      },
      cpu,
      subscriptionErrors: progress.errors,
      duplicates: progress.duplicates,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // A crash (out of memory, say) shows in the other failures it causes: say it first.
    const exit = gateway?.child.exitCode ?? gateway?.child.signalCode;
    const reason = exit == null ? message : `the gateway exited (${exit}); ${message}`;
    throw new ShapeFailure(reason, measured);
  } finally {
    // Clients first, so the gateway's stop has no sockets to drain.
    await subscribers?.close();
    await queryWorker?.terminate();
    await gateway?.stop();
    await sim.close();
  }
}

/** Waits until the subscribers have had `expected` deliveries; fails loudly with the shortfall. */
async function allDelivered(
  subscribers: SubscriberGroup,
  expected: number,
  { deliveryTimeoutMs }: ShapeSettings,
) {
  const deadline = Date.now() + deliveryTimeoutMs;
  for (;;) {
    const progress = await subscribers.progress();
    if (progress.deliveries >= expected) return progress;
    if (Date.now() > deadline) {
      const errors = progress.errorSamples.length ? `: ${progress.errorSamples.join('; ')}` : '';
      throw new Error(
        `${expected - progress.deliveries} of ${expected} deliveries missing ${deliveryTimeoutMs / 1000} s after the last round (${progress.errors} subscription errors${errors})`,
      );
    }
    await sleep(100);
  }
}
