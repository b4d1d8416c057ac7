// Worker thread of the fan-out benchmark: a closed loop of GraphQL queries over HTTP at fixed
// concurrency, for as long as the rounds run, to see what a fan-out burst does to queries.
// Off the main thread for the same reason as the subscribers (bench/fanout-client.ts).
import { workerData } from 'node:worker_threads';
import { Pool } from 'undici';
import { serveRequests } from './worker-rpc.js';

export interface QueryClientOptions {
  /** http://host:port */
  origin: string;
  query: string;
  /** Rotated through, one per query. */
  ids: string[];
  concurrency: number;
}

/** What `stop` answers: each query's start (shared clock) and duration, in ms. */
export interface QuerySamples {
  starts: number[];
  durations: number[];
  errors: number;
  errorSamples: string[];
}

const options = workerData as QueryClientOptions;
const pool = new Pool(options.origin, { connections: options.concurrency, pipelining: 1 });
const samples: QuerySamples = { starts: [], durations: [], errors: 0, errorSamples: [] };
const clock = () => performance.timeOrigin + performance.now();
let running = false;
let issued = 0;
let loops: Promise<void>[] = [];

const fail = (what: string) => {
  samples.errors += 1;
  if (samples.errorSamples.length < 5) samples.errorSamples.push(what);
};

async function loop(): Promise<void> {
  while (running) {
    const id = options.ids[issued++ % options.ids.length] as string;
    const body = JSON.stringify({ query: options.query, variables: { id } });
    const start = clock();
    try {
      const response = await pool.request({
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const text = await response.body.text();
      if (response.statusCode !== 200 || text.includes('"errors"')) {
        fail(`${response.statusCode}: ${text.slice(0, 200)}`);
      }
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    }
    samples.starts.push(start);
    samples.durations.push(clock() - start);
  }
}

serveRequests({
  start: () => {
    running = true;
    loops = Array.from({ length: options.concurrency }, loop);
    return options.concurrency;
  },
  stop: async (): Promise<QuerySamples> => {
    running = false;
    await Promise.all(loops);
    await pool.close();
    return samples;
  },
});
