import { afterAll } from 'vitest';
import { persistLogLines } from './log-capture.js';
import { allLogs } from './test-app.js';

// A vitest `setupFiles` entry: after each test file, hand every gateway log line that file's
// test apps wrote (test-app.ts collects them in `allLogs`) to the whole-run scan.
afterAll(() => {
  persistLogLines(allLogs);
});
