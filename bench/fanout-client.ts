// Worker thread of the fan-out benchmark: a share of its WebSocket subscribers. Raw `ws`
// speaking graphql-transport-ws rather than graphql-ws's client, so that receiving 50,000 events
// costs the load generator as little as possible; and off the main thread, where the simulator
// lives and its timing matters.
import { workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { serveRequests } from './worker-rpc.js';

export interface FanoutClientOptions {
  /** ws://host:port/graphql */
  url: string;
  query: string;
  /** The watched syncs: subscription j of connection c watches ids[(c * k + j) % ids.length]. */
  ids: string[];
  /** This worker's connections are c = firstConnection … firstConnection + connections - 1. */
  firstConnection: number;
  connections: number;
  /** Subscriptions per connection (k). */
  perConnection: number;
  /** Connections opened at once; the next batch waits for this one's first events. */
  batch: number;
  /** How long a batch may take to have every first event. */
  batchTimeoutMs: number;
}

/** What `progress` answers. */
export interface FanoutProgress {
  /** Subscriptions that have had their first event (record count 0). */
  firsts: number;
  /** Distinct (subscription, record count > 0) deliveries. */
  deliveries: number;
  /** A count a subscription had already had (change filtering failed). */
  duplicates: number;
  errors: number;
  errorSamples: string[];
}

/** What `times` answers: receive times per `${syncId}:${recordCount}`, on the shared clock. */
export type FanoutTimes = Record<string, number[]>;

interface Frame {
  type: string;
  id?: string;
  payload?: {
    data?: {
      bulkSync?: { status?: { currentExecution?: { recordCount?: number } | null } | null } | null;
    };
    errors?: unknown[];
  };
}

const options = workerData as FanoutClientOptions;
const k = options.perConnection;
const total = options.connections * k;
/** One bit per record count each subscription has had (counts 0–31; the bench checks rounds). */
const seen = new Uint32Array(total);
const received = new Map<string, number[]>();
const sockets: WebSocket[] = [];
const progress: FanoutProgress = {
  firsts: 0,
  deliveries: 0,
  duplicates: 0,
  errors: 0,
  errorSamples: [],
};
let closing = false;

/** Performance clocks share an origin across threads only through timeOrigin. */
const clock = () => performance.timeOrigin + performance.now();

const fail = (what: string) => {
  progress.errors += 1;
  if (progress.errorSamples.length < 5) progress.errorSamples.push(what);
};

const syncOf = (connection: number, j: number) =>
  options.ids[(connection * k + j) % options.ids.length] as string;

function receive(subscription: number, syncId: string, count: number, at: number): void {
  const key = `${syncId}:${count}`;
  const times = received.get(key);
  if (times) times.push(at);
  else received.set(key, [at]);
  if (count < 0 || count > 31) return;
  const bit = 1 << count;
  if ((seen[subscription] as number) & bit) {
    progress.duplicates += 1;
    return;
  }
  seen[subscription] = (seen[subscription] as number) | bit;
  if (count === 0) progress.firsts += 1;
  else progress.deliveries += 1;
}

function connect(local: number): void {
  const connection = options.firstConnection + local;
  const socket = new WebSocket(options.url, 'graphql-transport-ws');
  sockets.push(socket);
  socket.on('open', () => socket.send('{"type":"connection_init"}'));
  socket.on('message', (data: Buffer) => {
    // Stamped before parsing: the time the frame reached this thread's JavaScript.
    const at = clock();
    const frame = JSON.parse(data.toString()) as Frame;
    switch (frame.type) {
      case 'connection_ack':
        for (let j = 0; j < k; j++) {
          const variables = { id: syncOf(connection, j) };
          socket.send(
            JSON.stringify({
              id: String(j),
              type: 'subscribe',
              payload: { query: options.query, variables },
            }),
          );
        }
        return;
      case 'ping':
        socket.send('{"type":"pong"}');
        return;
      case 'next': {
        const j = Number(frame.id);
        const count = frame.payload?.data?.bulkSync?.status?.currentExecution?.recordCount;
        if (frame.payload?.errors || typeof count !== 'number') {
          fail(`next with errors: ${JSON.stringify(frame.payload).slice(0, 300)}`);
          return;
        }
        receive(local * k + j, syncOf(connection, j), count, at);
        return;
      }
      case 'error':
        fail(`error frame: ${JSON.stringify(frame.payload).slice(0, 300)}`);
        return;
      case 'complete':
        fail(`subscription ${frame.id} completed by the gateway`);
        return;
      default:
        return;
    }
  });
  socket.on('error', (error) => fail(`socket error: ${error.message}`));
  socket.on('close', (code, reason) => {
    if (!closing) fail(`connection closed by the gateway: ${code} ${reason.toString()}`);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens every connection, a batch at a time, and resolves once all have their first events. */
async function open(): Promise<FanoutProgress> {
  for (let from = 0; from < options.connections; from += options.batch) {
    const to = Math.min(options.connections, from + options.batch);
    for (let local = from; local < to; local++) connect(local);
    const deadline = Date.now() + options.batchTimeoutMs;
    while (progress.firsts < to * k) {
      if (progress.errors > 0) {
        throw new Error(`subscribing failed: ${progress.errorSamples.join('; ')}`);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `only ${progress.firsts} of ${to * k} subscriptions had a first event ${options.batchTimeoutMs} ms into their batch`,
        );
      }
      await sleep(5);
    }
  }
  return progress;
}

/** Closes every connection (normal closure) and resolves once they are closed or cut. */
async function close(): Promise<number> {
  closing = true;
  for (const socket of sockets) socket.close(1000);
  const deadline = Date.now() + 5000;
  while (sockets.some((s) => s.readyState !== WebSocket.CLOSED) && Date.now() < deadline) {
    await sleep(20);
  }
  for (const socket of sockets) socket.terminate();
  return sockets.length;
}

serveRequests({
  open,
  progress: () => progress,
  times: (): FanoutTimes => Object.fromEntries(received),
  close,
});
