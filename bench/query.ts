// npm run bench (query part): a full-status query through the gateway against direct GETs to
// the same simulator, in the same run, at fixed concurrency, cache off and on.
import { SIM_KEY, SIM_SYNCS } from '../src/simulator/index.js';
import {
  load,
  printTable,
  type RequestSpec,
  type Summary,
  startProcess,
  stopProcess,
  waitFor,
} from './lib.js';

const SIM_PORT = '4310';
const GATEWAY_PORT = { off: '4311', on: '4312' };
const SYNC = SIM_SYNCS.orders;
const TOTAL = Number(process.env['BENCH_REQUESTS'] ?? 4000);

const FULL_STATUS = /* GraphQL */ `query Full($id: ID!) { bulkSync(id: $id) { id status {
  currentExecution { ...E } lastExecution { ...E }
  ingestionStatus { enabled isRunning status rawStatus statusMessage highwaterMark position positionTime updatedAt }
  nextExecutionTime } } }
fragment E on Execution { id status rawStatus statusMessage type fetchMode outputDisposition isPartial isResync isTest
  recordCount errorCount warningCount createdAt startedAt completedAt updatedAt
  schemas { schema outputName status rawStatus statusMessage recordCount errorCount warningCount createdAt startedAt completedAt updatedAt } }`;

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

const sim = await startProcess(
  'dist/simulator/main.js',
  { SIMULATOR_PORT: SIM_PORT },
  /simulator on/,
);
const gateway = (port: string, ttl: string) =>
  startProcess('dist/server.js', {
    PORT: port,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    CACHE_TTL_MS: ttl,
    POLYTOMIC_BASE_URL: `http://127.0.0.1:${SIM_PORT}`,
  }).then(async (child) => {
    await waitFor(`http://127.0.0.1:${port}/ready`);
    return child;
  });
const cacheOff = await gateway(GATEWAY_PORT.off, '0');
const cacheOn = await gateway(GATEWAY_PORT.on, '60000');

const simUrl = `http://127.0.0.1:${SIM_PORT}`;
const offUrl = `http://127.0.0.1:${GATEWAY_PORT.off}`;
const onUrl = `http://127.0.0.1:${GATEWAY_PORT.on}`;
const rows: Summary[] = [];
try {
  for (const concurrency of [1, 16]) {
    const opts = { concurrency, total: TOTAL, warmup: 500 };
    rows.push(await load('direct GET to simulator', simUrl, direct, opts));
    rows.push(await load('gateway, cache off', offUrl, viaGateway, opts));
    rows.push(await load('gateway, cache on (hot)', onUrl, viaGateway, opts));
  }
} finally {
  await Promise.all([stopProcess(cacheOff), stopProcess(cacheOn), stopProcess(sim)]);
}

printTable(rows);
const find = (label: string, c: number) =>
  rows.find((r) => r.label === label && r.concurrency === c);
const d1 = find('direct GET to simulator', 1);
const off1 = find('gateway, cache off', 1);
const off16 = find('gateway, cache off', 16);
const on16 = find('gateway, cache on (hot)', 16);
if (d1 && off1 && off16 && on16) {
  console.log(
    `\ngateway overhead at p50, cache off, concurrency 1: ${(off1.p50Ms - d1.p50Ms).toFixed(3)} ms (target <= 0.5)`,
  );
  console.log(
    `cache on / cache off req/s at concurrency 16: ${(on16.reqPerSec / off16.reqPerSec).toFixed(2)}x (target >= 2)`,
  );
}
