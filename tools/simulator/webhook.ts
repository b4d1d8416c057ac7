/**
 * Webhook deliveries: every new event is POSTed, as JSON, to the organization's one webhook.
 *
 * Documented (docs/polytomic-events.md §1.4): one webhook gets every event of the organization;
 * a `Polytomic-Signature` header carries an HMAC of the request body made with the webhook's
 * secret; an answer other than 2xx is retried up to five times with exponential backoff; order
 * is not guaranteed; each event is delivered at most once.
 * Not documented (docs/polytomic-events.md §4, items 1-3): the real signing algorithm (hash,
 * encoding, any prefix or signed timestamp), the body (full `Event` or not, `name` or
 * `sync_name`), the retry intervals and the timeout. The simulator's guesses, so that a client
 * can be tested at all: HMAC-SHA256 of the raw body, hex unless `encoding: 'base64'`, no prefix;
 * the full `Event` envelope as body; retries after 50, 100, 200, 400 and 800 ms (short, so tests
 * stay fast); 5 s per attempt. A network error counts as a failed attempt. Nothing here throws
 * into the simulator: every failure is recorded and left there.
 */
import { createHmac } from 'node:crypto';
import type { PolytomicEvent } from './wire-types.js';

/** Where and how events are delivered. */
export interface WebhookOptions {
  url: string;
  /** Polytomic accepts 6 to 32 characters; the simulator takes any. */
  secret: string;
  /** Encoding of the signature's digest. @default 'hex' */
  encoding?: 'hex' | 'base64';
  /** Wait before the first retry; each next one waits twice as long. @default 50 */
  retryBaseMs?: number;
}

/** A misbehaviour of the delivery side, applied to the next attempts. */
export type WebhookFault =
  /** The attempt is never made, and the event is lost (no retry: at most once). */
  | { kind: 'drop' }
  /** The attempt is made `ms` later. */
  | { kind: 'delay'; ms: number };

/** One delivery attempt. */
export interface WebhookDelivery {
  eventId: string;
  eventType: string;
  /** 1 for the first try, up to 6. */
  attempt: number;
  /** The endpoint's answer; null on a network error, a timeout or a drop. */
  status: number | null;
  /** `failed` is retried unless it was the sixth attempt. */
  outcome: 'delivered' | 'failed' | 'dropped';
  /** What went wrong on a network error. */
  error?: string;
  /** The `Polytomic-Signature` sent; absent for a drop. */
  signature?: string;
  /** Simulator clock when the attempt ended. */
  at: number;
}

/** Retries after the first attempt ("up to five times"). */
export const WEBHOOK_RETRIES = 5;

/** How long one attempt may take. */
export const WEBHOOK_TIMEOUT_MS = 5_000;

/** Attempts kept for `webhookDeliveries()` at most (the newest). */
const DELIVERY_LOG_SIZE = 10_000;

/** The `Polytomic-Signature` of a body as the simulator computes it. */
export function webhookSignature(
  body: string,
  secret: string,
  encoding: 'hex' | 'base64' = 'hex',
): string {
  return createHmac('sha256', secret).update(body).digest(encoding);
}

interface Pending {
  fault: WebhookFault;
  remaining: number;
}

interface Sleeper {
  timer: ReturnType<typeof setTimeout>;
  wake(done: boolean): void;
}

/** Sends events to the webhook, if one is set, and records every attempt. */
export class WebhookSender {
  readonly #now: () => number;
  #target: WebhookOptions | undefined;
  #deliveries: WebhookDelivery[] = [];
  #faults: Pending[] = [];
  readonly #sleepers = new Set<Sleeper>();
  readonly #running = new Set<Promise<void>>();
  #abort = new AbortController();
  #closed = false;

  constructor(now: () => number, target: WebhookOptions | undefined) {
    this.#now = now;
    this.#target = target;
  }

  get target(): WebhookOptions | undefined {
    return this.#target;
  }

  /** Sets or removes the webhook; deliveries under way keep the target they started with. */
  set(target: WebhookOptions | undefined): void {
    this.#target = target;
  }

  /** Delivers an event to the current webhook; nothing happens without one. */
  send(event: PolytomicEvent): void {
    const target = this.#target;
    if (target === undefined || this.#closed) return;
    const run = this.#deliver(event, target).finally(() => this.#running.delete(run));
    this.#running.add(run);
  }

  /** Queues a fault for the next `times` attempts (every one when absent). */
  inject(fault: WebhookFault, times = Number.POSITIVE_INFINITY): void {
    if (!(times >= 1)) throw new RangeError(`times must be at least 1, got ${times}`);
    this.#faults.push({ fault, remaining: times });
  }

  clearFaults(): void {
    this.#faults = [];
  }

  /** Every attempt recorded, oldest first. */
  deliveries(): readonly WebhookDelivery[] {
    return this.#deliveries;
  }

  /** Resolves once no delivery is under way (retries included). */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /**
   * Ends every delivery under way: waits are cut short, requests aborted, nothing of them is
   * recorded any more. Events sent afterwards are delivered again (a simulator can restart).
   */
  async stop(): Promise<void> {
    this.#closed = true;
    this.#abort.abort();
    for (const sleeper of this.#sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.wake(false);
    }
    this.#sleepers.clear();
    await this.settled();
    this.#abort = new AbortController();
    this.#closed = false;
  }

  #takeFault(): WebhookFault | undefined {
    const pending = this.#faults[0];
    if (pending === undefined) return undefined;
    pending.remaining -= 1;
    if (pending.remaining <= 0) this.#faults.shift();
    return pending.fault;
  }

  /** Resolves true after `ms`, or false at once when the sender closes. */
  #sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.#closed) {
        resolve(false);
        return;
      }
      const sleeper: Sleeper = {
        timer: setTimeout(() => {
          this.#sleepers.delete(sleeper);
          resolve(true);
        }, ms),
        wake: resolve,
      };
      this.#sleepers.add(sleeper);
    });
  }

  #record(delivery: WebhookDelivery): void {
    if (this.#closed) return;
    this.#deliveries.push(delivery);
    if (this.#deliveries.length >= 2 * DELIVERY_LOG_SIZE) {
      this.#deliveries = this.#deliveries.slice(-DELIVERY_LOG_SIZE);
    }
  }

  async #deliver(event: PolytomicEvent, target: WebhookOptions): Promise<void> {
    const body = JSON.stringify(event);
    const signature = webhookSignature(body, target.secret, target.encoding ?? 'hex');
    const base = target.retryBaseMs ?? 50;
    const about = { eventId: event.id, eventType: event.type };
    for (let attempt = 1; attempt <= WEBHOOK_RETRIES + 1; attempt++) {
      if (attempt > 1 && !(await this.#sleep(base * 2 ** (attempt - 2)))) return;
      const fault = this.#takeFault();
      if (fault?.kind === 'drop') {
        this.#record({ ...about, attempt, status: null, outcome: 'dropped', at: this.#now() });
        return;
      }
      if (fault?.kind === 'delay' && !(await this.#sleep(fault.ms))) return;
      if (this.#closed) return;
      const tried = await this.#post(target.url, body, signature);
      const ok = tried.status !== null && tried.status >= 200 && tried.status < 300;
      const outcome = ok ? 'delivered' : 'failed';
      this.#record({ ...about, attempt, ...tried, outcome, signature, at: this.#now() });
      if (outcome === 'delivered') return;
    }
  }

  async #post(
    url: string,
    body: string,
    signature: string,
  ): Promise<{ status: number | null; error?: string }> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'polytomic-signature': signature },
        body,
        redirect: 'manual',
        signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(WEBHOOK_TIMEOUT_MS)]),
      });
      // Read the answer so the connection goes back to the pool.
      await res.arrayBuffer().catch(() => undefined);
      return { status: res.status };
    } catch (error) {
      return { status: null, error: error instanceof Error ? error.message : String(error) };
    }
  }
}
