import { Buffer } from 'node:buffer';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { ApiError } from './wire-types.js';

/** A fully prepared HTTP answer. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A reply whose body is `body` serialized as JSON, or sent as-is when it is a string. */
export function jsonReply(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Reply {
  return { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** A reply with the documented `ApiError` body. */
export function apiErrorReply(status: number, message: string, key: string): Reply {
  const body: ApiError = { status, message, key, metadata: {} };
  return jsonReply(status, body);
}

/** Writes the status line and headers of `reply`, including the version echo. */
export function writeReplyHead(res: ServerResponse, reply: Reply, version: string): void {
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(reply.body)),
    'x-polytomic-version': version,
    ...reply.headers,
  });
}

/** Sends `reply` in one go. */
export function sendReply(res: ServerResponse, reply: Reply, version: string): void {
  writeReplyHead(res, reply, version);
  res.end(reply.body);
}

/** Request headers as single strings, repeated headers joined with `, `. */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** Largest request body read; the rest is dropped (no simulated request needs more). */
const MAX_BODY_BYTES = 1 << 20;

/** The request body as text, '' if the client goes away first. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
    req.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
