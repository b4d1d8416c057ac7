// A/B of two gateway builds on the query path: `tsx bench/ab.ts <dirA> <dirB>`, each directory
// holding a built gateway (`<dir>/dist/server.js`), e.g. a clone of another commit after
// `npm ci && npm run build`. Pass the same directory twice for an A/A run: the noise any A/B
// must beat.
//
// A process's placement on a shared VM can outweigh what is measured, so both gateways are
// restarted for each of AB_PAIRS pairs, the one started first alternating (and so its port);
// within a pair, AB_BLOCKS blocks of AB_REQUESTS requests alternate which build goes first.
// Figures are B − A per block (p50 latency, gateway CPU per request read from /proc), as the
// median per pair and over all blocks. The load generator is this process; the simulator and
// the gateways are processes of their own.
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { SIM_KEY, SIM_SYNCS } from '../tools/simulator/index.js';
import {
  cpuMicros,
  FULL_STATUS,
  load,
  median,
  type RequestSpec,
  startProcess,
  startSimulatorProcess,
  stopProcess,
  waitFor,
} from './lib.js';

const [dirA, dirB] = process.argv.slice(2);
if (!dirA || !dirB) throw new Error('usage: tsx bench/ab.ts <dirA> <dirB>');
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const PAIRS = env('AB_PAIRS', 4);
const BLOCKS = env('AB_BLOCKS', 10);
const REQUESTS = env('AB_REQUESTS', 600);
const WARMUP = env('AB_WARMUP', 10_000);
const CONCURRENCY = env('AB_CONCURRENCY', 1);
const CACHE_TTL_MS = process.env['AB_CACHE_TTL_MS'] ?? '0';
const SYNC_NAME = process.env['AB_SYNC'] ?? 'orders';
const SYNC = (SIM_SYNCS as Record<string, string>)[SYNC_NAME];
if (!SYNC) throw new Error(`AB_SYNC must be one of ${Object.keys(SIM_SYNCS).join(', ')}`);

const spec: RequestSpec = {
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${SIM_KEY}` },
  body: JSON.stringify({ query: FULL_STATUS, variables: { id: SYNC } }),
};

const sim = await startSimulatorProcess('4410');
const builds = [
  { label: 'A', script: resolve(dirA, 'dist/server.js') },
  { label: 'B', script: resolve(dirB, 'dist/server.js') },
];

/** One block's figures for one build. */
interface Block {
  p50Ms: number;
  cpuMicros: number;
  reqPerSec: number;
}
const diffs: { p50Us: number; cpuUs: number }[][] = [];

try {
  for (let pair = 0; pair < PAIRS; pair++) {
    const order = pair % 2 === 0 ? [0, 1] : [1, 0];
    const running: { child: ChildProcess; url: string }[] = [];
    for (const [slot, i] of order.entries()) {
      const port = String(4411 + slot);
      const child = await startProcess((builds[i] as (typeof builds)[number]).script, {
        PORT: port,
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        CACHE_TTL_MS,
        POLYTOMIC_BASE_URL: sim.url,
      });
      await waitFor(`http://127.0.0.1:${port}/ready`);
      running[i] = { child, url: `http://127.0.0.1:${port}` };
    }
    const measure = async (i: number, total: number): Promise<Block> => {
      const { child, url } = running[i] as { child: ChildProcess; url: string };
      const before = cpuMicros(child.pid);
      const summary = await load(builds[i]?.label ?? '', url, spec, {
        concurrency: CONCURRENCY,
        total,
        warmup: 0,
      });
      if (summary.errors > 0)
        throw new Error(`build ${builds[i]?.label}: ${summary.errors} errors`);
      return {
        p50Ms: summary.p50Ms,
        reqPerSec: summary.reqPerSec,
        cpuMicros: (cpuMicros(child.pid) - before) / total,
      };
    };
    for (const i of order) await measure(i, WARMUP);
    const pairDiffs: { p50Us: number; cpuUs: number }[] = [];
    for (let block = 0; block < BLOCKS; block++) {
      const first = (block + pair) % 2;
      const results: Block[] = [];
      for (const i of [first, 1 - first]) results[i] = await measure(i, REQUESTS);
      const [a, b] = results as [Block, Block];
      pairDiffs.push({
        p50Us: (b.p50Ms - a.p50Ms) * 1000,
        cpuUs: b.cpuMicros - a.cpuMicros,
      });
    }
    diffs.push(pairDiffs);
    await Promise.all(running.map((r) => stopProcess(r.child)));
    const p50 = median(pairDiffs.map((d) => d.p50Us));
    const cpu = median(pairDiffs.map((d) => d.cpuUs));
    console.log(
      `pair ${pair + 1} (${order[0] === 0 ? 'A' : 'B'} started first): B − A p50 ${p50.toFixed(0)} µs, CPU ${cpu.toFixed(0)} µs/request`,
    );
  }
} finally {
  await stopProcess(sim.child);
}

const all = diffs.flat();
const pairP50 = diffs.map((pair) => median(pair.map((d) => d.p50Us)));
const pairCpu = diffs.map((pair) => median(pair.map((d) => d.cpuUs)));
const range = (values: number[]) =>
  `${Math.min(...values).toFixed(0)} to ${Math.max(...values).toFixed(0)}`;
console.log(
  `\nA ${dirA}\nB ${dirB}\nsync ${SYNC_NAME}, concurrency ${CONCURRENCY}, cache TTL ${CACHE_TTL_MS} ms; ${PAIRS} pairs × ${BLOCKS} blocks of ${REQUESTS} requests`,
);
console.log(
  `B − A, median of all blocks: p50 ${median(all.map((d) => d.p50Us)).toFixed(0)} µs, CPU ${median(all.map((d) => d.cpuUs)).toFixed(0)} µs/request`,
);
console.log(`pair medians: p50 ${range(pairP50)} µs, CPU ${range(pairCpu)} µs/request`);
