import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SIM_CATALOGUE_SYNCS, SIM_KEY, type Simulator } from '../tools/simulator/index.js';
import { envelope, syncId } from './fixtures/status.js';
import { expectClean, SIM_SECRETS } from './utils/leaks.js';
import { leftover } from './utils/leftovers.js';
import { persistLogLines } from './utils/log-capture.js';
import { freePort, occupyPort, refused } from './utils/net.js';
import { ONE_SYNC, SUB_COUNT } from './utils/operations.js';
import { ROOT, spawnNode } from './utils/processes.js';
import { startSimulator } from './utils/test-app.js';
import { until } from './utils/wait.js';
import { watch, wsClient } from './utils/ws.js';

// The gateway as a process: `src/server.ts` refusing a bad configuration, and the built
// `dist/server.js` answering contract v2 from outside and stopping on SIGTERM.

describe('the gateway process with a bad configuration', () => {
  it('exits 1 naming each bad variable, without a stack trace', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: {
        PATH: process.env['PATH'],
        PORT: '99999',
        LOG_LEVEL: 'chatty',
        POLYTOMIC_API_KEY: 'secret-key-1',
      },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'Invalid configuration:\n' +
        '  - PORT: must be at most 65535\n' +
        '  - LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent\n',
    );
    expect(result.stdout).toBe('');
  });

  it('exits 1 naming PORT, without a stack trace, when the port is taken', async () => {
    const port = await occupyPort();
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { PATH: process.env['PATH'], PORT: String(port), HOST: '127.0.0.1' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `Invalid configuration:\n  - PORT: 127.0.0.1:${port} is already in use\n`,
    );
  });
});

const SERVER = join(ROOT, 'dist', 'server.js');

/** Newest modification time of any file under `dir`. */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);
}

/** POSTs a GraphQL operation on a fresh connection (no keep-alive), like a one-off client. */
function postOnce(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; finishedAt: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/graphql`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, finishedAt: Date.now() }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Starts dist/server.js against `sim` (cache off, info logs) and waits until it listens. */
async function startGateway(sim: Simulator, env: Record<string, string>) {
  const port = await freePort();
  const gateway = spawnNode([SERVER], {
    PORT: String(port),
    HOST: '127.0.0.1',
    POLYTOMIC_BASE_URL: sim.url,
    POLYTOMIC_API_KEY: SIM_KEY,
    CACHE_TTL_MS: '0',
    LOG_LEVEL: 'info',
    ...env,
  });
  await until(
    () => gateway.lines().some((line) => line.includes('gateway listening')),
    10_000,
    'gateway listening',
  );
  return { ...gateway, port, base: `http://127.0.0.1:${port}` };
}

describe('the built server (dist/server.js)', () => {
  beforeAll(() => {
    if (!existsSync(SERVER) || statSync(SERVER).mtimeMs < newest(join(ROOT, 'src'))) {
      execFileSync(
        process.execPath,
        [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
        { cwd: ROOT, stdio: 'pipe' },
      );
    }
  }, 120_000);

  it('answers contract v2 from outside: the dashboard page at its documented cost, then Run now', async () => {
    const sim = await startSimulator();
    const gateway = await startGateway(sim, { CATALOG_TTL_MS: '0' });
    const listing = (await (
      await fetch(`${sim.url}/api/bulk/syncs`, { headers: { authorization: `Bearer ${SIM_KEY}` } })
    ).json()) as {
      data: {
        id: string;
        name: string;
        source_connection_id: string;
        destination_connection_id: string;
      }[];
    };
    sim.resetRequests();

    const dashboard = await postOnce(gateway.base, {
      query: `{ allBulkSyncs(first: 20) {
        nodes { id name source { id } destination { id } status { nextExecutionTime } }
        pageInfo { hasNextPage }
      } }`,
    });
    expect(dashboard.status).toBe(200);
    const page = JSON.parse(dashboard.text) as {
      data: { allBulkSyncs: { nodes: unknown[]; pageInfo: { hasNextPage: boolean } } };
    };
    expect(page.data.allBulkSyncs.pageInfo.hasNextPage).toBe(false);
    expect(page.data.allBulkSyncs.nodes).toEqual(
      listing.data.map((sync) => ({
        id: sync.id,
        name: sync.name,
        source: { id: sync.source_connection_id },
        destination: { id: sync.destination_connection_id },
        status: { nextExecutionTime: expect.toBeOneOf([null, expect.any(String)]) },
      })),
    );
    const connections = new Set(
      listing.data.flatMap((s) => [s.source_connection_id, s.destination_connection_id]),
    );
    // One listing, one status per sync, one read per distinct connection: nothing else.
    expect([sim.calls('list'), sim.calls('status'), sim.calls('connection')]).toEqual([
      1,
      listing.data.length,
      connections.size,
    ]);
    expect(sim.calls()).toBe(1 + listing.data.length + connections.size);

    const id = SIM_CATALOGUE_SYNCS.hubspotSnowflake;
    const start = `mutation { startBulkSync(id: "${id}") { execution { id status } } }`;
    const refused = JSON.parse((await postOnce(gateway.base, { query: start })).text) as {
      errors: { extensions: { code: string } }[];
    };
    expect(refused.errors.map((e) => e.extensions.code)).toEqual(['FORBIDDEN']);
    expect(sim.calls('start')).toBe(0);
    const started = JSON.parse(
      (await postOnce(gateway.base, { query: start }, { authorization: `Bearer ${SIM_KEY}` })).text,
    ) as { data: { startBulkSync: { execution: { id: string; status: string } } } };
    expect(started.data.startBulkSync.execution.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(['CREATED', 'SCHEDULED', 'RUNNING']).toContain(
      started.data.startBulkSync.execution.status,
    );
    expect(sim.calls('start', id)).toBe(1);

    gateway.process.kill('SIGTERM');
    expect(await gateway.exited).toMatchObject({ code: 0, signal: null });
    for (const line of gateway.lines()) expectClean(line, sim.url, SIM_SECRETS);
  });

  it('turns /ready 503, finishes the slow query, closes WebSockets with 1001, stops polling and exits 0', async () => {
    const sim = await startSimulator();
    const watched = [syncId(1), syncId(2)];
    const slow = syncId(3);
    for (const id of [...watched, slow]) sim.addSync(id, envelope({ recordCount: 1 }));
    sim.inject({ kind: 'delay', ms: 1500 }, { syncId: slow, times: 1 });

    const shutdownTimeoutMs = 3000;
    const gateway = await startGateway(sim, {
      POLL_INTERVAL_MS: '100',
      POLL_IDLE_INTERVAL_MS: '100',
      SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    });
    const { port, base, exited } = gateway;

    // Two WebSockets, one subscription each, polling every 100 ms.
    const closes: number[] = [];
    const onClosed = (event: unknown) => closes.push((event as { code: number }).code);
    const subscriptions = watched.map((id) =>
      watch(wsClient(base, { on: { closed: onClosed } }), SUB_COUNT, { id }),
    );
    await until(() => subscriptions.every((w) => w.events.length === 1));
    await until(() => watched.every((id) => sim.statusCalls(id) >= 2));

    // A connection with a request begun but not finished is not idle, so it survives the
    // stop of accepting; it lets /ready be asked after SIGTERM, when new connections are refused.
    const readiness = connect(port, '127.0.0.1');
    leftover('socket', () => readiness.destroy());
    await new Promise((resolve) => readiness.once('connect', resolve));
    readiness.write('GET /ready HTTP/1.1\r\nHost: gateway\r\n');

    const slowQuery = postOnce(base, { query: ONE_SYNC, variables: { id: slow } });
    await until(() => sim.statusCalls(slow) === 1);

    const sigtermAt = Date.now();
    gateway.process.kill('SIGTERM');
    // stop() stops accepting, closes the WebSockets and stops every poller in one synchronous
    // step, so a refused connection also marks the moment polling ended.
    await until(() => refused(port), 2000, 'server refusing connections after SIGTERM');
    const stoppedBy = Date.now();
    let readyAnswer = '';
    readiness.setEncoding('utf8');
    readiness.on('data', (chunk: string) => {
      readyAnswer += chunk;
    });
    readiness.write('Connection: close\r\n\r\n');
    await until(() => readyAnswer.includes('shutting down'), 2000);
    expect(readyAnswer.split('\r\n')[0]).toBe('HTTP/1.1 503 Service Unavailable');
    expect(Date.now() - sigtermAt).toBeLessThan(1000);

    const answer = await slowQuery;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({
      data: {
        bulkSync: {
          id: slow,
          status: { nextExecutionTime: null, currentExecution: { id: expect.any(String) } },
        },
      },
    });
    expect(answer.finishedAt - sigtermAt).toBeGreaterThan(1000);

    await until(() => closes.length === 2, 3000);
    expect(closes).toEqual([1001, 1001]);

    const exit = await exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - sigtermAt).toBeLessThan(shutdownTimeoutMs + 1000);

    // Pollers stopped with the server: no poll of a watched sync after that (allowing 50 ms
    // for one already on the wire).
    const late = sim.requests.filter(
      (r) => r.syncId !== undefined && watched.includes(r.syncId) && r.at > stoppedBy + 50,
    );
    expect(late).toEqual([]);
    const callsAtExit = sim.statusCalls();
    // The sentinel: a request of our own (no status call), sent after the process exited and
    // answered. Whatever the process wrote before it died reached the simulator first.
    await (await fetch(`${sim.url}/sentinel`)).body?.cancel();
    expect(sim.statusCalls()).toBe(callsAtExit);

    expect(gateway.output.stderr).toBe('');
    const stdout = gateway.lines();
    expect(stdout.some((line) => line.includes('gateway stopped'))).toBe(true);
    persistLogLines(stdout);
    for (const line of stdout) expectClean(line, sim.url, SIM_SECRETS);
  });

  it('with DRAIN_DELAY_MS serves everything but /ready for the delay, then closes WebSockets with 1001', async () => {
    const sim = await startSimulator();
    const id = syncId(1);
    sim.addSync(id, envelope({ recordCount: 1 }));
    const drainDelayMs = 2000;
    const gateway = await startGateway(sim, { DRAIN_DELAY_MS: String(drainDelayMs) });
    const { port, base, exited } = gateway;
    const closes: { code: number; at: number }[] = [];
    const subscription = watch(
      wsClient(base, {
        on: {
          closed: (event) =>
            closes.push({ code: (event as { code: number }).code, at: Date.now() }),
        },
      }),
      SUB_COUNT,
      { id },
    );
    await until(() => subscription.events.length === 1);

    // Steady load: one query after another, each on a fresh connection, and /ready asked too.
    const sigtermAt = Date.now();
    gateway.process.kill('SIGTERM');
    let queries = 0;
    let failures = 0;
    const readyAnswers = new Set<number>();
    while (Date.now() - sigtermAt < drainDelayMs - 300) {
      try {
        const answer = await postOnce(base, { query: ONE_SYNC, variables: { id } });
        if (answer.status === 200 && !answer.text.includes('"errors"')) queries++;
        else failures++;
        readyAnswers.add((await fetch(`${base}/ready`)).status);
      } catch {
        failures++;
      }
    }
    expect(failures).toBe(0);
    expect(queries).toBeGreaterThan(5);
    expect([...readyAnswers]).toEqual([503]);
    // Only after the delay: the WebSocket closes with 1001 and the listener refuses.
    expect(closes).toEqual([]);
    await until(() => closes.length === 1, 5000, 'the WebSocket closed');
    expect(closes[0]?.code).toBe(1001);
    expect((closes[0]?.at ?? 0) - sigtermAt).toBeGreaterThanOrEqual(drainDelayMs);
    await until(() => refused(port), 5000, 'server refusing connections');
    expect(await exited).toMatchObject({ code: 0, signal: null });
  });

  it('exits within SHUTDOWN_TIMEOUT_MS, not UPSTREAM_TIMEOUT_MS, when Polytomic hangs', async () => {
    const sim = await startSimulator();
    const hung = syncId(4);
    sim.addSync(hung, envelope({ recordCount: 1 }));
    sim.inject({ kind: 'hang' }, { syncId: hung });
    const gateway = await startGateway(sim, { SHUTDOWN_TIMEOUT_MS: '500' });
    const query = postOnce(gateway.base, { query: ONE_SYNC, variables: { id: hung } }).catch(
      (error: unknown) => error,
    );
    await until(() => sim.statusCalls(hung) === 1);

    const sigtermAt = Date.now();
    gateway.process.kill('SIGTERM');
    const exit = await gateway.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    // The upstream timeout is 10 s: the process waited on the hung call before.
    expect(exit.at - sigtermAt).toBeLessThan(2500);
    // The request was still waiting at the deadline: it was cut off, without an answer.
    expect(await query).toBeInstanceOf(Error);
  });
});
