// What a subscription's memory is made of: heap snapshots of the built gateway, idle and with
// BENCH_HEAP_SUBS subscriptions over BENCH_HEAP_CONNS WebSocket connections (same document and
// spread as bench/subscriptions.ts), each after a full GC; prints the 25 kinds of object that
// grew most, in bytes per subscription (self size, grouped by node type and name).
//
//   npx tsx bench/heap-summary.ts     (not part of npm run bench; BENCH_GATEWAY as elsewhere)
//
// The snapshots are written to os.tmpdir() by the gateway (bench/gc-signal.mjs) and deleted.
import { rmSync } from 'node:fs';
import { gatewayEnv, type Shape } from './fanout-shape.js';
import { type SubscriberGroup, startSubscribers } from './fanout-subscribers.js';
import { type ProbedGateway, startProbedGateway } from './gateway-probe.js';
import { diffSummaries, summarizeSnapshot, totalBytes } from './heap-snapshot.js';
import { GATEWAY_SCRIPT, startBenchSimulator } from './lib.js';

type Summary = ReturnType<typeof summarizeSnapshot>;

const SUBSCRIPTIONS = Number(process.env['BENCH_HEAP_SUBS'] ?? 2000);
const CONNECTIONS = Number(process.env['BENCH_HEAP_CONNS'] ?? 200);
const TOP = 25;

if (!CONNECTIONS || SUBSCRIPTIONS % CONNECTIONS !== 0) {
  throw new Error('BENCH_HEAP_CONNS must divide BENCH_HEAP_SUBS');
}
const shape: Shape = { subscriptions: SUBSCRIPTIONS, connections: CONNECTIONS, stretch: false };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const { sim, url: simUrl, ids } = await startBenchSimulator(20, 'b0b00000');
const snapshots: string[] = [];
let gateway: ProbedGateway | undefined;
let subscribers: SubscriberGroup | undefined;
try {
  try {
    gateway = await startProbedGateway(gatewayEnv(simUrl, shape, 1000));
    await sleep(500);
    snapshots.push(await gateway.heapSnapshot());
    subscribers = startSubscribers(gateway.port, ids, SUBSCRIPTIONS, CONNECTIONS);
    await subscribers.open();
    await sleep(1000);
    snapshots.push(await gateway.heapSnapshot());
  } finally {
    await subscribers?.close();
    await gateway?.stop();
    await sim.close();
  }
  printSummary(...(snapshots.map(summarizeSnapshot) as [Summary, Summary]));
} finally {
  // After the gateway's exit: no snapshot is still being written.
  for (const path of snapshots) rmSync(path, { force: true });
}

function printSummary(idle: Summary, subscribed: Summary): void {
  const perSub = (bytes: number) => (bytes / SUBSCRIPTIONS).toFixed(1);
  const mib = (summary: Summary) => (totalBytes(summary) / 2 ** 20).toFixed(1);
  console.log(
    `${GATEWAY_SCRIPT}: ${SUBSCRIPTIONS} subscriptions over ${CONNECTIONS} connections; heap (snapshot self sizes) ${mib(idle)} MiB idle -> ${mib(subscribed)} MiB`,
  );
  console.log('\n| bytes/sub | objects/sub | type:name |');
  console.log('|---:|---:|---|');
  for (const [key, { bytes, count }] of diffSummaries(idle, subscribed).slice(0, TOP)) {
    console.log(`| ${perSub(bytes)} | ${(count / SUBSCRIPTIONS).toFixed(2)} | ${key} |`);
  }
  const total = totalBytes(subscribed) - totalBytes(idle);
  console.log(`| ${perSub(total)} | | total per subscription (all kinds) |`);
}
