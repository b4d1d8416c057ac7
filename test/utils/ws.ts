import { type Client, type ClientOptions, createClient, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { leftover } from './leftovers.js';
import { until } from './wait.js';

/** `ws://…/graphql` for a base URL (`http://host:port`) or a GraphQL endpoint URL as it is. */
function webSocketUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname === '/') parsed.pathname = '/graphql';
  parsed.protocol = parsed.protocol === 'https:' ? 'wss:' : 'ws:';
  return parsed.toString();
}

/**
 * A graphql-ws client (no retries, connects on its first operation) of a gateway's base URL or
 * of a GraphQL endpoint (a router's); disposed with the leftovers.
 */
export function wsClient(url: string, options: Partial<ClientOptions> = {}): Client {
  const client = createClient({
    url: webSocketUrl(url),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    ...options,
  });
  leftover('graphql-ws client', () => client.dispose());
  return client;
}

/** A ws WebSocket class that sends `headers` on the upgrade request. */
export function webSocketWithHeaders(headers: Record<string, string>) {
  return class HeaderWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  };
}

/** One operation's results as they arrive. */
export interface Watch {
  events: ExecutionResult[];
  /** Set when the server completed the operation. */
  completed: boolean;
  /** Set when it failed (an `error` message or a closed socket). */
  error: unknown;
  /** Leaves (sends `complete`). */
  stop(): void;
}

/** Runs `query` (a subscription, or a query over the socket) and records what comes back. */
export function watch(client: Client, query: string, variables: Record<string, unknown>): Watch {
  const w: Watch = { events: [], completed: false, error: undefined, stop: () => {} };
  w.stop = client.subscribe(
    { query, variables },
    {
      next: (value) => {
        w.events.push(value as ExecutionResult);
      },
      error: (error) => {
        w.error = error;
      },
      complete: () => {
        w.completed = true;
      },
    },
  );
  return w;
}

/** Waits (at most `timeoutMs`) until the operation has completed or failed. */
export function ended(w: Watch, timeoutMs = 5000): Promise<void> {
  return until(() => w.completed || w.error !== undefined, timeoutMs, 'operation ended');
}

/**
 * Shows that nothing more is on its way to `client`: runs `{ __typename }` (no upstream call)
 * over the client's socket and waits for its answer, whatever it is (data, an error, or the socket
 * closing). A server sends on one socket in order, and an event it has already produced goes out
 * before it even reads a message that arrives later; so once the sentinel's answer is in,
 * whatever the server had for this socket has arrived. Assert "no event came" after it, never
 * after a fixed sleep.
 */
export async function sentinel(client: Client): Promise<void> {
  await ended(watch(client, '{ __typename }', {}));
}

/** A raw `ws` WebSocket with everything it received and how it closed. */
export interface RawSocket {
  ws: WebSocket;
  /** Parsed JSON messages from the server, in order. */
  messages: Record<string, unknown>[];
  /** Close code and reason, once closed. */
  closed: { code: number; reason: string } | undefined;
  /** Resolves once the socket is open. */
  opened: Promise<void>;
  /** Sends an object as JSON, or a string / Buffer as is. */
  send(message: Record<string, unknown> | string | Buffer): void;
  /** Waits until the server closed the socket; returns the close code. */
  waitClosed(timeoutMs?: number): Promise<number>;
  /** Waits until a message matching `predicate` has arrived. */
  waitFor(
    predicate: (message: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
}

/**
 * Opens a raw WebSocket on the gateway's /graphql (graphql-transport-ws unless told otherwise),
 * terminated with the leftovers.
 */
export function rawSocket(
  baseUrl: string,
  protocols: string[] = ['graphql-transport-ws'],
  headers: Record<string, string> = {},
): RawSocket {
  const ws = new WebSocket(webSocketUrl(baseUrl), protocols, { headers });
  leftover('raw WebSocket', () => ws.terminate());
  const socket: RawSocket = {
    ws,
    messages: [],
    closed: undefined,
    opened: new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    }),
    send(message) {
      ws.send(
        typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message),
      );
    },
    async waitClosed(timeoutMs = 5000) {
      await until(() => socket.closed !== undefined, timeoutMs, 'socket closed');
      return socket.closed?.code ?? 0;
    },
    async waitFor(predicate, timeoutMs = 5000) {
      await until(() => socket.messages.some(predicate), timeoutMs, 'message');
      const found = socket.messages.find(predicate);
      if (!found) throw new Error('message not found');
      return found;
    },
  };
  // Awaited by tests that expect the handshake to succeed; a refused handshake is not unhandled.
  socket.opened.catch(() => {});
  ws.on('message', (data) => {
    socket.messages.push(JSON.parse(String(data)) as Record<string, unknown>);
  });
  ws.on('close', (code, reason) => {
    socket.closed = { code, reason: String(reason) };
  });
  // A refused or reset socket must not crash the test process; `closed` tells the story.
  ws.on('error', () => {});
  return socket;
}

/** Opens a raw socket and completes the graphql-ws handshake (connection_init → ack). */
export async function acknowledgedSocket(
  baseUrl: string,
  payload: Record<string, unknown> = {},
): Promise<RawSocket> {
  const socket = rawSocket(baseUrl);
  await socket.opened;
  socket.send({ type: 'connection_init', payload });
  await socket.waitFor((m) => m['type'] === 'connection_ack');
  return socket;
}

/** The `extensions.code` of the first error of a graphql-ws `error` / `next` message. */
export function messageCode(message: Record<string, unknown> | undefined): unknown {
  const payload = message?.['payload'] as
    | { extensions?: { code?: unknown } }[]
    | { errors?: { extensions?: { code?: unknown } }[] }
    | undefined;
  if (Array.isArray(payload)) return payload[0]?.extensions?.code;
  return payload?.errors?.[0]?.extensions?.code;
}
