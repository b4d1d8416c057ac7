import { connect, createServer } from 'node:net';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { SIM_DEPLOYMENT_KEY, SIM_KEY, SIM_ORG_ID } from '../../tools/simulator/index.js';
import { until } from './manual-scheduler.js';
import type { GraphQLResponse, TestApp } from './test-app.js';

/** The on-premises service credential's `Authorization` value (Basic base64(org:key)). */
export const BASIC_VALUE = Buffer.from(`${SIM_ORG_ID}:${SIM_DEPLOYMENT_KEY}`).toString('base64');

/** Resolves after `ms`; only for waits the code under test defines (timeouts, breaker windows). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The Prometheus text of the app's registry, as `/metrics` serves it. */
export function scrape(t: TestApp): Promise<string> {
  return t.app.metrics.registry.metrics();
}

/**
 * The value of one exact series (`name` or `name{label="value"}`) in Prometheus text; undefined
 * when the series is absent.
 */
export function seriesValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** `polytomic_upstream_breaker_state` as scraped: 0 closed, 1 half-open, 2 open. */
export async function breakerState(t: TestApp): Promise<number | undefined> {
  return seriesValue(await scrape(t), 'polytomic_upstream_breaker_state');
}

/** `extensions.code` of every error of a response, in order. */
export function errorCodes(res: GraphQLResponse): (string | undefined)[] {
  return (res.body.errors ?? []).map((e) => e.extensions?.code);
}

/** A TCP port that was free a moment ago (for a child process that must be told its port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const STACK_FRAME = /\bat .*\.[cm]?[jt]s:\d+/;

/**
 * Asserts that a text a client (or a log reader) received holds no stack frame, no upstream
 * origin and none of `secrets`, and no `Bearer <x>` / `Basic <x>` credential.
 */
export function expectClean(text: string, upstreamUrl: string, secrets: readonly string[]): void {
  expect(text).not.toMatch(STACK_FRAME);
  expect(text).not.toContain(upstreamUrl);
  expect(text).not.toContain(new URL(upstreamUrl).host);
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/bearer\s+\S/i);
  expect(text).not.toMatch(/basic\s+[a-z0-9+/=]{8,}/i);
}

/** The default secrets of a test app: the simulator keys and the on-premises Basic value. */
export const SIM_SECRETS: readonly string[] = [SIM_KEY, SIM_DEPLOYMENT_KEY, BASIC_VALUE];

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

/** Opens a raw WebSocket on the gateway's /graphql (graphql-transport-ws unless told otherwise). */
export function rawSocket(
  baseUrl: string,
  protocols: string[] = ['graphql-transport-ws'],
  headers: Record<string, string> = {},
): RawSocket {
  const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/graphql`, protocols, { headers });
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
      await until(() => socket.closed !== undefined, timeoutMs);
      return socket.closed?.code ?? 0;
    },
    async waitFor(predicate, timeoutMs = 5000) {
      await until(() => socket.messages.some(predicate), timeoutMs);
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

/** Whether a new TCP connection to the port is refused (the server stopped accepting). */
export function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}
