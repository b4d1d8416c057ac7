/**
 * Waits for `work` until `deadline` (epoch ms) at most; if it is still running then, runs
 * `cutOff` and goes on. A stop's every wait ends by its deadline, whatever holds it (a slow
 * query, a client that never answers a close, a hung upstream).
 */
export async function untilDeadline(
  work: Promise<unknown>,
  deadline: number,
  cutOff: () => unknown,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(
      () => {
        cutOff();
        resolve();
      },
      Math.max(0, deadline - Date.now()),
    );
  });
  await Promise.race([work.catch(() => undefined), late]);
  clearTimeout(timer);
}
