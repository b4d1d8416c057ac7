// Redis scale-out: 3 gateway processes sharing one Redis (REDIS_URL, one fresh namespace),
// 3,000 WebSocket subscriptions spread over the 3 replicas and 30 syncs, an in-process simulator
// whose 30 syncs change once per interval for 8 intervals. Reports upstream polls per interval
// (one per sync in total, not one per replica), cross-replica fan-out latency (poll that sees a
// change -> last subscriber on any replica) and Redis traffic per change.
//
//   node scripts/ensure-built.mjs && tsx bench/replicas.ts
//
// Redis: REDIS_URL when set (its INFO counters are server-wide: run it while nothing else uses
// that Redis); otherwise a private `redis-server` on a free local port, started and stopped here,
// so the traffic figures are this benchmark's alone.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { redisPrefix } from '../src/datasources/live/redis/connection.js';
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

const REPLICAS = 3;
const SUBSCRIPTIONS = Number(process.env['BENCH_SUBSCRIPTIONS'] ?? 3000);
const SYNCS = 30;
const INTERVAL_MS = 1000;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 8);
const FIRST_PORT = 4331;
const NAMESPACE = `bench-${randomUUID()}`;

const privateRedis = process.env['REDIS_URL'] ? undefined : await startRedisServer();
const REDIS_URL = process.env['REDIS_URL'] ?? (privateRedis?.url as string);
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
await redis.ping();
const { sim, url: simUrl, ids, now } = await startBenchSimulator(SYNCS, 'b0b10000');

const ports = Array.from({ length: REPLICAS }, (_, i) => FIRST_PORT + i);
const gateways = await Promise.all(
  ports.map((port) =>
    startProcess(GATEWAY_SCRIPT, {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      POLYTOMIC_BASE_URL: simUrl,
      POLYTOMIC_API_KEY: 'bench_key',
      POLL_INTERVAL_MS: String(INTERVAL_MS),
      MAX_POLLERS: '100',
      REDIS_URL,
      REDIS_NAMESPACE: NAMESPACE,
      CREDENTIAL_HASH_SECRET: 'bench-secret-0123456789',
    }),
  ),
);
for (const port of ports) {
  await waitFor(`http://127.0.0.1:${port}/ready`);
  await until(async () => (await metric(port, 'gateway_redis_up')) === 1, 10_000);
}

/** Receive times per (sync, record count), over every replica. */
const subscribers = await subscribeToCounts(
  // Sync n % 30 and replica floor(n / 30) % 3: every sync has subscribers on every replica.
  Array.from({ length: SUBSCRIPTIONS }, (_, n) => ({
    port: ports[Math.floor(n / SYNCS) % REPLICAS] as number,
    id: ids[n % SYNCS] as string,
  })),
  now,
);
const { received } = subscribers;
await sleep(1000);

// Rounds: every sync changes once per interval; count upstream polls and Redis traffic meanwhile.
const pollsBefore = await Promise.all(ports.map((port) => metric(port, 'gateway_polls_total')));
const redisBefore = await redisCounters();
sim.resetRequests();
const started = now();
for (let round = 1; round <= ROUNDS; round++) {
  for (const id of ids) sim.setStatus(id, runningBody(round));
  await sleep(INTERVAL_MS);
}
const elapsedIntervals = (now() - started) / INTERVAL_MS;
const polls = sim.statusCalls();
const perSync = SUBSCRIPTIONS / SYNCS;
await until(
  () => ids.every((id) => (received.get(`${id}:${ROUNDS}`)?.length ?? 0) >= perSync),
  10_000,
);
const redisAfter = await redisCounters();
const pollsAfter = await Promise.all(ports.map((port) => metric(port, 'gateway_polls_total')));

// Latency: for each change, from the poll that first returned it to the last subscriber.
const lastSubscriber: number[] = [];
const everyDelivery: number[] = [];
let duplicates = 0;
let missing = 0;
for (const id of ids) {
  const pollTimes = sim.requests.filter((r) => r.syncId === id).map((r) => r.at);
  for (let round = 1; round <= ROUNDS; round++) {
    const times = received.get(`${id}:${round}`);
    if (!times?.length) continue;
    duplicates += Math.max(0, times.length - perSync);
    missing += Math.max(0, perSync - times.length);
    const first = Math.min(...times);
    const poll = Math.max(...pollTimes.filter((at) => at <= first));
    lastSubscriber.push(Math.max(...times) - poll);
    for (const at of times) everyDelivery.push(at - poll);
  }
}
const changes = lastSubscriber.length;
// Two replicas polling one sync would leave gaps well under an interval between its polls.
const gaps: number[] = [];
for (const id of ids) {
  const times = sim.requests.filter((r) => r.syncId === id).map((r) => r.at);
  for (let i = 1; i < times.length; i++) gaps.push((times[i] as number) - (times[i - 1] as number));
}
const smallestGap = Math.min(...gaps);

await subscribers.dispose();
await Promise.all(gateways.map(stopProcess));
await sim.close();
const leftover = await scan(`${NAMESPACE}:*`);
const leases = leftover.filter((key) => key.startsWith(`${redisPrefix(NAMESPACE)}:lease:`)).length;
if (leftover.length > 0) await redis.del(...leftover);
redis.disconnect();
if (privateRedis) {
  privateRedis.child.kill('SIGTERM');
  await once(privateRedis.child, 'exit');
}

const pct = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1);
};
const delta = (name: string) => (redisAfter[name] ?? 0) - (redisBefore[name] ?? 0);
const perChange = (n: number) => (n / changes).toFixed(2);
const pollsByReplica = pollsAfter.map((n, i) => n - (pollsBefore[i] ?? 0));

console.log(`## Redis scale-out (\`bench/replicas.ts\`)\n`);
console.log(
  `${REPLICAS} replicas (\`dist/server.js\`), ${SUBSCRIPTIONS} graphql-ws subscriptions (one connection each) over ${SYNCS} syncs, POLL_INTERVAL_MS ${INTERVAL_MS}, ${ROUNDS} rounds of one change per sync; Redis ${REDIS_URL}${privateRedis ? ' (private redis-server)' : ''}, namespace \`${NAMESPACE}\`.\n`,
);
console.log('| figure | value |');
console.log('|---|---|');
console.log(
  `| upstream polls per interval, all replicas | **${(polls / elapsedIntervals).toFixed(2)}** (${polls} polls over ${elapsedIntervals.toFixed(2)} intervals; must be ${SYNCS}, one per sync; each period is the interval plus up to 5 % jitter and the upstream round trip, so slightly under) |`,
);
console.log(
  `| gap between two polls of one sync: smallest / p50 / largest | ${smallestGap.toFixed(0)} / ${pct(gaps, 0.5)} / ${Math.max(...gaps).toFixed(0)} ms (one poller per sync: never under the interval) |`,
);
console.log(`| polls by replica over the rounds | ${pollsByReplica.join(' / ')} |`);
console.log(
  `| changes delivered | ${changes} of ${SYNCS * ROUNDS} made (a change replaced before the next poll is never seen) |`,
);
console.log(
  `| deliveries missing / duplicated / subscription errors | ${missing} / ${duplicates} / ${subscribers.errors()} |`,
);
console.log(
  `| fan-out latency, poll -> last of ${perSync} subscribers on any replica | p50 **${pct(lastSubscriber, 0.5)} ms**, p99 **${pct(lastSubscriber, 0.99)} ms** |`,
);
console.log(
  `| fan-out latency, poll -> each subscriber | p50 ${pct(everyDelivery, 0.5)} ms, p99 ${pct(everyDelivery, 0.99)} ms (${everyDelivery.length} deliveries) |`,
);
console.log(
  `| Redis commands per change (all: \`total_commands_processed\`) | ${perChange(delta('total_commands_processed'))} |`,
);
const byCommand = Object.keys(redisAfter)
  .filter((name) => name.startsWith('cmdstat_') && delta(name) > 0)
  .sort((a, b) => delta(b) - delta(a))
  .map((name) => `${name.slice('cmdstat_'.length)} ${perChange(delta(name))}`);
console.log(
  `| per change by command (\`INFO commandstats\`; includes commands run inside the lease scripts and the benchmark's own INFO) | ${byCommand.join(', ')} |`,
);
console.log(
  `| Redis bytes in / out per change (\`total_net_input_bytes\` / \`_output_bytes\`) | ${perChange(delta('total_net_input_bytes'))} / ${perChange(delta('total_net_output_bytes'))} |`,
);
console.log(`| lease keys left after every replica stopped | ${leases} |`);

/** INFO stats and INFO commandstats counters (calls per command as `cmdstat_<name>`). */
async function redisCounters(): Promise<Record<string, number>> {
  const counters: Record<string, number> = {};
  for (const line of (await redis.info('stats')).split('\r\n')) {
    const [name, value] = line.split(':');
    if (name && value && /^\d+$/.test(value)) counters[name] = Number(value);
  }
  for (const line of (await redis.info('commandstats')).split('\r\n')) {
    const match = /^(cmdstat_[\w|]+):calls=(\d+)/.exec(line);
    if (match) counters[match[1] as string] = Number(match[2]);
  }
  return counters;
}

async function scan(pattern: string): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) keys.add(key);
  } while (cursor !== '0');
  return [...keys];
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A redis-server of this benchmark only, on a free port, without persistence. */
async function startRedisServer(): Promise<{ url: string; child: ChildProcess }> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise((resolve) => probe.close(resolve));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => {});
  for (let i = 0; ; i++) {
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return { url, child };
    } catch {
      client.disconnect();
      if (i > 100 || child.exitCode !== null) throw new Error('redis-server did not start');
      await sleep(50);
    }
  }
}
