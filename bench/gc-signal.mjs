// Preloaded into a benchmarked gateway (`node --expose-gc --import <this file> dist/server.js`)
// so a benchmark can read its memory after a full collection, without an endpoint of its own:
//   SIGUSR2  -> `bench-memory {process.memoryUsage() as JSON}` on stdout
//   SIGWINCH -> a heap snapshot in os.tmpdir(), then `bench-heap-snapshot <path>` on stdout
// Not SIGUSR1: Node starts its inspector on that one. Signal handlers do not keep a process alive.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';

// Twice: the first pass can leave objects that only a second one frees (weak references,
// finalizers), and the figures are meant to be of live data only.
const collect = () => {
  globalThis.gc?.();
  globalThis.gc?.();
};

process.on('SIGUSR2', () => {
  collect();
  process.stdout.write(`bench-memory ${JSON.stringify(process.memoryUsage())}\n`);
});

let snapshots = 0;
process.on('SIGWINCH', () => {
  collect();
  snapshots += 1;
  const path = writeHeapSnapshot(
    join(tmpdir(), `bench-gateway-${process.pid}-${snapshots}.heapsnapshot`),
  );
  process.stdout.write(`bench-heap-snapshot ${path}\n`);
});
