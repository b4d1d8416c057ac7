/**
 * Caps retries at a share of first attempts, so that during an outage retries add at most that
 * share to the load on Polytomic instead of multiplying it by the attempt count. Each first
 * attempt earns `percent`/100 of a retry; a small floor per second keeps retries possible at low
 * traffic. Written here because the resilience libraries at hand (cockatiel, opossum) bound
 * attempts per call, not retries across calls; the idea is Finagle's retry budget.
 */
export interface RetryBudget {
  /** Records a first attempt (earns a share of a retry). */
  recordAttempt(): void;
  /** Spends one retry if the budget holds one. */
  tryRetry(): boolean;
}

/** @param percent retries per 100 first attempts; 0 turns retries off beyond the floor. */
export function createRetryBudget(
  percent: number,
  { floorPerSecond = 1, maxBalance = 20, now = Date.now } = {},
): RetryBudget {
  let balance = maxBalance;
  let refilledAt = now();
  return {
    recordAttempt() {
      balance = Math.min(maxBalance, balance + percent / 100);
    },
    tryRetry() {
      const at = now();
      balance = Math.min(maxBalance, balance + ((at - refilledAt) / 1000) * floorPerSecond);
      refilledAt = at;
      if (balance < 1) return false;
      balance -= 1;
      return true;
    },
  };
}
