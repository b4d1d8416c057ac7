// The subscribers of a fan-out run, split over worker threads (bench/fanout-client.ts), seen
// from the main thread as one group.
import type { FanoutClientOptions, FanoutProgress, FanoutTimes } from './fanout-client.js';
import { startTsWorker } from './lib.js';
import { askWorker } from './worker-rpc.js';

/** One thread per core: the gateway and the simulator share the cores with them anyway. */
const WORKERS = 2;
/** Connections each worker opens at once (so the gateway sees up to 100 handshakes at a time). */
const BATCH = 50;

export const SUBSCRIPTION = /* GraphQL */ `subscription ($id: ID!) { bulkSync(id: $id) { id status { currentExecution { status recordCount } } } }`;

export interface SubscriberGroup {
  /** Opens every connection and subscription; resolves once each has had its first event. */
  open(): Promise<void>;
  progress(): Promise<FanoutProgress>;
  /** Receive times per `${syncId}:${recordCount}`, over every worker. */
  times(): Promise<Map<string, number[]>>;
  /** Closes the connections (a normal closure), then ends the threads; safe to call twice. */
  close(): Promise<void>;
}

/**
 * `subscriptions` over `connections` to the gateway on 127.0.0.1:`port`; subscription j of
 * connection c watches ids[(c * k + j) % ids.length], k = subscriptions / connections.
 */
export function startSubscribers(
  port: string,
  ids: string[],
  subscriptions: number,
  connections: number,
): SubscriberGroup {
  const share = Math.ceil(connections / WORKERS);
  const workers = Array.from({ length: WORKERS }, (_, w) =>
    startTsWorker(new URL('./fanout-client.ts', import.meta.url), {
      url: `ws://127.0.0.1:${port}/graphql`,
      query: SUBSCRIPTION,
      ids,
      firstConnection: w * share,
      connections: Math.max(0, Math.min(share, connections - w * share)),
      perConnection: subscriptions / connections,
      batch: BATCH,
      batchTimeoutMs: 60_000,
    } satisfies FanoutClientOptions),
  );
  const asks = workers.map(askWorker);
  const all = <T>(type: string) => Promise.all(asks.map((ask) => ask<T>(type)));
  return {
    open: async () => {
      await all<FanoutProgress>('open');
    },
    progress: async () =>
      (await all<FanoutProgress>('progress')).reduce((sum, p) => ({
        firsts: sum.firsts + p.firsts,
        deliveries: sum.deliveries + p.deliveries,
        duplicates: sum.duplicates + p.duplicates,
        errors: sum.errors + p.errors,
        errorSamples: [...sum.errorSamples, ...p.errorSamples],
      })),
    times: async () => {
      const received = new Map<string, number[]>();
      for (const times of await all<FanoutTimes>('times')) {
        for (const [key, values] of Object.entries(times)) {
          const merged = received.get(key);
          if (!merged) received.set(key, values);
          else for (const at of values) merged.push(at);
        }
      }
      return received;
    },
    close: async () => {
      // A worker that failed or already ended cannot answer: its thread is ended all the same.
      await all<number>('close').catch(() => {});
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
