// Small load-generation kit for the benchmarks: child processes for the systems under test, a
// closed-loop client at fixed concurrency, and percentile summaries.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { createClient } from 'graphql-ws';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { createSimulator, type Simulator } from '../tools/simulator/index.js';

export interface Summary {
  label: string;
  concurrency: number;
  requests: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** The gateway entry the benchmarks run (`BENCH_GATEWAY`, e.g. another build's). */
export const GATEWAY_SCRIPT = process.env['BENCH_GATEWAY'] ?? 'dist/server.js';

/** The full-status selection of `bulkSync(id)`: every field of every status type. */
export const FULL_STATUS = /* GraphQL */ `query Full($id: ID!) { bulkSync(id: $id) { id status {
  currentExecution { ...E } lastExecution { ...E }
  ingestionStatus { enabled isRunning status rawStatus statusMessage highwaterMark position positionTime updatedAt }
  nextExecutionTime } } }
fragment E on Execution { id status rawStatus statusMessage type fetchMode outputDisposition isPartial isResync isTest
  recordCount errorCount warningCount createdAt startedAt completedAt updatedAt
  schemas { schema outputName status rawStatus statusMessage recordCount errorCount warningCount createdAt startedAt completedAt updatedAt } }`;

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/**
 * Starts `node [...nodeArgs] <script>` and resolves once it printed a line matching `ready` (or
 * at once without one). `onLine`, when given, is told each whole line the process prints on
 * stdout, for as long as it runs (a benchmark that asks the process for readings).
 */
export async function startProcess(
  script: string,
  env: Record<string, string>,
  ready = /(?:)/,
  nodeArgs: string[] = [],
  onLine?: (line: string) => void,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let seen = '';
  // A chunk may end mid-line: the rest waits for the next chunk.
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    seen += text;
    if (!onLine) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  const started = Date.now();
  while (!ready.test(seen)) {
    if (child.exitCode !== null) throw new Error(`${script} exited early: ${seen}`);
    if (Date.now() - started > 15_000) throw new Error(`${script} did not start: ${seen}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return child;
}

/** The Polytomic simulator in a process of its own (run from source), on `port`. */
export async function startSimulatorProcess(port: string) {
  const child = await startProcess(
    'tools/simulator/main.ts',
    { SIMULATOR_PORT: port },
    /simulator on/,
    ['--import', 'tsx'],
  );
  return { child, url: `http://127.0.0.1:${port}` };
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/**
 * A worker thread running a TypeScript file. On Node 20 a worker does not inherit tsx's loader
 * and `execArgv: ['--import', 'tsx']` fails on the .ts extension, so a one-line ESM bootstrap
 * registers tsx in the worker first and then imports the file.
 */
export function startTsWorker(file: URL, workerData: unknown): Worker {
  const api = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Runs `total` requests (after `warmup`) with `concurrency` in flight; every body is read. */
export async function load(
  label: string,
  origin: string,
  spec: RequestSpec,
  options: { concurrency: number; total: number; warmup: number },
): Promise<Summary> {
  const pool = new Pool(origin, { connections: options.concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const target = options.warmup + options.total;
  let measuredStart = 0;
  const worker = async () => {
    while (issued < target) {
      const n = issued++;
      if (n === options.warmup) measuredStart = performance.now();
      const t0 = performance.now();
      const response = await pool.request({ ...spec, body: spec.body ?? null });
      const text = await response.body.text();
      const ms = performance.now() - t0;
      if (response.statusCode !== 200 || text.includes('"errors"')) errors++;
      if (n >= options.warmup) latencies.push(ms);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsed = (performance.now() - measuredStart) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    label,
    concurrency: options.concurrency,
    requests: latencies.length,
    reqPerSec: Math.round(latencies.length / elapsed),
    p50Ms: Number(at(0.5).toFixed(3)),
    p99Ms: Number(at(0.99).toFixed(3)),
    errors,
  };
}

/** CPU time (user + system, all threads) a process has used so far, in µs; Linux only, else NaN. */
export function cpuMicros(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks (USER_HZ, 100 on Linux: 10 ms).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
}

export function printTable(rows: Summary[]): void {
  console.log('| run | concurrency | requests | req/s | p50 ms | p99 ms | errors |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.label} | ${r.concurrency} | ${r.requests} | ${r.reqPerSec} | ${r.p50Ms} | ${r.p99Ms} | ${r.errors} |`,
    );
  }
}

/** Resolves once `condition` holds; fails the benchmark after `timeoutMs`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('benchmark condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves once `url` answers 2xx (a started server's /ready). */
export async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${url} never became ready`);
}

/** A running sync's status body whose only moving part is its record count. */
export function runningBody(count: number): string {
  return JSON.stringify({
    data: {
      current_execution: {
        id: 'e0000000-0000-4000-8000-000000000001',
        status: 'running',
        record_count: count,
        created_at: '2026-01-01T00:00:00Z',
        started_at: '2026-01-01T00:00:01Z',
        schemas: null,
      },
      next_execution_time: null,
    },
  });
}

/**
 * A simulator on a fine-grained shared clock (so poll and receive times compare), serving
 * `count` running syncs to `bench_key`, with ids made from `prefix`.
 */
export async function startBenchSimulator(count: number, prefix: string) {
  const now = () => performance.timeOrigin + performance.now();
  // The latency figures read the time of every poll, so the log keeps all of a run's requests.
  const sim: Simulator = createSimulator({ port: 0, now, requestLogSize: 1_000_000 });
  const url = await sim.start();
  const ids = Array.from(
    { length: count },
    (_, n) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`,
  );
  for (const id of ids) sim.addSync(id, runningBody(0), { keys: ['bench_key'] });
  return { sim, url, ids, now };
}

const COUNT_SUBSCRIPTION = /* GraphQL */ `subscription ($id: ID!) { bulkSync(id: $id) { id status { currentExecution { recordCount } } } }`;

/**
 * Opens one WebSocket subscription to the record count of each target's sync and resolves once
 * every one has had its first event (opened in batches of 100, so the gateway is not flooded).
 * `received` holds, per `${id}:${count}`, when each subscriber got that count.
 */
export async function subscribeToCounts(
  targets: { port: number | string; id: string }[],
  now: () => number,
) {
  const received = new Map<string, number[]>();
  const clients: ReturnType<typeof createClient>[] = [];
  let initial = 0;
  let errors = 0;
  for (const [n, { port, id }] of targets.entries()) {
    const client = createClient({
      url: `ws://127.0.0.1:${port}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    clients.push(client);
    client.subscribe<{ bulkSync: { status: { currentExecution: { recordCount: number } } } }>(
      { query: COUNT_SUBSCRIPTION, variables: { id } },
      {
        next: (result) => {
          const count = result.data?.bulkSync.status.currentExecution.recordCount ?? -1;
          if (count === 0) initial++;
          const key = `${id}:${count}`;
          const times = received.get(key) ?? [];
          times.push(now());
          received.set(key, times);
        },
        error: (error) => {
          errors++;
          console.error('subscription error', error);
        },
        complete: () => {},
      },
    );
    if (n % 100 === 99) await until(() => initial >= n + 1);
  }
  await until(() => initial >= targets.length);
  return {
    received,
    errors: () => errors,
    dispose: () => Promise.all(clients.map((client) => client.dispose())),
  };
}
