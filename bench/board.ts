// npm run bench (board part): main-thread work in headless Chromium to apply one live event for
// each of 200 syncs arriving at once. The real built board (dist/board) runs against a scripted
// gateway in this process (an HTTP server with the listing, a real WebSocket speaking
// graphql-transport-ws), so what is measured is the page alone. (Playwright's routeWebSocket
// would deliver each message by script in the page, and weigh on the very thread measured.)
// Two figures per burst:
//   apply  the board's own Performance API measure `board:apply`: from the batched apply to the
//          DOM holding all 200 rows' news (board/src/rows.ts);
//   task   Chromium's main-thread task time (CDP Performance.getMetrics TaskDuration) from the
//          first of the 200 WebSocket messages to the frame after the DOM shows them: message
//          handling, graphql-ws, apply, render, style and layout.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type WebSocket, WebSocketServer } from 'ws';
import { launchChromium } from '../tools/chromium.js';
import { median, until } from './lib.js';

const SYNCS = 200;
const BURSTS = Number(process.env['BOARD_BENCH_BURSTS'] ?? 30);
// BOARD_DIR: another build of the board, for an A/B.
const DIR = process.env['BOARD_DIR'] ?? 'dist/board';

const id = (i: number) => `5e1a0000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const execution = (i: number, n: number) => ({
  id: `run-${i}`,
  status: 'RUNNING',
  rawStatus: 'running',
  statusMessage: null,
  recordCount: n * 3,
  errorCount: 0,
  startedAt: '2026-12-07T10:00:00Z',
  completedAt: null,
});
const sync = (i: number, n: number) => ({
  id: id(i),
  name: `Sync ${i}`,
  active: true,
  schedule: {
    frequency: 'HOURLY',
    rawFrequency: 'hourly',
    minute: '15',
    hour: null,
    dayOfWeek: null,
    dayOfMonth: null,
  },
  source: { id: `src-${i}`, name: 'Production Postgres', typeName: 'PostgreSQL' },
  destination: { id: `dst-${i}`, name: 'Warehouse', typeName: 'Snowflake' },
  status: {
    fetchedAt: new Date(1_800_000_000_000 + n * 1000).toISOString(),
    stale: false,
    nextExecutionTime: null,
    currentExecution: {
      ...execution(i, n),
      schemas: ['orders', 'items', 'customers'].map((schema) => ({
        schema,
        status: 'RUNNING',
        recordCount: n,
        errorCount: 0,
      })),
    },
    lastExecution: { ...execution(i, 1), status: 'COMPLETED', rawStatus: 'completed' },
    ingestionStatus: null,
  },
});

async function main() {
  const html = readFileSync(join(DIR, 'index.html'), 'utf8').replace('__MAX_IDS__', '100');
  const listing = () => {
    const nodes = Array.from({ length: SYNCS }, (_, i) => sync(i, 1));
    return { data: { allBulkSyncs: { nodes, pageInfo: { hasNextPage: false, endCursor: null } } } };
  };
  const http = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path === '/graphql') {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(listing()));
    } else if (path === '/board') {
      response.setHeader('content-type', 'text/html');
      response.end(html);
    } else {
      response.setHeader('content-type', path.endsWith('.css') ? 'text/css' : 'text/javascript');
      response.end(readFileSync(join(DIR, path.slice('/board/'.length))));
    }
  });
  // graphql-transport-ws, server side: ack, then remember each subscription's id and sync ids.
  const subscriptions: { socket: WebSocket; id: string; ids: string[] }[] = [];
  const wss = new WebSocketServer({ server: http, path: '/graphql' });
  wss.on('connection', (socket) => {
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw));
      if (message.type === 'connection_init')
        socket.send(JSON.stringify({ type: 'connection_ack' }));
      if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
      if (message.type === 'subscribe') {
        subscriptions.push({ socket, id: message.id, ids: message.payload.variables.ids });
      }
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskSeconds = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
  };

  await page.goto(`${origin}/board`);
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-sync-id]').length === n,
    SYNCS,
  );
  await until(() => subscriptions.reduce((sum, s) => sum + s.ids.length, 0) === SYNCS);

  const apply: number[] = [];
  const task: number[] = [];
  for (let burst = 2; burst < BURSTS + 2; burst++) {
    const records = (burst * 3).toLocaleString('en-US');
    await page.evaluate(
      ([text, n]) => {
        // The board clears its entries as it makes them: the observer keeps their durations.
        const durations: number[] = [];
        (window as unknown as { durations: number[] }).durations = durations;
        // Resolved once an apply left every row showing this burst (the events may arrive over
        // two frames), then one frame more for style and layout; no polling on the page.
        (window as unknown as { applied: Promise<void> }).applied = new Promise((resolve) => {
          const observer = new PerformanceObserver((list) => {
            for (const entry of list.getEntriesByName('board:apply'))
              durations.push(entry.duration);
            // Inline, not a named helper: tsx would name it with a function the page lacks.
            const rows = document.querySelectorAll('.progress__total span');
            if (
              [...rows].filter((el) => el.textContent?.includes(`${text} records`)).length !== n
            ) {
              return;
            }
            observer.disconnect();
            requestAnimationFrame(() => setTimeout(resolve));
          });
          observer.observe({ type: 'measure' });
        });
      },
      [records, SYNCS] as const,
    );
    const before = await taskSeconds();
    for (const { socket, id: subscription, ids } of subscriptions) {
      for (const syncId of ids) {
        const i = Number(syncId.slice(-12));
        const payload = { data: { bulkSyncChanges: sync(i, burst) } };
        socket.send(JSON.stringify({ type: 'next', id: subscription, payload }));
      }
    }
    // Resolved by the board's own measure (no polling on the page's thread), then one frame
    // more for style and layout.
    await page.evaluate(() => (window as unknown as { applied: Promise<void> }).applied);
    task.push((await taskSeconds()) - before);
    const shown = await page.evaluate(
      (text) =>
        [...document.querySelectorAll('.progress__total span')].filter((el) =>
          el.textContent?.includes(`${text} records`),
        ).length,
      records,
    );
    if (shown !== SYNCS) throw new Error(`burst ${burst}: ${shown} rows show it, not ${SYNCS}`);
    const measures = await page.evaluate(
      () => (window as unknown as { durations: number[] }).durations,
    );
    apply.push(measures.reduce((sum, ms) => sum + ms, 0));
  }
  await browser.close();
  for (const client of wss.clients) client.terminate();
  wss.close();
  http.close();

  const ms = (values: number[], f: (v: number[]) => number) => f(values).toFixed(1);
  const p95 = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)] ?? Number.NaN;
  const taskMs = task.map((s) => s * 1000);
  process.stdout.write(
    [
      `board: ${SYNCS} syncs, one event each at once, ${BURSTS} bursts (headless Chromium)`,
      `  apply (board:apply measure)   p50 ${ms(apply, median)} ms   p95 ${ms(apply, p95)} ms`,
      `  main-thread task time         p50 ${ms(taskMs, median)} ms   p95 ${ms(taskMs, p95)} ms   (budget 50 ms)`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/board failed: ${String(error)}\n`);
  process.exit(1);
});
