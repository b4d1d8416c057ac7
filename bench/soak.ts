// npm run soak (not in CI): ten minutes of mixed queries and subscriptions against one gateway
// process while the simulator injects faults; reports error counts by code, latency and memory.
import { readFileSync } from 'node:fs';
import { createClient } from 'graphql-ws';
import { Pool } from 'undici';
import WebSocket from 'ws';
import {
  createSimulator,
  SIM_KEY,
  SIM_OTHER_KEY,
  SIM_OTHER_KEY_SYNCS,
  SIM_SYNCS,
} from '../tools/simulator/index.js';
import { GATEWAY_SCRIPT, startProcess, stopProcess, waitFor } from './lib.js';

const SECONDS = Number(process.env['SOAK_SECONDS'] ?? 600);
const PORT = '4331';
const QUERY_WORKERS = 8;
const SUBSCRIPTIONS = 200;

const sim = createSimulator();
const simUrl = await sim.start();
const gateway = await startProcess(GATEWAY_SCRIPT, {
  PORT,
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  POLYTOMIC_BASE_URL: simUrl,
  POLYTOMIC_API_KEY: SIM_KEY,
  POLL_INTERVAL_MS: '1000',
  POLL_IDLE_INTERVAL_MS: '5000',
  UPSTREAM_TIMEOUT_MS: '2000',
  CACHE_TTL_MS: '500',
  // As a dashboard deployment would run it (the figures in BENCHMARKS.md were taken so).
  STALE_IF_ERROR_MS: '300000',
});
await waitFor(`http://127.0.0.1:${PORT}/ready`);
const rss = () => {
  const line = readFileSync(`/proc/${gateway.pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
};

const ids = Object.values(SIM_SYNCS);
// Each key asks for syncs it may see; unknown ids are asked on purpose, one query in ten.
const visible = [ids, [...SIM_OTHER_KEY_SYNCS]] as const;
const keys = [SIM_KEY, SIM_OTHER_KEY];
const outcomes = new Map<string, number>();
const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
const latencies: number[] = [];
const memory: number[] = [rss()];
let events = 0;
let subscriptionErrors = 0;
const deadline = Date.now() + SECONDS * 1000;

// Subscriptions: spread over the syncs, half per key.
const clients = Array.from({ length: SUBSCRIPTIONS }, (_, n) => {
  const client = createClient({
    url: `ws://127.0.0.1:${PORT}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${SIM_KEY}` },
    retryAttempts: 0,
  });
  client.subscribe(
    {
      query: `subscription { bulkSync(id: "${ids[n % 4]}") { id status { currentExecution { status recordCount } } } }`,
    },
    { next: () => void events++, error: () => void subscriptionErrors++, complete: () => {} },
  );
  return client;
});

// Faults: a different one every 20 s, each for a few seconds.
const faults = [
  () => sim.inject({ kind: 'status', status: 503 }, { times: 60 }),
  () => sim.inject({ kind: 'status', status: 429, headers: { 'retry-after': '1' } }, { times: 30 }),
  () => sim.inject({ kind: 'hang' }, { times: 5 }),
  () => sim.inject({ kind: 'reset' }, { times: 20 }),
  () => sim.inject({ kind: 'malformed' }, { times: 20 }),
  () => sim.inject({ kind: 'slowBody', ms: 500 }, { times: 20 }),
];
let faultIndex = 0;
const faultTimer = setInterval(() => {
  sim.clearFaults();
  faults[faultIndex++ % faults.length]?.();
}, 20_000);
const memoryTimer = setInterval(
  () => memory.push(rss()),
  Number(process.env['SOAK_SAMPLE_MS'] ?? 30_000),
);

// Queries: closed loop, a mix of one sync, several syncs, and unknown ids.
const pool = new Pool(`http://127.0.0.1:${PORT}`, { connections: QUERY_WORKERS });
const worker = async (w: number) => {
  for (let n = 0; Date.now() < deadline; n++) {
    const own = visible[n % 2] ?? ids;
    const pick = (k: number) => own[(w + n + k) % own.length];
    const query =
      n % 10 === 9
        ? `{ bulkSync(id: "0a0a0a0a-0000-4000-8000-00000000000${w}") { id } }`
        : `{ bulkSyncs(ids: ["${pick(0)}", "${pick(1)}"]) { id status { fetchedAt stale currentExecution { status recordCount } lastExecution { status } } } }`;
    const t0 = performance.now();
    try {
      const response = await pool.request({
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${keys[n % 2]}` },
        body: JSON.stringify({ query }),
      });
      const body = (await response.body.json()) as {
        errors?: { extensions?: { code?: string } }[];
      };
      latencies.push(performance.now() - t0);
      if (!body.errors) count('ok');
      for (const error of body.errors ?? []) count(error.extensions?.code ?? 'no code');
    } catch {
      count('transport error');
    }
  }
};
await Promise.all(Array.from({ length: QUERY_WORKERS }, (_, w) => worker(w)));
clearInterval(faultTimer);
clearInterval(memoryTimer);
memory.push(rss());
const metrics = await (await fetch(`http://127.0.0.1:${PORT}/metrics`)).text();
for (const client of clients) await client.dispose();
await pool.close();
await stopProcess(gateway);
await sim.close();

latencies.sort((a, b) => a - b);
const at = (q: number) => (latencies[Math.floor(q * (latencies.length - 1))] ?? 0).toFixed(1);
console.log(
  `soak: ${SECONDS} s, ${QUERY_WORKERS} query workers, ${SUBSCRIPTIONS} WebSocket subscriptions, faults rotating every 20 s`,
);
console.log(`queries: ${latencies.length}, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`);
console.log(
  `outcomes (per result, errors by extensions.code): ${JSON.stringify(Object.fromEntries(outcomes))}`,
);
console.log(
  `subscription events: ${events}, subscription errors/disconnects: ${subscriptionErrors}`,
);
console.log(`gateway RSS MiB every 30 s: ${memory.map((m) => m.toFixed(0)).join(' ')}`);
console.log(
  `upstream calls by outcome: ${metrics
    .split('\n')
    .filter((l) => l.startsWith('polytomic_upstream_requests_total'))
    .join('; ')}`,
);
console.log(
  `polls: ${metrics
    .split('\n')
    .filter((l) => l.startsWith('gateway_polls_total'))
    .join('; ')}`,
);
