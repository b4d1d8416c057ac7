import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { leftover } from './leftovers.js';

/** The repository root: child processes run from here. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A child process with what it printed so far and how it ended. */
export interface Child {
  process: ChildProcess;
  output: { stdout: string; stderr: string };
  /** Every complete line of stdout so far. */
  lines(): string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/**
 * Runs `node <args>` from the repository root with only PATH and `env` in its environment;
 * SIGKILLed with the leftovers if it is still running.
 */
export function spawnNode(args: string[], env: Record<string, string>): Child {
  const started = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env['PATH'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  leftover('child process', () => {
    if (started.exitCode === null && started.signalCode === null) started.kill('SIGKILL');
  });
  const output = { stdout: '', stderr: '' };
  started.stdout?.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString('utf8');
  });
  started.stderr?.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
    (resolve) => {
      started.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
    },
  );
  return {
    process: started,
    output,
    lines: () => output.stdout.split('\n').slice(0, -1).filter(Boolean),
    exited,
  };
}
