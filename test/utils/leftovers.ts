/**
 * The one list of everything a test started that must be stopped again: test apps, simulators,
 * graphql-ws clients, raw sockets, SSE readers, Redis links and clients, replicas, child
 * processes, servers. Every kit helper that starts something registers its disposer here, so no
 * test file writes its own clean-up; `setup.ts` drains the list after each test (whatever the
 * test and its `beforeEach` hooks registered) and after each file (what `beforeAll` registered).
 */

/** Stops one thing; may be async. */
export type Disposer = () => unknown;

interface Entry {
  label: string;
  dispose: () => Promise<void>;
}

/** Longest a disposer may take before the drain reports it and goes on with the others. */
const DISPOSE_TIMEOUT_MS = 10_000;

const entries: Entry[] = [];

/**
 * Registers `dispose` under `label` (named in errors). Returns it wrapped to run at most once,
 * so a test may stop something early (a replica, an app it restarts) and the drain is a no-op.
 */
export function leftover(label: string, dispose: Disposer): () => Promise<void> {
  let running: Promise<void> | undefined;
  const once = () => {
    running ??= (async () => {
      await dispose();
    })();
    return running;
  };
  entries.push({ label, dispose: once });
  return once;
}

/** The number of entries now: `drainLeftovers(mark)` disposes only those registered after it. */
export function leftoverMark(): number {
  return entries.length;
}

/**
 * Disposes every entry registered after `mark`, newest first (a client before the app it talks
 * to). Every disposer runs even when another throws or hangs; the errors are thrown together.
 */
export async function drainLeftovers(mark = 0): Promise<void> {
  const errors: unknown[] = [];
  const failed: string[] = [];
  while (entries.length > mark) {
    const entry = entries.pop() as Entry;
    try {
      await withTimeout(entry.dispose(), entry.label);
    } catch (error) {
      // As thrown: an assertion made while closing (a lease left behind) keeps its diff.
      errors.push(error);
      failed.push(entry.label);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    throw new AggregateError(errors, `leftovers failed to close: ${failed.join(', ')}`);
  }
}

async function withTimeout(running: Promise<void>, label: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${label}: still closing after ${DISPOSE_TIMEOUT_MS} ms`)),
      DISPOSE_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([running, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
