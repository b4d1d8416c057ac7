import { describe, expect, it } from 'vitest';
import { SIM_KEY, SIM_SYNCS } from '../tools/simulator/index.js';
import { freePort, occupyPort, refused } from './utils/net.js';
import { spawnNode } from './utils/processes.js';
import { sleep, until } from './utils/wait.js';

// `npm run demo` as the README's quick start runs it (from source here: no build needed).

/** The demo as a child process: its output, and its exit code once it exits. */
function startDemo(env: Record<string, string>) {
  const demo = spawnNode(['--import', 'tsx', 'tools/demo.ts'], env);
  return { started: demo.process, output: demo.output, exited: demo.exited.then((e) => e.code) };
}

describe('npm run demo', () => {
  it('prints its URLs and a curl line that answers, listens where told, and stops on SIGINT', async () => {
    const [port, simulatorPort] = [await freePort(), await freePort()];
    const demo = startDemo({
      PORT: String(port),
      SIMULATOR_PORT: String(simulatorPort),
      // No reuse: two runs milliseconds apart show the data moving.
      CACHE_TTL_MS: '0',
    });
    await until(() => demo.output.stdout.includes('Ctrl-C stops both.'), 15_000);

    const { stdout } = demo.output;
    // The board first, with the simulator's key in the fragment (never sent to the server).
    expect(stdout.trimStart().split('\n')[0]).toBe(
      `Live board           http://127.0.0.1:${port}/board#key=${SIM_KEY}`,
    );
    const board = await fetch(`http://127.0.0.1:${port}/board`);
    expect([board.status, board.headers.get('content-type')]).toEqual([
      200,
      'text/html; charset=utf-8',
    ]);
    expect(stdout).toContain(`Polytomic simulator  http://127.0.0.1:${simulatorPort}  (key `);
    expect(stdout).toContain(`GraphiQL             http://127.0.0.1:${port}/graphql`);
    // The curl line, run as printed.
    const curl = /^ {2}curl -s (\S+) -H 'content-type: application\/json' -d '(.+)'$/m.exec(stdout);
    expect(curl?.[1]).toBe(`http://127.0.0.1:${port}/graphql`);
    const run = async () => {
      const response = await fetch(curl?.[1] ?? '', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: curl?.[2] ?? '',
      });
      return (await response.json()) as { data: { bulkSyncs: Sync[] }; errors?: unknown };
    };
    const first = await run();
    expect(first.errors).toBeUndefined();
    expect(first.data.bulkSyncs.map((sync) => sync.id)).toEqual([
      SIM_SYNCS.orders,
      SIM_SYNCS.cdc,
      SIM_SYNCS.backfill,
    ]);
    // The backfill adds 125 rows a millisecond of the simulator's (real) clock.
    await sleep(20);
    const [before, after] = [first, await run()].map(
      (answer) => answer.data.bulkSyncs[2]?.status.currentExecution?.recordCount ?? 0,
    );
    expect(after).toBeGreaterThan(before ?? 0);
    expect(before).toBeGreaterThan(2 ** 31);
    const graphiql = await fetch(`http://127.0.0.1:${port}/graphql`, {
      headers: { accept: 'text/html' },
    });
    expect(graphiql.status).toBe(200);
    const page = await graphiql.text();
    expect(page).toContain('Polytomic sync gateway');
    // Offline: GraphiQL's scripts and styles are inlined, nothing is fetched from another site.
    expect([...page.matchAll(/(?:src|href)=["']?(https?:)?\/\//g)]).toEqual([]);

    demo.started.kill('SIGINT');
    expect(await demo.exited).toBe(0);
    expect(await refused(port)).toBe(true);
    expect(await refused(simulatorPort)).toBe(true);
  });

  it('says which variable to change when PORT or SIMULATOR_PORT is taken, or no port', async () => {
    const port = await occupyPort('0.0.0.0', await freePort());
    const demo = startDemo({ PORT: String(port) });
    expect(await demo.exited).toBe(1);
    expect(demo.output.stderr).toBe(
      `Invalid configuration:\n  - PORT: 0.0.0.0:${port} is already in use\n`,
    );
    const simulatorDemo = startDemo({ SIMULATOR_PORT: String(port), SIMULATOR_HOST: '0.0.0.0' });
    expect(await simulatorDemo.exited).toBe(1);
    expect(simulatorDemo.output.stderr).toBe(
      `Invalid configuration:\n  - SIMULATOR_PORT: 0.0.0.0:${port} is already in use\n`,
    );
    const invalid = startDemo({ SIMULATOR_PORT: 'x' });
    expect(await invalid.exited).toBe(1);
    expect(invalid.output.stderr).toBe(
      'Invalid configuration:\n  - SIMULATOR_PORT: must be a port number, got x\n',
    );
  });
});

interface Sync {
  id: string;
  status: { currentExecution: { recordCount: number } | null };
}
