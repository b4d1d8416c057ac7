import { STATUS_CODES } from 'node:http';
import { apiErrorReply, jsonReply, type Reply } from './http-util.js';
import type { RouteKind } from './routes.js';

/** A misbehaviour the simulator can apply to a request instead of (or around) its answer. */
export type Fault =
  /**
   * Answer with this status; the body defaults to an `ApiError` for the status. An `edge` answer
   * comes from the network in front of Polytomic's application (a load balancer's 503): the
   * request never reached it, so an action's Idempotency-Key stays free for the retry. Otherwise
   * Polytomic answered, and a replay of the key gets the same answer.
   */
  | {
      kind: 'status';
      status: number;
      body?: string | object;
      headers?: Record<string, string>;
      edge?: boolean;
    }
  /** Answer normally after `ms`. */
  | { kind: 'delay'; ms: number }
  /** Never answer; the socket stays open until the client gives up or the server closes. */
  | { kind: 'hang' }
  /** Destroy the socket without an answer. */
  | { kind: 'reset' }
  /** Answer 200 with an invalid body. */
  | { kind: 'malformed'; body?: string }
  /** Send the normal status and headers at once, then the body after `ms`. */
  | { kind: 'slowBody'; ms: number }
  /** Send the normal status and headers at once, then the body in `chunks` parts, `everyMs` apart. */
  | { kind: 'trickle'; chunks: number; everyMs: number };

/** Which requests a fault applies to, and how many times. */
export interface InjectOptions {
  /**
   * Number of requests the fault applies to.
   * @default Infinity
   */
  times?: number;
  /**
   * Apply only to requests for this sync id (any of its routes); when absent, to any sync.
   * @default undefined
   */
  syncId?: string;
  /**
   * Apply only to requests of this route kind (or these kinds); when absent, to any route,
   * unknown paths included.
   * @default undefined
   */
  route?: RouteKind | readonly RouteKind[];
  /**
   * Apply only to `GET /api/connections/{id}` for this connection id.
   * @default undefined
   */
  connectionId?: string;
}

/** What a fault is matched against. */
export interface FaultTarget {
  route: RouteKind | undefined;
  syncId: string | undefined;
  connectionId: string | undefined;
}

/** Body of a `malformed` fault without its own body: JSON cut off mid-object. */
export const TRUNCATED_BODY = '{"data": {"current_execution": ';

interface Pending {
  fault: Fault;
  remaining: number;
  syncId: string | undefined;
  routes: ReadonlySet<RouteKind> | undefined;
  connectionId: string | undefined;
}

function matches(pending: Pending, target: FaultTarget): boolean {
  return (
    (pending.syncId === undefined || pending.syncId === target.syncId) &&
    (pending.connectionId === undefined || pending.connectionId === target.connectionId) &&
    (pending.routes === undefined ||
      (target.route !== undefined && pending.routes.has(target.route)))
  );
}

/** Injected faults, applied first-in first-out to the requests they match. */
export class FaultQueue {
  #pending: Pending[] = [];

  /** Queues a fault behind the ones already queued. */
  add(fault: Fault, options: InjectOptions = {}): void {
    const times = options.times ?? Number.POSITIVE_INFINITY;
    if (!(times >= 1)) throw new RangeError(`times must be at least 1, got ${times}`);
    const { route } = options;
    this.#pending.push({
      fault,
      remaining: times,
      syncId: options.syncId?.toLowerCase(),
      routes:
        route === undefined ? undefined : new Set(typeof route === 'string' ? [route] : route),
      connectionId: options.connectionId?.toLowerCase(),
    });
  }

  /** Takes one use of the oldest fault matching a request, if any. */
  take(target: FaultTarget): Fault | undefined {
    const index = this.#pending.findIndex((p) => matches(p, target));
    const pending = this.#pending[index];
    if (pending === undefined) return undefined;
    pending.remaining -= 1;
    if (pending.remaining <= 0) this.#pending.splice(index, 1);
    return pending.fault;
  }

  /** Drops every queued fault. */
  clear(): void {
    this.#pending = [];
  }
}

/** The reply of a `status` fault. */
export function statusFaultReply(fault: Extract<Fault, { kind: 'status' }>): Reply {
  const headers = fault.headers ?? {};
  if (fault.body !== undefined) return jsonReply(fault.status, fault.body, headers);
  const message = (STATUS_CODES[fault.status] ?? 'error').toLowerCase();
  const key = message.replace(/[^a-z0-9]+/g, '_');
  return { ...apiErrorReply(fault.status, message, key), headers };
}
