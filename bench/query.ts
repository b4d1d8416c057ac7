// npm run bench (query part): a full-status query through the gateway against direct GETs to
// the same simulator, in the same run, at fixed concurrency, cache off and on. Rows are measured
// in many short interleaved rounds (direct, pass-through, cache off, cache on, each round
// starting one row later), so the slow moments of a shared VM hit every row alike; each figure
// is the median over the rounds, and the overhead and the cache ratio are taken within each
// round before the median.
import type { ChildProcess } from 'node:child_process';
import { SIM_KEY, SIM_SYNCS } from '../tools/simulator/index.js';
import {
  cpuMicros,
  FULL_STATUS,
  GATEWAY_SCRIPT,
  load,
  median,
  type RequestSpec,
  type Summary,
  startProcess,
  startSimulatorProcess,
  stopProcess,
  waitFor,
} from './lib.js';

const SIM_PORT = '4310';
// Which simulated sync the full-status query reads (`BENCH_SYNC`, a key of SIM_SYNCS): `orders`
// cycles idle → running → completed every 32 s, like real traffic; `backfill` is always running
// (a new body on every call), `idle` never changes (the same body on every call).
const SYNC_NAME = process.env['BENCH_SYNC'] ?? 'orders';
const SYNC = (SIM_SYNCS as Record<string, string>)[SYNC_NAME];
if (!SYNC) throw new Error(`BENCH_SYNC must be one of ${Object.keys(SIM_SYNCS).join(', ')}`);
const TOTAL = Number(process.env['BENCH_REQUESTS'] ?? 600);
const ROUNDS = Number(process.env['BENCH_QUERY_ROUNDS'] ?? 15);
// V8 optimises hot code only after thousands of calls, and the gateway's per-request cost
// keeps falling for ~10,000 requests (measured block by block): the first round warms up long.
const WARMUP = { first: 10_000, later: 100 };

const direct: RequestSpec = {
  method: 'GET',
  path: `/api/bulk/syncs/${SYNC}/status`,
  headers: { authorization: `Bearer ${SIM_KEY}`, 'x-polytomic-version': '2025-09-18' },
};
const viaGateway: RequestSpec = {
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${SIM_KEY}` },
  body: JSON.stringify({ query: FULL_STATUS, variables: { id: SYNC } }),
};

interface Target {
  label: string;
  url: string;
  spec: RequestSpec;
  /** The process whose CPU per request is reported (none for the simulator itself). */
  process?: ChildProcess;
}

const { child: sim, url: simUrl } = await startSimulatorProcess(SIM_PORT);
const gateway = async (port: string, ttl: string) => {
  const child = await startProcess(GATEWAY_SCRIPT, {
    PORT: port,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    CACHE_TTL_MS: ttl,
    POLYTOMIC_BASE_URL: simUrl,
  });
  await waitFor(`http://127.0.0.1:${port}/ready`);
  return child;
};
const passThrough = await startProcess(
  'bench/passthrough.mjs',
  { PORT: '4313', UPSTREAM: simUrl },
  /pass-through ready/,
);
const cacheOff = await gateway('4311', '0');
const cacheOn = await gateway('4312', '60000');

const targets: Target[] = [
  { label: 'direct GET to simulator', url: simUrl, spec: direct },
  {
    label: 'bare HTTP pass-through (floor)',
    url: 'http://127.0.0.1:4313',
    spec: viaGateway,
    process: passThrough,
  },
  {
    label: 'gateway, cache off',
    url: 'http://127.0.0.1:4311',
    spec: viaGateway,
    process: cacheOff,
  },
  {
    label: 'gateway, cache on (hot)',
    url: 'http://127.0.0.1:4312',
    spec: viaGateway,
    process: cacheOn,
  },
];

interface Row extends Summary {
  cpuMicrosPerRequest: number;
}

const results: { concurrency: number; rounds: Row[][] }[] = [];
try {
  for (const concurrency of [1, 16]) {
    const rounds: Row[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const warmup = round === 0 ? WARMUP.first : WARMUP.later;
      const rows: Row[] = [];
      // Each round starts one row later, so every row takes its turn at leading the round.
      for (const i of targets.map((_, k) => (k + round) % targets.length)) {
        const target = targets[i] as Target;
        const before = cpuMicros(target.process?.pid);
        const summary = await load(target.label, target.url, target.spec, {
          concurrency,
          total: TOTAL,
          warmup,
        });
        const used = cpuMicros(target.process?.pid) - before;
        rows[i] = { ...summary, cpuMicrosPerRequest: used / (TOTAL + warmup) };
      }
      rounds.push(rows);
    }
    results.push({ concurrency, rounds });
  }
} finally {
  await Promise.all([cacheOff, cacheOn, passThrough, sim].map(stopProcess));
}

console.log(
  `sync ${SYNC_NAME}; ${ROUNDS} interleaved rounds of ${TOTAL} requests per row (after ${WARMUP.first} warm-up in the first, ${WARMUP.later} later); medians over rounds\n`,
);
console.log('| run | concurrency | req/s | p50 ms | p99 ms | CPU µs/request | errors |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const { concurrency, rounds } of results) {
  targets.forEach((target, i) => {
    const of = (pick: (row: Row) => number) => median(rounds.map((rows) => pick(rows[i] as Row)));
    const cpu = target.process ? of((r) => r.cpuMicrosPerRequest).toFixed(0) : '–';
    const errors = rounds.reduce((sum, rows) => sum + (rows[i]?.errors ?? 0), 0);
    console.log(
      `| ${target.label} | ${concurrency} | ${of((r) => r.reqPerSec)} | ${of((r) => r.p50Ms).toFixed(3)} | ${of((r) => r.p99Ms).toFixed(3)} | ${cpu} | ${errors} |`,
    );
  });
}

const [DIRECT, FLOOR, OFF, ON] = [0, 1, 2, 3]; // positions in `targets`
const paired = (concurrency: number, f: (rows: Row[]) => number) => {
  const found = results.find((r) => r.concurrency === concurrency);
  const values = found ? found.rounds.map(f) : [];
  return { median: median(values), all: values.map((v) => v.toFixed(2)).join(', ') };
};
const p50 = (rows: Row[], i: number) => (rows[i] as Row).p50Ms;
const rps = (rows: Row[], i: number) => (rows[i] as Row).reqPerSec;
const overhead = paired(1, (rows) => p50(rows, OFF) - p50(rows, DIRECT));
const floor = paired(1, (rows) => p50(rows, FLOOR) - p50(rows, DIRECT));
console.log(
  `\ngateway overhead at p50, cache off, concurrency 1: ${overhead.median.toFixed(3)} ms (target <= 0.5; per round ${overhead.all})`,
);
// What GraphQL adds on top of the extra HTTP hop: the part of the overhead the gateway's own
// code decides. The hop's own cost is the machine's, and it swings with the VM's speed.
const aboveFloor = paired(1, (rows) => p50(rows, OFF) - p50(rows, FLOOR));
console.log(
  `bare pass-through overhead at p50, concurrency 1: ${floor.median.toFixed(3)} ms (per round ${floor.all})`,
);
console.log(
  `gateway p50 above the bare pass-through, cache off, concurrency 1: ${aboveFloor.median.toFixed(3)} ms (per round ${aboveFloor.all})`,
);
for (const concurrency of [1, 16]) {
  const ratio = paired(concurrency, (rows) => rps(rows, ON) / rps(rows, OFF));
  console.log(
    `cache on / cache off req/s at concurrency ${concurrency}: ${ratio.median.toFixed(2)}x (target >= 2; per round ${ratio.all})`,
  );
}
