// npm run bench (events part): what Polytomic's events save and how fast a start shows.
// 1,000 watched idle syncs of one credential: upstream calls per minute, by kind; then 50 of
// them start, one every 300 ms, and each start is timed from the moment it is logged to the
// moment its subscriber has it. Rows: events off (every idle sync polled each
// POLL_IDLE_INTERVAL_MS), events on (the default), the webhook, and the build before events
// (`BENCH_BEFORE_GATEWAY`, when set). Subscribers run in worker threads (bench/fanout-client.ts).
import { writeFileSync } from 'node:fs';
import { createSimulator } from '../tools/simulator/index.js';
import { startSubscribers } from './fanout-subscribers.js';
import { type ProbedGateway, startProbedGateway } from './gateway-probe.js';
import { GATEWAY_SCRIPT, until } from './lib.js';

const SYNCS = 1000;
const CONNECTIONS = 100;
const STARTS = 50;
const START_EVERY_MS = 300;
const WINDOW_MS = Number(process.env['BENCH_EVENTS_WINDOW_MS'] ?? 60_000);
const SECRET = 'bench-webhook-secret';
const SETTLE_MS = Number(process.env['BENCH_EVENTS_SETTLE_MS'] ?? 35_000);

interface Row {
  label: string;
  gateway: string;
  env: Record<string, string>;
  webhook?: boolean;
}

const rows: Row[] = [
  { label: 'events off', gateway: GATEWAY_SCRIPT, env: { POLYTOMIC_EVENTS: 'off' } },
  { label: 'events (default)', gateway: GATEWAY_SCRIPT, env: {} },
  {
    label: 'events, safety checks every 60 s',
    gateway: GATEWAY_SCRIPT,
    env: { POLL_SAFETY_INTERVAL_MS: '60000' },
  },
  {
    label: 'events + webhook',
    gateway: GATEWAY_SCRIPT,
    env: { POLYTOMIC_EVENTS: 'webhook', POLYTOMIC_WEBHOOK_SECRET: SECRET },
    webhook: true,
  },
];
const before = process.env['BENCH_BEFORE_GATEWAY'];
if (before) rows.push({ label: 'build before events', gateway: before, env: {} });

/** An idle sync's status: its last run completed (a count of 0 marks the first event). */
const idleBody = () =>
  JSON.stringify({
    data: {
      current_execution: {
        id: 'e0000000-0000-4000-8000-000000000000',
        status: 'completed',
        record_count: 0,
        started_at: '2026-01-01T00:00:00Z',
        completed_at: '2026-01-01T00:05:00Z',
      },
      next_execution_time: null,
    },
  });

/** A run that started at `at`: the subscriber sees record count `n` (a key of its own). */
const runningBody = (n: number, at: number) =>
  JSON.stringify({
    data: {
      current_execution: {
        id: `e0000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
        status: 'running',
        record_count: n,
        created_at: new Date(at).toISOString(),
        started_at: new Date(at).toISOString(),
      },
      next_execution_time: null,
    },
  });

const pct = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

async function runRow(row: Row) {
  // A clock shared with the worker threads' stamps (performance.timeOrigin + now).
  const now = () => performance.timeOrigin + performance.now();
  const sim = createSimulator({ port: 0, now, requestLogSize: 1_000_000 });
  const url = await sim.start();
  const ids = Array.from(
    { length: SYNCS },
    (_, n) => `e0e00000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  );
  for (const id of ids) sim.addSync(id, idleBody(), { keys: ['bench_key'] });
  let gateway: ProbedGateway | undefined;
  const subscribers = { close: async () => {} };
  try {
    gateway = await startProbedGateway(
      {
        LOG_LEVEL: 'warn',
        POLYTOMIC_BASE_URL: url,
        POLYTOMIC_API_KEY: 'bench_key',
        MAX_POLLERS: String(SYNCS + 100),
        WS_MAX_CONNECTIONS: String(CONNECTIONS + 100),
        ...row.env,
      },
      row.gateway,
    );
    const gatewayUrl = `http://127.0.0.1:${gateway.port}`;
    if (row.webhook) sim.setWebhook({ url: `${gatewayUrl}/webhooks/polytomic`, secret: SECRET });
    const group = startSubscribers(gateway.port, ids, SYNCS, CONNECTIONS);
    subscribers.close = () => group.close();
    await group.open();
    // Counting starts in the steady state: syncs whose first look came before the event
    // watcher's first read waited one idle period (30 s) before their first safety wait.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

    const from = now();
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const window = sim.requests.filter((r) => r.at >= from && r.at < from + WINDOW_MS);
    if (process.env['BENCH_EVENTS_DEBUG']) {
      const metrics = await (await fetch(`${gatewayUrl}/metrics`)).text();
      console.log(
        metrics
          .split('\n')
          .filter(
            (l) =>
              l.startsWith('polytomic_upstream_calls_by_reason') ||
              l.startsWith('gateway_webhooks') ||
              l.startsWith('gateway_event_watchers'),
          )
          .join('\n'),
      );
      console.log(
        window
          .filter((r) => r.route === 'status')
          .map((r) => `${Math.round(r.at - from)} ${r.syncId}`)
          .join('\n'),
      );
    }
    const perMinute = (route?: string) =>
      ((route ? window.filter((r) => r.route === route) : window).length * 60_000) / WINDOW_MS;
    const calls = {
      all: perMinute(),
      events: perMinute('events'),
      bulk: perMinute('statuses'),
      status: perMinute('status'),
    };

    // 50 starts, spread: each timed from when it is logged (the setStatus) to its subscriber.
    const startedAt = new Map<string, number>();
    for (let n = 1; n <= STARTS; n++) {
      const id = ids[(n * 17) % SYNCS] as string;
      const at = now();
      sim.setStatus(id, runningBody(n, at));
      startedAt.set(`${id}:${n}`, at);
      await new Promise((resolve) => setTimeout(resolve, START_EVERY_MS));
    }
    const arrived = async () => {
      const times = await group.times();
      return [...startedAt.keys()].every((key) => (times.get(key)?.length ?? 0) > 0);
    };
    await until(arrived, 45_000);
    const times = await group.times();
    const latencies = [...startedAt].map(([key, at]) => (times.get(key)?.[0] ?? 0) - at);
    // With the webhook: from each delivery to the screen as well.
    const deliveries = sim.webhookDeliveries().filter((d) => d.eventType === 'bulk_sync.running');
    const afterDelivery = row.webhook
      ? [...startedAt].flatMap(([key]) => {
          const id = key.split(':')[0];
          const delivered = deliveries.find(
            (d) =>
              d.status === 202 &&
              sim.events().some((e) => e.id === d.eventId && e.event.sync_id === id),
          );
          const seen = times.get(key)?.[0];
          return delivered && seen ? [seen - delivered.at] : [];
        })
      : [];
    return { calls, latencies, afterDelivery };
  } finally {
    await subscribers.close();
    await gateway?.stop();
    sim.setWebhook(undefined);
    await sim.close();
  }
}

// BENCH_EVENTS_ROWS=webhook,before runs only the rows whose label holds one of these words.
const only = process.env['BENCH_EVENTS_ROWS']?.split(',');
const results: Record<string, unknown> = {};
const lines: string[] = [];
for (const row of rows.filter((r) => !only || only.some((word) => r.label.includes(word)))) {
  const { calls, latencies, afterDelivery } = await runRow(row);
  const besides = calls.all - calls.events;
  const ms = (v: number) => `${Math.round(v)}`;
  lines.push(
    `| ${row.label} | ${calls.all.toFixed(1)} | ${calls.events.toFixed(1)} | ${besides.toFixed(1)} (status ${calls.status.toFixed(1)}, bulk ${calls.bulk.toFixed(1)}) | ${ms(pct(latencies, 0.5))} / ${ms(pct(latencies, 0.99))} / ${ms(Math.max(...latencies))} | ${afterDelivery.length ? `${ms(pct(afterDelivery, 0.5))} / ${ms(pct(afterDelivery, 0.99))}` : '–'} |`,
  );
  results[row.label] = { calls, latencies, afterDelivery };
  console.log(`${row.label}: done`);
}
console.log(
  `\n${SYNCS} watched idle syncs of one credential (${CONNECTIONS} connections), calls per minute over ${WINDOW_MS / 1000} s; ${STARTS} starts, one every ${START_EVERY_MS} ms, timed from when each is logged\n`,
);
console.log(
  '| row | upstream calls / min | event watcher reads / min | besides the watcher / min | start → subscriber p50 / p99 / max ms | webhook delivery → subscriber p50 / p99 ms |',
);
console.log('|---|---:|---:|---:|---:|---:|');
for (const line of lines) console.log(line);
if (process.env['BENCH_OUT']) writeFileSync(process.env['BENCH_OUT'], JSON.stringify(results));
