import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type App, type AppOptions, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import {
  createSimulator,
  SIM_KEY,
  type Simulator,
  type SimulatorOptions,
} from '../../tools/simulator/index.js';
import { leftover } from './leftovers.js';

/** A gateway wired to a fresh simulator, with its log lines captured for assertions. */
export interface TestApp {
  app: App;
  sim: Simulator;
  /** Every log line the gateway wrote, raw JSON text. */
  logs: string[];
  /** Runs one operation through `yoga.fetch` (no port). */
  query(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse>;
  /** Stops the app and its simulator (once; the leftovers list does it after the test anyway). */
  close(): Promise<void>;
}

export interface GraphQLResponse {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
  };
  text: string;
}

/** The log lines a test app wrote at error level or above. */
export function errorLogLines(t: Pick<TestApp, 'logs'>): string[] {
  return t.logs.filter((line) => JSON.parse(line).level >= 50);
}

/** `[msg, field]` of each warning a test app logged, sorted: what an operator would read. */
export function warnedFields(t: Pick<TestApp, 'logs'>): [string, string][] {
  return t.logs
    .map((line) => JSON.parse(line))
    .filter((line) => line.level === 40)
    .map((line): [string, string] => [line.msg, line.field])
    .sort();
}

/**
 * The environment every test gateway starts from: the simulator's all-seeing key as service
 * credential, the cache off (so upstream call counts are exact per operation), debug logs
 * (scanned for credentials), a free port on loopback.
 */
export function testEnv(simulatorUrl: string): Record<string, string> {
  return {
    POLYTOMIC_BASE_URL: simulatorUrl,
    POLYTOMIC_API_KEY: SIM_KEY,
    CACHE_TTL_MS: '0',
    // Most tests count every upstream call of a cadence; the event watcher's reads and the
    // longer idle period it allows have tests of their own, which turn it on.
    POLYTOMIC_EVENTS: 'off',
    LOG_LEVEL: 'debug',
    PORT: '0',
    HOST: '127.0.0.1',
  };
}

/** Every log line of every gateway in this process, for the whole-run credential scan. */
export const allLogs: string[] = [];

/**
 * A pino destination keeping a gateway's log lines, for the test's assertions and for the
 * whole-run credential scan (`allLogs`).
 */
export function captureLogs(): { logs: string[]; sink: Writable } {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      const line = String(chunk);
      logs.push(line);
      allLogs.push(line);
      done();
    },
  });
  return { logs, sink };
}

/**
 * A PERSISTED_OPERATIONS_FILE allowing `documents`, each under its SHA-256; deleted with the
 * leftovers. Returns its path.
 */
export function persistedOperationsFile(documents: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-pq-'));
  leftover('temporary directory', () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'operations.json');
  const hashed = documents.map((doc) => [createHash('sha256').update(doc).digest('hex'), doc]);
  writeFileSync(file, JSON.stringify(Object.fromEntries(hashed)));
  return file;
}

/** A started simulator on a free port, closed with the leftovers. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = createSimulator(options);
  await sim.start();
  leftover('simulator', () => sim.close());
  return sim;
}

/**
 * Starts a simulator and a gateway on it (not listening: `app.start()` for a port). `env`
 * overrides the gateway's environment. Both are closed with the leftovers.
 */
export async function startTestApp(
  env: Record<string, string | undefined> = {},
  options: Omit<AppOptions, 'logger'> = {},
  simulator: SimulatorOptions = {},
): Promise<TestApp> {
  const sim = await startSimulator(simulator);
  const { logs, sink } = captureLogs();
  const config = loadConfig({ ...testEnv(sim.url), ...env });
  const app = createApp(config, { ...options, logger: createLogger(config.logLevel, sink) });
  // Registered after the simulator, so closed before it: the app's last calls still get answers.
  const stop = leftover('test app', () => app.stop());
  return {
    app,
    sim,
    logs,
    async query(query, variables, headers = {}) {
      const response = await app.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      return { status: response.status, body: JSON.parse(text) as GraphQLResponse['body'], text };
    },
    async close() {
      await stop();
      await sim.close();
    },
  };
}
