// The built gateway as a child process that can be asked for its memory after a full GC, and
// for a heap snapshot (bench/gc-signal.mjs, preloaded, answers on stdout).
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { GATEWAY_SCRIPT, startProcess, stopProcess, waitFor } from './lib.js';

const PRELOAD = fileURLToPath(new URL('./gc-signal.mjs', import.meta.url));

/** How long a reading may take; a snapshot of a large heap takes seconds. */
const READING_TIMEOUT_MS = 120_000;

export interface ProbedGateway {
  child: ChildProcess;
  /** The port it listens on, 127.0.0.1. */
  port: string;
  /** `process.memoryUsage()` of the gateway, read after two full collections. */
  memory(): Promise<NodeJS.MemoryUsage>;
  /** Writes a heap snapshot (after two full collections) and resolves with its path. */
  heapSnapshot(): Promise<string>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `script` (default `GATEWAY_SCRIPT`) on a free port of 127.0.0.1 with `env` and resolves once /ready
 * answers. A free port rather than a fixed one: a test run or another benchmark on the same
 * machine may hold any fixed one.
 */
export async function startProbedGateway(
  env: Record<string, string>,
  script = GATEWAY_SCRIPT,
): Promise<ProbedGateway> {
  const port = await freePort();
  // One reading at a time: each waits for the next line with its prefix.
  const waiting = new Map<string, (rest: string) => void>();
  const onLine = (line: string) => {
    const space = line.indexOf(' ');
    const answer = waiting.get(line.slice(0, space));
    if (!answer) return;
    waiting.delete(line.slice(0, space));
    answer(line.slice(space + 1));
  };
  const child = await startProcess(
    script,
    { ...env, PORT: port, HOST: '127.0.0.1' },
    /(?:)/,
    ['--expose-gc', '--import', PRELOAD],
    onLine,
  );
  const ask = (signal: NodeJS.Signals, prefix: string) =>
    new Promise<string>((resolve, reject) => {
      if (child.exitCode !== null) {
        reject(new Error(`gateway exited (code ${child.exitCode})`));
        return;
      }
      const fail = (reason: string) => {
        clearTimeout(timer);
        child.off('exit', died);
        waiting.delete(prefix);
        reject(new Error(reason));
      };
      const died = () => fail(`gateway exited while asked for ${prefix}`);
      const timer = setTimeout(
        () => fail(`gateway did not answer ${signal} in ${READING_TIMEOUT_MS} ms`),
        READING_TIMEOUT_MS,
      );
      child.once('exit', died);
      waiting.set(prefix, (rest) => {
        clearTimeout(timer);
        child.off('exit', died);
        resolve(rest);
      });
      child.kill(signal);
    });
  const stop = async (graceMs = 20_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await stopProcess(child);
    clearTimeout(timer);
  };
  try {
    await waitFor(`http://127.0.0.1:${port}/ready`);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    child,
    port,
    memory: async () => JSON.parse(await ask('SIGUSR2', 'bench-memory')) as NodeJS.MemoryUsage,
    heapSnapshot: () => ask('SIGWINCH', 'bench-heap-snapshot'),
    stop,
  };
}

async function freePort(): Promise<string> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return String(port);
}
