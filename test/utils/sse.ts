import { expect } from 'vitest';
import { leftover } from './leftovers.js';

/** One Server-Sent Event; pings and comments are skipped. */
export interface SseEvent {
  event: string;
  data: string;
}

/** Reads `event:`/`data:` blocks from an SSE response body, in order. */
export interface SseReader {
  /** The next event, or undefined when the stream has ended. */
  next(): Promise<SseEvent | undefined>;
  cancel(): Promise<void>;
}

/** Reads an SSE body; the reader is cancelled with the leftovers (so the stream's poller stops). */
export function sseReader(body: ReadableStream<Uint8Array>): SseReader {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const parse = (block: string): SseEvent | undefined => {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    return event === undefined && data.length === 0
      ? undefined
      : { event: event ?? 'message', data: data.join('\n') };
  };
  leftover('SSE reader', () => reader.cancel().catch(() => {}));
  return {
    async next() {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = parse(block);
          if (event) return event;
          continue;
        }
        const chunk = await reader.read();
        if (chunk.done) return undefined;
        buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n/g, '\n');
      }
    },
    cancel: () => reader.cancel(),
  };
}

/** POST init for an SSE subscription. */
export function sseInit(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): RequestInit {
  return {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  };
}

/** Reads the SSE stream of `response`, asserting that it is one (200, text/event-stream). */
export function sseStream(response: Response): SseReader {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  if (!response.body) throw new Error('no body');
  return sseReader(response.body);
}

/** `{ event, payload }` of an SSE event, the data parsed as JSON when present. */
export function parsedEvent(event: SseEvent | undefined) {
  return event && { event: event.event, payload: event.data ? JSON.parse(event.data) : null };
}

/** What `SUB_COUNT`'s event for `id` at `recordCount` parses to. */
export const countEvent = (id: string, recordCount: number) => ({
  event: 'next',
  payload: { data: { bulkSync: { id, status: { currentExecution: { recordCount } } } } },
});
