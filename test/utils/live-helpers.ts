import { type Client, type ClientOptions, createClient, type ExecutionResult } from 'graphql-ws';
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import type { BulkSyncStatusEnvelope } from '../../tools/simulator/index.js';
import { createManualScheduler, type ManualScheduler, until } from './manual-scheduler.js';
import { startTestApp, type TestApp } from './test-app.js';

/** Default POLL_INTERVAL_MS / POLL_IDLE_INTERVAL_MS of the gateway. */
export const INTERVAL_MS = 2000;
export const IDLE_MS = 30_000;
/** Advances past one running-interval timer, jitter (≤ 5%) included. */
export const ROUND_MS = Math.round(INTERVAL_MS * 1.1);

/** A test app whose poll timers only fire when the test advances `scheduler`. */
export interface LiveTest {
  t: TestApp;
  scheduler: ManualScheduler;
}

export async function startLive(env: Record<string, string | undefined> = {}): Promise<LiveTest> {
  const scheduler = createManualScheduler();
  const t = await startTestApp(env, { scheduler });
  return { t, scheduler };
}

/** A live test app listening on a real port, and a way to open WebSocket clients to it. */
export interface LiveGateway extends LiveTest {
  live: LiveTest;
  url: string;
  /** A lazy graphql-ws client to this gateway, disposed after the test. */
  open(options?: Partial<ClientOptions>): Client;
}

/**
 * For a test file: registers the clean-up (clients disposed, app and simulator closed after
 * each test) and returns the function a test calls to start its gateway.
 */
export function useLiveGateways(): (
  env?: Record<string, string | undefined>,
) => Promise<LiveGateway> {
  let current: LiveTest | undefined;
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    await current?.t.close();
    current = undefined;
  });
  return async (env = {}) => {
    const live = await startLive(env);
    current = live;
    const url = await live.t.app.start();
    const open = (options: Partial<ClientOptions> = {}) => {
      const client = wsClient(url, options);
      clients.push(client);
      return client;
    };
    return { ...live, live, url, open };
  };
}

/** Options of {@link envelope}. */
export interface EnvelopeOptions {
  /** current_execution.status; null leaves out current_execution. @default 'running' */
  status?: string | null;
  recordCount?: number;
  /** @default null */
  nextExecutionTime?: string | null;
  executionId?: string;
}

/** A minimal status body with a fixed current execution. */
export function envelope(options: EnvelopeOptions = {}): BulkSyncStatusEnvelope {
  const { status = 'running', recordCount = 0, nextExecutionTime = null } = options;
  const data: NonNullable<BulkSyncStatusEnvelope['data']> = {
    next_execution_time: nextExecutionTime,
  };
  if (status !== null) {
    data.current_execution = {
      id: options.executionId ?? '0c0c0c0c-0000-4000-8000-000000000001',
      status,
      type: 'scheduled',
      fetch_mode: 'incremental',
      output_disposition: 'retain',
      is_partial: false,
      is_resync: false,
      is_test: false,
      record_count: recordCount,
      error_count: 0,
      warning_count: 0,
      status_message: '',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      started_at: '2026-01-01T00:00:01Z',
      completed_at: null,
      schemas: [],
    };
  }
  return { data };
}

export const SUB_STATUS = /* GraphQL */ `
  subscription SubStatus($id: ID!) {
    bulkSync(id: $id) { id status { currentExecution { status } } }
  }
`;

export const SUB_COUNT = /* GraphQL */ `
  subscription SubCount($id: ID!) {
    bulkSync(id: $id) { id status { currentExecution { recordCount } } }
  }
`;

export const SUB_BOTH = /* GraphQL */ `
  subscription SubBoth($id: ID!) {
    bulkSync(id: $id) { id status { currentExecution { status recordCount } } }
  }
`;

export const SUB_CHANGES = /* GraphQL */ `
  subscription SubChanges($ids: [ID!]!) {
    bulkSyncChanges(ids: $ids) { id status { currentExecution { status recordCount } } }
  }
`;

/** A graphql-ws client on the gateway's /graphql (no retries, connects on first subscribe). */
export function wsClient(baseUrl: string, options: Partial<ClientOptions> = {}): Client {
  return createClient({
    url: `${baseUrl.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    ...options,
  });
}

/** A ws WebSocket that sends `headers` on the upgrade request. */
export function webSocketWithHeaders(headers: Record<string, string>) {
  return class HeaderWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  };
}

/** One subscription's results as they arrive. */
export interface Watch {
  events: ExecutionResult[];
  /** Set when the server completed the subscription. */
  completed: boolean;
  /** Set when the subscription failed (an `error` message or a closed socket). */
  error: unknown;
  /** Resolves on complete or error. */
  settled: Promise<void>;
  /** Leaves (sends `complete`). */
  stop(): void;
}

export function watch(client: Client, query: string, variables: Record<string, unknown>): Watch {
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const w: Watch = {
    events: [],
    completed: false,
    error: undefined,
    settled,
    stop: () => {},
  };
  w.stop = client.subscribe(
    { query, variables },
    {
      next: (value) => {
        w.events.push(value as ExecutionResult);
      },
      error: (error) => {
        w.error = error;
        settle();
      },
      complete: () => {
        w.completed = true;
        settle();
      },
    },
  );
  return w;
}

/** Waits (at most `timeoutMs`) until the subscription has completed or failed. */
export function ended(w: Watch, timeoutMs = 5000): Promise<void> {
  return until(() => w.completed || w.error !== undefined, timeoutMs);
}

/** `currentExecution` of a `bulkSync` / `bulkSyncChanges` event. */
export function executionOf(event: ExecutionResult | undefined): Record<string, unknown> | null {
  const data = event?.data as
    | Record<string, { status: { currentExecution: Record<string, unknown> | null } } | undefined>
    | null
    | undefined;
  const sync = data?.['bulkSync'] ?? data?.['bulkSyncChanges'];
  return sync?.status.currentExecution ?? null;
}

/** `id` of a `bulkSync` / `bulkSyncChanges` event. */
export function idOf(event: ExecutionResult | undefined): string | undefined {
  const data = event?.data as Record<string, { id: string } | undefined> | null | undefined;
  return (data?.['bulkSync'] ?? data?.['bulkSyncChanges'])?.id;
}

/** `extensions.code` of the first error of an event. */
export function codeOf(event: ExecutionResult | undefined): unknown {
  return event?.errors?.[0]?.extensions?.['code'];
}

/**
 * Fires one poll round: advances the clock by `ms`, then waits until the upstream has seen
 * `calls` status requests in all and `pollers` poll timers are pending again (each poll done).
 */
export async function round(
  live: LiveTest,
  calls: number,
  pollers: number,
  ms = ROUND_MS,
): Promise<void> {
  live.scheduler.advance(ms);
  await until(() => live.t.sim.statusCalls() === calls);
  await until(() => live.scheduler.pending().length === pollers);
}

/** Gives in-flight messages a moment to arrive; used before asserting that nothing came. */
export function settle(ms = 60): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The value of an unlabelled series on /metrics. */
export async function metric(t: TestApp, name: string): Promise<number> {
  const response = await t.app.yoga.fetch('http://gateway.test/metrics');
  const text = await response.text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`metric ${name} not found`);
  return Number(line.slice(name.length + 1));
}

/** One Server-Sent Event; pings and comments are skipped. */
export interface SseEvent {
  event: string;
  data: string;
}

/** Reads `event:`/`data:` blocks from an SSE response body. */
export interface SseReader {
  /** The next event, or undefined when the stream has ended. */
  next(): Promise<SseEvent | undefined>;
  cancel(): Promise<void>;
}

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

/** Advances the clock exactly to the earliest pending poll timer, firing it (and any tied). */
export function fireNext(scheduler: ManualScheduler): number {
  const next = Math.min(...scheduler.pending().map((timer) => timer.at));
  if (!Number.isFinite(next)) throw new Error('no poll timer pending');
  return scheduler.advance(next - scheduler.now);
}

/** Whether `delay` is `base` plus the poller's jitter (0 to min(5%, 250 ms)). */
export function isJittered(delay: number | undefined, base: number): boolean {
  return delay !== undefined && delay >= base && delay <= base + Math.min(base * 0.05, 250) + 1;
}

/** Like `until`, for an async condition. */
export async function untilAsync(condition: () => Promise<boolean>, timeoutMs = 5000) {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The raw /metrics text. */
export async function metricsText(t: TestApp): Promise<string> {
  const response = await t.app.yoga.fetch('http://gateway.test/metrics');
  return response.text();
}
