import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOG_DIR_ENV, scanLogDir } from './log-capture.js';

/**
 * Vitest global setup: makes the directory every test process appends its gateway log lines to,
 * and after the whole run fails it if any line holds a credential. Set before the worker
 * processes start, the environment variable reaches each of them.
 *
 * Each vitest project (unit, e2e) inherits the global setup, so it runs once per project in one
 * process: the first call owns the directory and scans it after every project ran; later calls
 * find it set and leave it to that one.
 */
export function setup(): (() => void) | undefined {
  if (process.env[LOG_DIR_ENV]) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'gateway-test-logs-'));
  process.env[LOG_DIR_ENV] = dir;
  return () => {
    try {
      const { problems, lines } = scanLogDir(dir);
      if (problems.length > 0) {
        // Vitest reports a teardown error but keeps the exit code of the tests: set it too.
        process.exitCode = 1;
        throw new Error(
          `${problems.length} of ${lines} gateway log lines hold a credential:\n${problems
            .slice(0, 20)
            .join('\n')}`,
        );
      }
      console.log(`log scan: ${lines} gateway log lines of this run, none holds a credential`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      delete process.env[LOG_DIR_ENV];
    }
  };
}
