import type { IncomingMessage } from 'node:http';
import { createGraphQLError, type FetchAPI, type Plugin } from 'graphql-yoga';

/**
 * The request body limit (MAX_REQUEST_BYTES), in place of yoga's `maxRequestBodySize`.
 *
 * Yoga pipes every body through a counting TransformStream, even one whose Content-Length is
 * already known; that stream, and the AbortController Node's pipeline makes and aborts for it,
 * are a large part of a cache-off query's own cost (BENCHMARKS.md). Node's strict HTTP parser (app.ts turns the lenient one off explicitly) refuses a request
 * with both Content-Length and Transfer-Encoding, or with several Content-Lengths, and never
 * delivers more bytes than Content-Length says: a request that arrived over Node's server with
 * one only needs its header checked. Chunked bodies, and requests that came in by other means
 * (`yoga.fetch`), are still counted as they arrive. A plugin that decompressed bodies would make
 * the header meaningless and must come with counting.
 */
export function useBodyLimit(limit: number): Plugin<object, { req?: IncomingMessage }> {
  return {
    onRequestParse({ request, serverContext, requestParser, setRequestParser, fetchAPI }) {
      const length = request.headers.get('content-length');
      if (length !== null) {
        if (!/^\d+$/.test(length)) throw invalidLength();
        if (Number(length) > limit) throw tooLarge();
        if (serverContext.req && !request.headers.has('transfer-encoding')) return;
      }
      if (!requestParser || !request.body) return;
      setRequestParser((original) => requestParser(counted(original, limit, fetchAPI)));
    },
  };
}

function counted(request: Request, limit: number, fetchAPI: FetchAPI): Request {
  let bytes = 0;
  // As yoga does: a native ReadableStream body needs the native TransformStream (yoga #4583).
  const Transform =
    request.body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  const body = request.body?.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        if (bytes > limit) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body: body ?? null,
    duplex: 'half',
  } as RequestInit);
}

// The same errors and statuses yoga's own limit answers with; useInputErrorCodes gives them
// the contract's code, as it does yoga's own.
const tooLarge = () =>
  createGraphQLError('Request body too large', {
    extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' },
  });
const invalidLength = () =>
  createGraphQLError('Content-Length header is invalid.', {
    extensions: { http: { status: 400 }, code: 'BAD_REQUEST' },
  });
