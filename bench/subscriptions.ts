// npm run bench (subscription part): 2,000 WebSocket connections, one subscription each, over
// 20 syncs, against one gateway process. Reports memory per subscription, upstream polls per
// interval, and fan-out latency from the poll that sees a change to its subscribers receiving it.
import { readFileSync } from 'node:fs';
import {
  GATEWAY_SCRIPT,
  runningBody,
  startBenchSimulator,
  startProcess,
  stopProcess,
  subscribeToCounts,
  until,
  waitFor,
} from './lib.js';

const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 2000);
const SYNCS = 20;
const INTERVAL_MS = 1000;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 8);
const GATEWAY_PORT = '4321';

const { sim, url: simUrl, ids, now } = await startBenchSimulator(SYNCS, 'b0b00000');

const gateway = await startProcess(GATEWAY_SCRIPT, {
  PORT: GATEWAY_PORT,
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  POLYTOMIC_BASE_URL: simUrl,
  POLYTOMIC_API_KEY: 'bench_key',
  POLL_INTERVAL_MS: String(INTERVAL_MS),
  MAX_POLLERS: '100',
});
const rss = () => {
  const line = readFileSync(`/proc/${gateway.pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS'));
  return Number(line?.split(/\s+/)[1] ?? 0) * 1024;
};
await waitFor(`http://127.0.0.1:${GATEWAY_PORT}/ready`);
await new Promise((resolve) => setTimeout(resolve, 500));
const rssBefore = rss();

/** Receive times per (sync, record count), for latency. */
const subscribers = await subscribeToCounts(
  Array.from({ length: CONNECTIONS }, (_, n) => ({
    port: GATEWAY_PORT,
    id: ids[n % SYNCS] as string,
  })),
  now,
);
const { received } = subscribers;
await new Promise((resolve) => setTimeout(resolve, 1000));
const rssAfter = rss();

// Rounds: every sync changes once per interval; count upstream polls per interval meanwhile.
sim.resetRequests();
const started = now();
for (let round = 1; round <= ROUNDS; round++) {
  for (const id of ids) sim.setStatus(id, runningBody(round));
  await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
}
const elapsedIntervals = (now() - started) / INTERVAL_MS;
const polls = sim.statusCalls();
await until(
  () => ids.every((id) => (received.get(`${id}:${ROUNDS}`)?.length ?? 0) >= CONNECTIONS / SYNCS),
  10_000,
);

// Latency: for each change, from the poll that first returned it to each subscriber.
const lastSubscriber: number[] = [];
const everyDelivery: number[] = [];
for (const id of ids) {
  const pollTimes = sim.requests.filter((r) => r.syncId === id).map((r) => r.at);
  for (let round = 1; round <= ROUNDS; round++) {
    const times = received.get(`${id}:${round}`);
    if (!times?.length) continue;
    const first = Math.min(...times);
    const poll = Math.max(...pollTimes.filter((at) => at <= first));
    lastSubscriber.push(Math.max(...times) - poll);
    for (const at of times) everyDelivery.push(at - poll);
  }
}

await subscribers.dispose();
await stopProcess(gateway);
await sim.close();

const pct = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1);
};
console.log(
  `connections/subscriptions: ${CONNECTIONS}, syncs: ${SYNCS}, poll interval: ${INTERVAL_MS} ms, rounds: ${ROUNDS}`,
);
console.log(
  `gateway RSS: ${(rssBefore / 2 ** 20).toFixed(1)} MiB idle -> ${(rssAfter / 2 ** 20).toFixed(1)} MiB with subscriptions`,
);
console.log(
  `memory per subscription (RSS delta / ${CONNECTIONS}): ${((rssAfter - rssBefore) / CONNECTIONS / 1024).toFixed(1)} KiB`,
);
console.log(
  `upstream polls per interval: ${(polls / elapsedIntervals).toFixed(2)} (${polls} polls over ${elapsedIntervals.toFixed(2)} intervals; must be ${SYNCS}, one per sync; each period is the interval plus up to 5 % jitter and the upstream round trip, so slightly under)`,
);
console.log(
  `fan-out latency, poll -> last of ${CONNECTIONS / SYNCS} subscribers: p50 ${pct(lastSubscriber, 0.5)} ms, p99 ${pct(lastSubscriber, 0.99)} ms (${lastSubscriber.length} changes)`,
);
console.log(
  `fan-out latency, poll -> each subscriber: p50 ${pct(everyDelivery, 0.5)} ms, p99 ${pct(everyDelivery, 0.99)} ms (${everyDelivery.length} deliveries)`,
);
