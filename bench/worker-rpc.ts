// Request and reply between a benchmark and its worker threads: the main thread asks by name,
// the worker answers with a value or a reason it failed. One small protocol for every worker, so
// a worker that throws, or dies, fails the benchmark's wait instead of hanging it.
import { parentPort, type Worker } from 'node:worker_threads';

interface Request {
  id: number;
  type: string;
}

type Reply = { id: number; value: unknown } | { id: number; failed: string };

/** The main thread's side: `ask(type)` resolves with the worker's answer to it. */
export function askWorker(worker: Worker) {
  let next = 0;
  let broken: Error | undefined;
  const pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (e: Error) => void }
  >();
  const breakAll = (error: Error) => {
    broken ??= error;
    for (const { reject } of pending.values()) reject(broken);
    pending.clear();
  };
  worker.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if ('failed' in reply) waiter?.reject(new Error(reply.failed));
    else waiter?.resolve(reply.value);
  });
  worker.on('error', (error) => breakAll(error));
  worker.on('exit', (code) => breakAll(new Error(`worker exited (code ${code})`)));
  return <T>(type: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (broken) {
        reject(broken);
        return;
      }
      const id = next++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, type } satisfies Request);
    });
}

/** The worker's side: each request is answered by the handler of its type. */
export function serveRequests(handlers: Record<string, () => unknown>): void {
  parentPort?.on('message', async ({ id, type }: Request) => {
    try {
      const handler = handlers[type];
      if (!handler) throw new Error(`no handler for ${type}`);
      parentPort?.postMessage({ id, value: await handler() } satisfies Reply);
    } catch (error) {
      parentPort?.postMessage({
        id,
        failed: error instanceof Error ? error.message : String(error),
      } satisfies Reply);
    }
  });
}
