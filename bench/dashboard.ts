// npm run bench (dashboard part): the v2 dashboard query (a page of 20 syncs with their names,
// schedules, connections and latest runs) beside the v1 full-status query of one sync, through
// the built gateway, cold (nothing reused across requests) and hot (catalogue and response
// caches on), at concurrency 1 and 16. Upstream calls per request are read from the gateway's
// own /metrics. The load generator is this process; simulator and gateways run in their own.
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

const TOTAL = Number(process.env['BENCH_REQUESTS'] ?? 1000);
const ROUNDS = Number(process.env['BENCH_DASHBOARD_ROUNDS'] ?? 5);
const WARMUP = 2000;

const DASHBOARD = /* GraphQL */ `query Dashboard { allBulkSyncs(first: 20) { nodes {
  id name active schedule { frequency hour minute }
  source { name typeName logoUrl } destination { name typeName logoUrl }
  status { latestExecution { status recordCount startedAt completedAt } nextExecutionTime } }
  pageInfo { hasNextPage endCursor } } }`;

const post = (body: object): RequestSpec => ({
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${SIM_KEY}` },
  body: JSON.stringify(body),
});
const queries = {
  'v1 full status (1 sync)': post({ query: FULL_STATUS, variables: { id: SIM_SYNCS.orders } }),
  'v2 dashboard (20 syncs)': post({ query: DASHBOARD }),
};

const sim = await startSimulatorProcess('4330');
const modes = {
  cold: { CACHE_TTL_MS: '0', CATALOG_TTL_MS: '0' },
  hot: { CACHE_TTL_MS: '60000', CATALOG_TTL_MS: '60000' },
};

/** Upstream attempts the gateway has made so far, from its own /metrics. */
async function upstreamCalls(port: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('polytomic_upstream_requests_total{'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

console.log(
  `${ROUNDS} rounds of ${TOTAL} requests per row (after ${WARMUP} warm-up); medians over rounds\n`,
);
console.log(
  '| query | caches | concurrency | req/s | p50 ms | p99 ms | CPU µs/request | upstream calls/request |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
try {
  for (const [mode, env] of Object.entries(modes)) {
    for (const [label, spec] of Object.entries(queries)) {
      const port = '4331';
      const gateway = await startProcess(GATEWAY_SCRIPT, {
        PORT: port,
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        POLYTOMIC_BASE_URL: sim.url,
        ...env,
      });
      await waitFor(`http://127.0.0.1:${port}/ready`);
      const url = `http://127.0.0.1:${port}`;
      await load(label, url, spec, { concurrency: 1, total: WARMUP, warmup: 0 });
      for (const concurrency of [1, 16]) {
        const rows: (Summary & { cpu: number; calls: number })[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const [cpu, calls] = [cpuMicros(gateway.pid), await upstreamCalls(port)];
          const summary = await load(label, url, spec, { concurrency, total: TOTAL, warmup: 0 });
          if (summary.errors > 0) throw new Error(`${label}: ${summary.errors} errors`);
          rows.push({
            ...summary,
            cpu: (cpuMicros(gateway.pid) - cpu) / TOTAL,
            calls: ((await upstreamCalls(port)) - calls) / TOTAL,
          });
        }
        const of = (pick: (row: (typeof rows)[number]) => number) => median(rows.map(pick));
        console.log(
          `| ${label} | ${mode} | ${concurrency} | ${of((r) => r.reqPerSec)} | ${of((r) => r.p50Ms).toFixed(3)} | ${of((r) => r.p99Ms).toFixed(3)} | ${of((r) => r.cpu).toFixed(0)} | ${of((r) => r.calls).toFixed(2)} |`,
        );
      }
      await stopProcess(gateway);
    }
  }
} finally {
  await stopProcess(sim.child);
}
