import { afterAll, afterEach, beforeEach } from 'vitest';
import { drainLeftovers, leftoverMark } from './leftovers.js';
import { persistLogLines } from './log-capture.js';
import { allLogs } from './test-app.js';

// The vitest `setupFiles` entry of both projects. Its hooks are registered before the test
// file's own, so its `beforeEach` runs first (anything a file's `beforeEach` starts is the test's)
// and its `afterEach` last (after the file's own checks).

let mark = 0;

beforeEach(() => {
  mark = leftoverMark();
});

// Even when the test failed: nothing it started outlives it.
afterEach(() => drainLeftovers(mark));

// What `beforeAll` hooks started; then every gateway log line of the file goes to the whole-run
// credential scan (log lines written while closing included).
afterAll(async () => {
  try {
    await drainLeftovers(0);
  } finally {
    persistLogLines(allLogs.splice(0));
  }
});
