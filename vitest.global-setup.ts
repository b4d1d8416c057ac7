// Before any test process starts: builds the board when it is stale (the board's browser tests,
// its endpoint's and the demo's serve dist/board; built once here, no test file rebuilds it under
// another), then the whole-run log scan (test/utils/log-scan-global-setup.ts, kept there so it
// is type-checked and linted with the tests).
import { execFileSync } from 'node:child_process';
import { setup as setupLogScan } from './test/utils/log-scan-global-setup.js';

export function setup(): (() => void) | undefined {
  execFileSync(process.execPath, ['scripts/ensure-built.mjs', 'board'], { stdio: 'inherit' });
  return setupLogScan();
}
