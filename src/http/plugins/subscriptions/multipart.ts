import type { ExecutionResult } from 'graphql';
import { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { serialisedJson } from './member.js';

/** Idle time after which a heartbeat part (`{}`) is sent, as Apollo Router does: 5 s. */
export const MULTIPART_HEARTBEAT_MS = 5000;

/** The response's Content-Type, Apollo Router's: Apollo Client reads the boundary from it. */
export const MULTIPART_SUBSCRIPTION_TYPE =
  'multipart/mixed;boundary="graphql";subscriptionSpec=1.0';

const DELIMITER = '\r\n--graphql';
const PART_HEADERS = '\r\ncontent-type: application/json\r\n\r\n';
/** Written after the last delimiter, it makes it the closing one (`--graphql--`). */
const CLOSE = '--\r\n';
const HEARTBEAT = `${PART_HEADERS}{}${DELIMITER}`;

type ResultProcessEvent = Parameters<NonNullable<Plugin['onResultProcess']>>[0];
type ResultProcessor = Parameters<ResultProcessEvent['setResultProcessor']>[0];
type ResultProcessorInput = ResultProcessEvent['result'];
type FetchAPI = Parameters<ResultProcessor>[1];

export interface MultipartOptions {
  /** @default MULTIPART_HEARTBEAT_MS; tests shorten it. */
  heartbeatMs?: number;
}

/**
 * Subscriptions over HTTP in Apollo's multipart subscription protocol, the one Apollo Client's
 * HttpLink speaks by default (and Apollo Router, Apollo Kotlin and Apollo iOS): a POST whose
 * Accept names `multipart/mixed;subscriptionSpec=1.0` is answered with one part per result,
 * `{"payload": <result>}`, a heartbeat part `{}` after each 5 s without one, and the closing
 * boundary when the subscription completes. An error of the stream itself (not a result's
 * GraphQL error, which stays in its payload) is `{"payload": null, "errors": [...]}`, then the
 * close. Leaving (the client's disconnect) returns the stream at once, as SSE does.
 *
 * yoga 5 serves subscriptions as SSE only: its own multipart processor is offered to queries
 * and mutations but not to subscriptions, so this Accept got 406. A single result (a query, or a
 * subscription refused before it started) keeps yoga's choice, JSON for Apollo's Accept, which
 * also names `application/graphql-response+json`; only one yoga could serve no way (an Accept
 * naming nothing else) is sent here, as one payload and the close. When the Accept names both
 * this and `text/event-stream`, the client's preference (q, then order) decides.
 */
export function useMultipartSubscriptions(options: MultipartOptions = {}): Plugin {
  const heartbeatMs = options.heartbeatMs ?? MULTIPART_HEARTBEAT_MS;
  const processor: ResultProcessor = (result, fetchAPI) =>
    multipartResponse(result, fetchAPI, heartbeatMs);
  return {
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      if (!isAsyncIterable(result) && resultProcessor) return;
      const accept = request.headers.get('accept');
      if (accept && prefersMultipartSubscription(accept)) {
        setResultProcessor(processor, 'multipart/mixed');
      }
    },
  };
}

/**
 * Whether `accept` names `multipart/mixed` with `subscriptionSpec=1.0` (quoted or not) and
 * prefers it to `text/event-stream`: a higher q, or the same q and named first.
 */
export function prefersMultipartSubscription(accept: string): boolean {
  // The best q of each, and where it was named.
  let multipart: { q: number; at: number } | undefined;
  let sse: { q: number; at: number } | undefined;
  accept.split(',').forEach((entry, at) => {
    const [type = '', ...parameters] = entry.split(';').map((part) => part.trim().toLowerCase());
    const values = new Map<string, string>();
    for (const parameter of parameters) {
      const equals = parameter.indexOf('=');
      if (equals > 0) {
        const value = parameter.slice(equals + 1).trim();
        values.set(parameter.slice(0, equals).trim(), value.replace(/^"(.*)"$/, '$1'));
      }
    }
    const q = values.has('q') ? Number(values.get('q')) : 1;
    if (type === 'multipart/mixed' && values.get('subscriptionspec') === '1.0') {
      if (!multipart || q > multipart.q) multipart = { q, at };
    } else if (type === 'text/event-stream' && (!sse || q > sse.q)) {
      sse = { q, at };
    }
  });
  if (!multipart || !(multipart.q > 0)) return false;
  return !sse || multipart.q > sse.q || (multipart.q === sse.q && multipart.at < sse.at);
}

/** The streamed response: the opening delimiter at once, then one part per result. */
export function multipartResponse(
  result: ResultProcessorInput,
  fetchAPI: FetchAPI,
  heartbeatMs: number,
): Response {
  const encoder = new fetchAPI.TextEncoder();
  const iterator = isAsyncIterable(result)
    ? result[Symbol.asyncIterator]()
    : [result][Symbol.iterator]();
  let open = true;
  let timer: NodeJS.Timeout | undefined;
  let controller: ReadableStreamDefaultController<Uint8Array>;
  const write = (text: string) => controller.enqueue(encoder.encode(text));
  const beat = () => {
    // A client that is not reading has a full queue: no heartbeat piles up in it.
    if ((controller.desiredSize ?? 0) > 0) write(HEARTBEAT);
    timer = setTimeout(beat, heartbeatMs);
  };
  const idle = () => {
    clearTimeout(timer);
    timer = setTimeout(beat, heartbeatMs);
  };
  const end = (lastPart?: string) => {
    open = false;
    clearTimeout(timer);
    write(lastPart === undefined ? CLOSE : `${PART_HEADERS}${lastPart}${DELIMITER}${CLOSE}`);
    controller.close();
  };
  const body = new fetchAPI.ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
      // Sent at once, so the client has the headers before the first result.
      write(DELIMITER);
      idle();
    },
    async pull() {
      let step: IteratorResult<unknown>;
      try {
        step = await iterator.next();
      } catch (error) {
        if (open) end(JSON.stringify({ payload: null, errors: [streamError(error)] }));
        return;
      }
      // The client left while this result was on its way.
      if (!open) return;
      if (step.done) return end();
      write(`${PART_HEADERS}${payloadOf(step.value as ExecutionResult)}${DELIMITER}`);
      idle();
    },
    async cancel() {
      open = false;
      clearTimeout(timer);
      await iterator.return?.();
    },
  });
  return new fetchAPI.Response(body, {
    status: 200,
    headers: { 'Content-Type': MULTIPART_SUBSCRIPTION_TYPE, 'Cache-Control': 'no-cache' },
  });
}

/** `{"payload": <result>}`, without yoga's internal extensions (`http`, `unexpected`). */
function payloadOf(result: ExecutionResult): string {
  const json = serialisedJson(result);
  if (json !== undefined) return `{"payload":${json}}`;
  const { extensions, errors, ...rest } = result;
  const payload: Record<string, unknown> = { ...rest };
  if (errors?.length) payload['errors'] = errors.map(errorJson);
  if (extensions) {
    const { http: _http, ...kept } = extensions;
    if (Object.keys(kept).length > 0) payload['extensions'] = kept;
  }
  return JSON.stringify({ payload });
}

/** An error as sent: its JSON form without the extensions yoga keeps to itself. */
function errorJson(error: unknown): unknown {
  if (!(error instanceof GraphQLError)) return error;
  const json: { extensions?: Record<string, unknown> } = error.toJSON();
  if (json.extensions) {
    const { http: _http, unexpected: _unexpected, ...kept } = json.extensions;
    if (Object.keys(kept).length > 0) json.extensions = kept;
    else delete json.extensions;
  }
  return json;
}

/**
 * The error that ended the stream. yoga masks what a subscription's stream throws (a client-safe
 * GraphQLError passes, anything else is "Unexpected error."); anything unmasked is not shown.
 */
function streamError(error: unknown): unknown {
  return error instanceof GraphQLError ? errorJson(error) : { message: 'Unexpected error.' };
}
