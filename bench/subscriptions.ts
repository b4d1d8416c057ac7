// npm run bench (subscription part): subscription fan-out at scale. For each shape (S
// subscriptions over C WebSocket connections, S/C per connection, over 20 syncs), a fresh
// simulator and a fresh gateway process; reports memory per subscription after GC, fan-out
// latency from the poll that sees a change to its subscribers, upstream polls per interval, and
// the latency of queries sent meanwhile. The subscribers and the queries run in worker threads:
// not on this thread, where the simulator's timing matters, nor on the gateway's.
//
//   BENCH_FANOUT_SHAPES=2000x2000,20000x2000  shapes to run; a trailing ! (50000x5000!) marks a
//                                             stretch shape, whose failure is reported without
//                                             failing the run. Default 2000x2000,20000x2000,50000x5000!
//   BENCH_ROUNDS=8                            changes per sync
//   BENCH_GATEWAY=/other/dist/server.js       the build to run (lib.ts)
//   BENCH_OUT=figures.json                    also write the figures as JSON (to compare builds)
import { writeFileSync } from 'node:fs';
import {
  runShape,
  type Shape,
  ShapeFailure,
  type ShapeFigures,
  shapeLabel,
} from './fanout-shape.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 8);
const INTERVAL_MS = 1000;
const DEFAULT_SHAPES = '2000x2000,20000x2000,50000x5000!';

/** `SxC`, a trailing `!` for a stretch shape. */
function parseShapes(text: string): Shape[] {
  return text.split(',').map((item) => {
    const match = /^\s*(\d+)x(\d+)(!?)\s*$/.exec(item);
    const subscriptions = Number(match?.[1]);
    const connections = Number(match?.[2]);
    if (!match || !connections || subscriptions % connections !== 0) {
      throw new Error(`BENCH_FANOUT_SHAPES: "${item}" is not SxC with C dividing S`);
    }
    return { subscriptions, connections, stretch: match[3] === '!' };
  });
}

// Each subscriber keeps one bit per record count it has had (bench/fanout-client.ts).
if (!(ROUNDS >= 1 && ROUNDS <= 31)) throw new Error('BENCH_ROUNDS must be 1 to 31');
const shapes = parseShapes(process.env['BENCH_FANOUT_SHAPES'] ?? DEFAULT_SHAPES);

type Outcome = ShapeFigures | ({ shape: string; failed: string } & ShapeFailure['measured']);
const outcomes: Outcome[] = [];
for (const shape of shapes) {
  const label = shapeLabel(shape);
  const perConnection = shape.subscriptions / shape.connections;
  console.log(
    `\n${label}: ${shape.subscriptions} subscriptions over ${shape.connections} connections (${perConnection} each), 20 syncs, poll interval ${INTERVAL_MS} ms, ${ROUNDS} rounds`,
  );
  try {
    const figures = await runShape(shape, {
      rounds: ROUNDS,
      intervalMs: INTERVAL_MS,
      deliveryTimeoutMs: 30_000,
    });
    outcomes.push(figures);
    printShape(figures);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const measured = error instanceof ShapeFailure ? error.measured : {};
    outcomes.push({ shape: label, failed: reason, ...measured });
    if (measured.memory) printMemory(shape.subscriptions, measured.memory);
    console.log(`  FAILED: ${reason}`);
    if (!shape.stretch) process.exitCode = 1;
  }
}

function printMemory(subscriptions: number, memory: ShapeFigures['memory']): void {
  console.log(
    `  memory per subscription (delta / ${subscriptions}, connections included; KB = 1000 bytes): RSS ${memory.rssPerSubscriptionKB} KB, heap used ${memory.heapUsedPerSubscriptionKB} KB`,
  );
}

function printShape(f: ShapeFigures): void {
  const { memory, fanOut, polls, queries } = f;
  printMemory(f.subscriptions, memory);
  console.log(
    `  fan-out, poll -> last subscriber of a change: p50 ${fanOut.lastSubscriber.p50} / p99 ${fanOut.lastSubscriber.p99} / max ${fanOut.lastSubscriber.max} ms (${fanOut.lastSubscriber.n} changes, ${fanOut.unmatchedChanges} unmatched)`,
  );
  console.log(
    `  fan-out, poll -> each delivery: p50 ${fanOut.eachDelivery.p50} / p99 ${fanOut.eachDelivery.p99} ms (${fanOut.eachDelivery.n} deliveries)`,
  );
  console.log(
    `  upstream polls per interval: ${polls.perInterval} (${polls.total} over ${polls.intervals} intervals; one per sync is 20)`,
  );
  console.log(
    `  queries (concurrency 4) during the rounds: p50 ${queries.duringRounds.p50} / p99 ${queries.duringRounds.p99} / max ${queries.duringRounds.max} ms (${queries.duringRounds.n}); started in a burst: p50 ${queries.inBursts.p50} / p99 ${queries.inBursts.p99} ms (${queries.inBursts.n})`,
  );
  console.log(
    `  CPU from the first round to the last delivery (${f.cpu.roundsSeconds} s): gateway ${f.cpu.gatewaySeconds} s, bench process (simulator and client threads) ${f.cpu.benchSeconds} s; 2 cores`,
  );
  console.log(
    `  errors: ${f.subscriptionErrors} subscription, ${queries.errors} query; duplicate events: ${f.duplicates}`,
  );
}

console.log(
  '\n| shape | memory/sub (RSS) | heap/sub | fan-out p50 / p99 / max (last subscriber) | each delivery p50/p99 | polls/interval | query p50 / p99 during rounds | query p99 in bursts | errors |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const o of outcomes) {
  if ('failed' in o) {
    const rss = o.memory ? `${o.memory.rssPerSubscriptionKB} KB` : '';
    const heap = o.memory ? `${o.memory.heapUsedPerSubscriptionKB} KB` : '';
    console.log(
      `| ${o.shape} | ${rss} | ${heap} | failed: ${o.failed.replaceAll('|', '/')} | | | | | |`,
    );
    continue;
  }
  const { memory, fanOut, polls, queries } = o;
  const last = fanOut.lastSubscriber;
  console.log(
    `| ${o.shape} | ${memory.rssPerSubscriptionKB} KB | ${memory.heapUsedPerSubscriptionKB} KB | ${last.p50} / ${last.p99} / ${last.max} ms | ${fanOut.eachDelivery.p50} / ${fanOut.eachDelivery.p99} ms | ${polls.perInterval} | ${queries.duringRounds.p50} / ${queries.duringRounds.p99} ms | ${queries.inBursts.p99} ms | ${o.subscriptionErrors + queries.errors} |`,
  );
}
console.log(
  '(KB = 1000 bytes; memory is the gateway RSS / heap used delta after GC, per subscription)',
);

const out = process.env['BENCH_OUT'];
if (out) {
  writeFileSync(
    out,
    `${JSON.stringify({ gateway: process.env['BENCH_GATEWAY'] ?? 'dist/server.js', rounds: ROUNDS, shapes: outcomes }, null, 2)}\n`,
  );
  console.log(`figures written to ${out}`);
}
