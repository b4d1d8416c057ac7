/**
 * Typed upstream failures, modelled on undici's `errors.js`: a stable `code` to branch on and
 * messages that never contain the upstream URL, a credential or a response body, so they are
 * safe to log and to turn into client errors.
 */
export class PolytomicError extends Error {
  readonly code: string = 'POLYTOMIC_ERROR';
  /** Whether another attempt of the same GET may succeed. */
  readonly retryable: boolean = false;
  /** How long the upstream asked us to wait (Retry-After), if it said. */
  readonly retryAfterMs: number | undefined = undefined;
  /** Whether this failure says Polytomic itself is unhealthy (feeds the circuit breaker). */
  readonly countsAgainstUpstream: boolean = false;
  /**
   * Whether the failure may be the one sync's rather than Polytomic's as a whole (a 500, a body
   * that fails validation): the breaker then counts it once per sync, not once per attempt.
   */
  readonly maybeSyncSpecific: boolean = false;
}

/**
 * Whether a recent good status may stand in for this failure (stale-if-error): any failure but
 * an authoritative refusal (401, 403, 404 and the other 4xx Polytomic would answer again).
 */
export function staleMayServe(error: unknown): boolean {
  if (!(error instanceof PolytomicError)) return false;
  return !(error instanceof UpstreamHttpError) || error.retryable;
}

/** Polytomic answered with a non-2xx status. */
export class UpstreamHttpError extends PolytomicError {
  override readonly code = 'UPSTREAM_HTTP_ERROR';
  override readonly retryable: boolean;
  override readonly retryAfterMs: number | undefined;
  override readonly countsAgainstUpstream: boolean;
  override readonly maybeSyncSpecific: boolean;

  constructor(
    readonly statusCode: number,
    retryAfterMs?: number,
    /**
     * Polytomic's own `message` from the error body of a refused action (400, 409, 422), meant
     * for the user; never read for anything else.
     */
    readonly upstreamMessage?: string,
  ) {
    super(`Polytomic answered HTTP ${statusCode}`);
    this.name = 'UpstreamHttpError';
    this.retryable = statusCode === 408 || statusCode === 429 || statusCode >= 500;
    this.countsAgainstUpstream = statusCode >= 500;
    // A 500 may be one sync's data tripping Polytomic's application; 502-504 (and the other
    // 5xx) come from the infrastructure in front of it or say it is down, for every sync.
    this.maybeSyncSpecific = statusCode === 500;
    this.retryAfterMs = retryAfterMs;
  }
}

/** One attempt took longer than UPSTREAM_TIMEOUT_MS. */
export class UpstreamTimeoutError extends PolytomicError {
  override readonly code = 'UPSTREAM_TIMEOUT';
  override readonly retryable = true;
  override readonly countsAgainstUpstream = true;

  constructor(timeoutMs: number) {
    super(`Polytomic did not answer within ${timeoutMs} ms`);
    this.name = 'UpstreamTimeoutError';
  }
}

/** The connection failed or was reset before a full response arrived. */
export class UpstreamNetworkError extends PolytomicError {
  override readonly code = 'UPSTREAM_NETWORK_ERROR';
  override readonly retryable = true;
  override readonly countsAgainstUpstream = true;

  constructor(cause: string) {
    super(`Connection to Polytomic failed (${cause})`);
    this.name = 'UpstreamNetworkError';
  }
}

/** A 2xx whose body is not the documented envelope. Not retried: the same GET gives the same body. */
export class UpstreamBodyError extends PolytomicError {
  override readonly code = 'UPSTREAM_BAD_BODY';
  override readonly countsAgainstUpstream = true;
  override readonly maybeSyncSpecific = true;

  constructor(reason: string, expected = 'a bulk sync status') {
    super(`Polytomic sent a body that is not ${expected} (${reason})`);
    this.name = 'UpstreamBodyError';
  }
}

/** The gateway refused to queue another upstream call (concurrency cap and queue both full). */
export class UpstreamOverloadedError extends PolytomicError {
  override readonly code = 'UPSTREAM_OVERLOADED';

  constructor() {
    super('Too many upstream calls are waiting; try again shortly');
    this.name = 'UpstreamOverloadedError';
  }
}

/** The circuit breaker is open: Polytomic failed repeatedly, so calls fail fast for a while. */
export class UpstreamCircuitOpenError extends PolytomicError {
  override readonly code = 'UPSTREAM_CIRCUIT_OPEN';

  constructor() {
    super('Polytomic is failing; calls are paused briefly');
    this.name = 'UpstreamCircuitOpenError';
  }
}
