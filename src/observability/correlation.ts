import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

/** What ties one request's log lines to the caller's (and the router's) traces. */
export interface Correlation {
  /** The caller's `x-request-id` when well formed, else a new UUID; echoed and sent upstream. */
  requestId: string;
  /** From a W3C `traceparent`, when the caller (e.g. a federation router) sent a valid one. */
  traceId?: string;
  parentSpanId?: string;
}

const WELL_FORMED_ID = /^[\w.:-]{1,128}$/;
// version-traceid-parentid-flags; all-zero ids are invalid per W3C Trace Context.
const TRACEPARENT = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;

/** Reads the correlation headers of a request, from a fetch `Headers` or a node header getter. */
export function correlationOf(header: (name: string) => string | null | undefined): Correlation {
  const given = header('x-request-id');
  const correlation: Correlation = {
    requestId: given && WELL_FORMED_ID.test(given) ? given : randomUUID(),
  };
  const trace = TRACEPARENT.exec(header('traceparent')?.trim().toLowerCase() ?? '');
  if (trace && trace[1] !== 'ff' && !/^0+$/.test(trace[2] ?? '') && !/^0+$/.test(trace[3] ?? '')) {
    correlation.traceId = trace[2] as string;
    correlation.parentSpanId = trace[3] as string;
  }
  return correlation;
}

const byRequest = new WeakMap<Request, Correlation>();

/** The correlation of an HTTP request, read once. */
export function correlationOfRequest(request: Request): Correlation {
  let correlation = byRequest.get(request);
  if (!correlation) {
    correlation = correlationOf((name) => request.headers.get(name));
    byRequest.set(request, correlation);
  }
  return correlation;
}

/** Echoes the request id on every response, so a client can quote it in a bug report. */
export function useRequestId(): Plugin {
  return {
    onResponse({ request, response }) {
      response.headers.set('x-request-id', correlationOfRequest(request).requestId);
    },
  };
}
