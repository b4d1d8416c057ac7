import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';
import { Agent, type Dispatcher } from 'undici';
import { tracer } from '../../observability/tracing.js';
import {
  PolytomicError,
  UpstreamBodyError,
  UpstreamCircuitOpenError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamOverloadedError,
  UpstreamTimeoutError,
} from './errors.js';
import { createRetryBudget } from './retry-budget.js';

/** Options of {@link createTransport} (and so of the client). */
export interface TransportOptions {
  /** Upstream origin, e.g. `https://app.polytomic.com`. */
  baseUrl: string;
  /** Sent on every call as `X-Polytomic-Version`. */
  apiVersion: string;
  /** The one undici Agent of the process (keep-alive pool), made at start and injected. */
  dispatcher: Dispatcher;
  /** Per attempt, headers and body included. */
  timeoutMs: number;
  /** Attempts per call, the first included. */
  maxAttempts: number;
  /** No retry starts after this long since the first attempt began. */
  retryMaxElapsedMs: number;
  /** First backoff step; doubled each retry, full jitter. @default 100 */
  retryBaseDelayMs?: number;
  /** Largest backoff step (a longer Retry-After is honoured if the budget allows). @default 5000 */
  retryMaxDelayMs?: number;
  /** Upstream calls in flight at once, process-wide. */
  concurrency: number;
  /** Calls that may wait for a slot; beyond that they fail fast. */
  queue: number;
  /**
   * Consecutive failures (5xx, timeouts, connection errors, bad bodies) that open the breaker; a
   * 500 or a bad body counts once per sync in the streak.
   */
  breakerThreshold: number;
  /** How long the breaker stays open before one probe is let through. */
  breakerHalfOpenMs: number;
  /** Retries per 100 first attempts, process-wide. */
  retryBudgetPercent: number;
  /** Told when the breaker opens, half-opens or closes. */
  onBreakerState?: (state: 'closed' | 'open' | 'half-open') => void;
  /** Told about every attempt, for metrics. `outcome` is the HTTP status or an error kind. */
  onAttempt?: (outcome: string, seconds: number) => void;
  /** Told before each retry. */
  onRetry?: (reason: string) => void;
  /** Told of each call (not each attempt) and why it is made. */
  onCall?: (reason: CallReason) => void;
}

/**
 * Why a call is made, for `polytomic_upstream_calls_by_reason_total`: a poll of a running sync
 * (`busy`) or an idle one (`idle`), an idle check while events are watched (`safety`), a poll an
 * event (`event`) or a webhook (`webhook`) asked for, an action and the poll after it
 * (`mutation`), the event watcher's own read (`events`), or a client's query (`query`, the
 * default).
 */
export type CallReason =
  | 'busy'
  | 'idle'
  | 'safety'
  | 'event'
  | 'webhook'
  | 'mutation'
  | 'events'
  | 'query';

/** Per-call details that travel upstream. */
export interface CallOptions {
  /** @default 'query' */
  reason?: CallReason | undefined;
  /** Forwarded as `X-Request-Id` so Polytomic-side logs can be correlated. */
  requestId?: string | undefined;
  /** Overrides maxAttempts: a poller passes 1, since its next tick is its retry. */
  attempts?: number | undefined;
}

/** One request to Polytomic, and how to read its answer. */
export interface UpstreamRequest<T> {
  method: 'GET' | 'POST';
  /** The path template, for spans: `/api/bulk/syncs/{id}/status`. */
  route: string;
  /** The path with its ids and query. */
  path: string;
  body?: string;
  idempotencyKey?: string;
  /** What a failure that may be this resource's own (a 500, a bad body) is counted against. */
  resource: string;
  parse(body: string): T;
}

/** Sends requests to Polytomic, with the discipline every endpoint shares. */
export interface Transport {
  send<T>(request: UpstreamRequest<T>, authorization: string, call?: CallOptions): Promise<T>;
  /** Calls holding a concurrency slot, and calls waiting for one. */
  load(): { active: number; queued: number };
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * A Polytomic client with per-attempt timeouts, bounded retries and a process-wide concurrency
 * cap (cockatiel's bulkhead). The retry loop is written here rather than with a retry library
 * because it must weigh Retry-After against the remaining time budget: a 429 asking for longer
 * than the budget allows fails at once instead of sleeping into a timeout.
 */
export function createTransport(options: TransportOptions): Transport {
  const {
    baseUrl,
    apiVersion,
    dispatcher,
    timeoutMs,
    maxAttempts,
    retryMaxElapsedMs,
    retryBaseDelayMs = 100,
    retryMaxDelayMs = 5000,
    onAttempt,
    onRetry,
    onCall,
  } = options;
  const { origin } = new URL(baseUrl);
  const slots = bulkhead(options.concurrency, options.queue);
  const budget = createRetryBudget(options.retryBudgetPercent);
  // One breaker per client, and a client per upstream origin: it opens when Polytomic as a
  // whole is failing, and fails calls fast (UPSTREAM_UNAVAILABLE) until a probe succeeds.
  // A failure that may be one sync's own (a 500, a bad body) counts once per sync until a call
  // succeeds or the breaker closes, so a sync Polytomic cannot serve neither opens the breaker
  // for the others nor, as the probe, keeps it open; failures that speak for Polytomic as a
  // whole (any other 5xx, timeouts, connection errors) all count.
  const failures = new WeakMap<PolytomicError, { syncId: string; probe: boolean }>();
  const failingSyncs = new Set<string>();
  // The breaker's predicate; it also remembers the sync of a failure it counts.
  const countsForBreaker = (error: unknown): boolean => {
    if (!(error instanceof PolytomicError) || !error.countsAgainstUpstream) return false;
    const failure = failures.get(error);
    if (!failure) return true;
    // A call that began before the breaker opened and fails after: the breaker has decided, and
    // counting it would re-open a half-open breaker under its probe.
    if (!failure.probe && breaker.state !== CircuitState.Closed) return false;
    if (!error.maybeSyncSpecific) return true;
    // Not counted: while closed, nothing happens; as the probe, the breaker closes (cockatiel
    // treats a failure its predicate rejects as an answer from the upstream).
    if (failingSyncs.has(failure.syncId)) return false;
    failingSyncs.add(failure.syncId);
    return true;
  };
  const breaker = circuitBreaker(handleWhen(countsForBreaker), {
    halfOpenAfter: options.breakerHalfOpenMs,
    breaker: new ConsecutiveBreaker(options.breakerThreshold),
  });
  breaker.onSuccess(() => failingSyncs.clear());
  breaker.onStateChange((state) => {
    if (state === CircuitState.Closed) failingSyncs.clear();
    options.onBreakerState?.(
      state === CircuitState.Closed
        ? 'closed'
        : state === CircuitState.HalfOpen
          ? 'half-open'
          : 'open',
    );
  });

  async function attempt<T>(
    request: UpstreamRequest<T>,
    authorization: string,
    call: CallOptions,
    probe: boolean,
  ): Promise<T> {
    const started = performance.now();
    let outcome = 'error';
    const span = tracer.startSpan(`${request.method} ${request.route}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': request.method, 'polytomic.resource': request.resource },
    });
    // One timer for the whole attempt, body included (undici's own timeouts bound only the wait
    // for headers and the gaps between body chunks). Cleared when the attempt ends, unlike
    // AbortSignal.timeout, whose timer would outlive every call by UPSTREAM_TIMEOUT_MS. The
    // signal is the EventEmitter form undici documents beside AbortSignal, cheaper than an
    // AbortController per attempt.
    const deadline = new EventEmitter();
    const timer = setTimeout(() => deadline.emit('abort'), timeoutMs);
    try {
      const headers: Record<string, string> = {
        authorization,
        accept: 'application/json',
        'x-polytomic-version': apiVersion,
      };
      if (call.requestId) headers['x-request-id'] = call.requestId;
      if (request.body !== undefined) headers['content-type'] = 'application/json';
      if (request.idempotencyKey) headers['idempotency-key'] = request.idempotencyKey;
      propagation.inject(trace.setSpan(context.active(), span), headers);
      // The dispatcher's own request with a parsed origin: undici's top-level request(url)
      // parses the URL again on every call.
      const response = await dispatcher.request({
        origin,
        path: request.path,
        method: request.method,
        headers,
        body: request.body ?? null,
        signal: deadline,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      outcome = String(response.statusCode);
      if (response.statusCode < 200 || response.statusCode > 299) {
        const message = ACTION_REFUSALS.has(response.statusCode)
          ? await refusalMessage(request, response.body)
          : await response.body.dump().then(() => undefined);
        throw new UpstreamHttpError(
          response.statusCode,
          retryAfterMs(response.headers['retry-after']),
          message,
        );
      }
      return request.parse(await response.body.text());
    } catch (error) {
      const failure = toPolytomicError(error, timeoutMs);
      failures.set(failure, { syncId: request.resource, probe });
      if (!(failure instanceof UpstreamHttpError)) outcome = failure.code.toLowerCase();
      throw failure;
    } finally {
      clearTimeout(timer);
      span.setAttribute('polytomic.outcome', outcome);
      if (outcome !== '200') span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      onAttempt?.(outcome, (performance.now() - started) / 1000);
    }
  }

  /** One call: attempts through the breaker and the concurrency cap, retried within budget. */
  async function send<T>(
    request: UpstreamRequest<T>,
    authorization: string,
    call: CallOptions = {},
  ) {
    const deadline = Date.now() + retryMaxElapsedMs;
    onCall?.(call.reason ?? 'query');
    budget.recordAttempt();
    for (let n = 1; ; n++) {
      try {
        return await breaker.execute(() => {
          // cockatiel runs this at once, still open, for the half-open probe alone.
          const probe = breaker.state !== CircuitState.Closed;
          return slots.execute(() => attempt(request, authorization, call, probe));
        });
      } catch (error) {
        const failure =
          error instanceof BulkheadRejectedError
            ? new UpstreamOverloadedError()
            : error instanceof BrokenCircuitError
              ? new UpstreamCircuitOpenError()
              : error;
        if (
          !(failure instanceof PolytomicError) ||
          !failure.retryable ||
          n >= (call.attempts ?? maxAttempts)
        ) {
          throw failure;
        }
        const backoff = Math.random() * Math.min(retryMaxDelayMs, retryBaseDelayMs * 2 ** (n - 1));
        const delay = failure.retryAfterMs ?? backoff;
        // The budget is asked last: a retry the deadline rules out must not spend it.
        if (Date.now() + delay > deadline || !budget.tryRetry()) throw failure;
        onRetry?.(failure.code);
        await sleep(delay);
      }
    }
  }

  const { concurrency, queue } = options;
  return {
    send,
    load: () => ({ active: concurrency - slots.executionSlots, queued: queue - slots.queueSlots }),
  };
}

/** The statuses whose `message` Polytomic writes for the user of a refused action. */
const ACTION_REFUSALS = new Set([400, 409, 422]);
const MAX_MESSAGE_LENGTH = 500;

/**
 * Polytomic's `message` of a refused action (an `ApiError` body), shortened; undefined for a GET
 * or a body without one. Only actions pass it on (the contract lets a mutation show it).
 */
async function refusalMessage(
  request: UpstreamRequest<unknown>,
  body: Dispatcher.ResponseData['body'],
): Promise<string | undefined> {
  if (request.method !== 'POST') {
    await body.dump();
    return undefined;
  }
  try {
    const { message } = (await body.json()) as { message?: unknown };
    return typeof message === 'string' && message.trim() !== ''
      ? message.trim().slice(0, MAX_MESSAGE_LENGTH)
      : undefined;
  } catch {
    return undefined;
  }
}

function toPolytomicError(error: unknown, timeoutMs: number): PolytomicError {
  if (error instanceof PolytomicError) return error;
  const { name, code } = (error ?? {}) as { name?: string; code?: string };
  if (
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT'
  ) {
    return new UpstreamTimeoutError(timeoutMs);
  }
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return new UpstreamBodyError('too large');
  return new UpstreamNetworkError(code ?? name ?? 'unknown');
}

/** RFC 9110's delay-seconds (digits), with a fraction tolerated. */
const DELAY_SECONDS = /^\d+(?:\.\d+)?$/;

/**
 * Retry-After in delay-seconds or as an HTTP date; undefined when absent or unreadable. Only an
 * HTTP date goes to Date.parse, which would read "-5" as a year, and only digits to Number,
 * which would read " " as 0 and "0x10" as 16.
 */
function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (DELAY_SECONDS.test(value)) {
    // Whole milliseconds; 309 digits and more read as Infinity, which is no delay either.
    const ms = Math.ceil(Number(value) * 1000);
    return Number.isFinite(ms) ? ms : undefined;
  }
  // Every HTTP date form begins with the day's name.
  const ms = /^[A-Za-z]/.test(value) ? Date.parse(value) - Date.now() : Number.NaN;
  return Number.isNaN(ms) ? undefined : Math.max(ms, 0);
}

/**
 * The process's one upstream connection pool: keep-alive, and a response size cap so a runaway
 * body cannot exhaust memory.
 */
export function createAgent(timeoutMs: number): Agent {
  return new Agent({
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 10_000,
    maxResponseSize: MAX_BODY_BYTES,
  });
}
