/**
 * Polls `condition` (sync or async) on the real event loop until it holds; fails after
 * `timeoutMs` naming `what`. For something that will happen; to show that something did NOT
 * happen, cause a later event on the same channel instead (see `sentinel` in ws.ts).
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/**
 * Resolves after `ms` of real time. Only for a duration the code under test defines (a timeout,
 * a breaker window, a TTL, a Retry-After, ioredis's reconnect schedule): say which at the call.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
