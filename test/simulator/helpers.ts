import {
  type BulkSyncStatusEnvelope,
  createSimulator,
  SIM_KEY,
  type Simulator,
  type SimulatorOptions,
} from '../../tools/simulator/index.js';

/** 2026-11-29T10:00:00Z: every scenario timestamp in the tests is relative to it. */
export const T0 = Date.UTC(2026, 10, 29, 10, 0, 0);

let current: Simulator | undefined;
let clock = T0;

/** Sets the injected clock to `T0 + ms`. */
export function at(ms: number): void {
  clock = T0 + ms;
}

/** Starts a simulator on an ephemeral port whose clock starts at `T0`. */
export async function boot(options: Omit<SimulatorOptions, 'now'> = {}): Promise<Simulator> {
  clock = T0;
  current = createSimulator({ now: () => clock, ...options });
  await current.start();
  return current;
}

/** Closes the simulator `boot()` started, if any; call it from `afterEach`. */
export async function shutdown(): Promise<void> {
  await current?.close();
  current = undefined;
}

/** Request options: `key: null` sends no Authorization header. */
export interface GetOptions {
  key?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** GETs `path` from the running simulator with a Bearer key (default `SIM_KEY`). */
export function get(sim: Simulator, path: string, options: GetOptions = {}): Promise<Response> {
  const key = options.key === undefined ? SIM_KEY : options.key;
  const auth = key === null ? {} : { authorization: `Bearer ${key}` };
  const headers: Record<string, string> = { ...options.headers, ...auth };
  const init: RequestInit = { headers };
  if (options.signal !== undefined) init.signal = options.signal;
  return fetch(`${sim.url}${path}`, init);
}

/** GETs and parses a sync's status. */
export async function status(sim: Simulator, syncId: string): Promise<BulkSyncStatusEnvelope> {
  const res = await get(sim, `/api/bulk/syncs/${syncId}/status`);
  if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
  return (await res.json()) as BulkSyncStatusEnvelope;
}

/** POST options: `body` is sent as JSON (a string as-is); `idempotencyKey` sets the header. */
export interface PostOptions extends GetOptions {
  body?: unknown;
  idempotencyKey?: string;
}

/** POSTs to the running simulator with a Bearer key (default `SIM_KEY`). */
export function post(sim: Simulator, path: string, options: PostOptions = {}): Promise<Response> {
  const key = options.key === undefined ? SIM_KEY : options.key;
  const headers: Record<string, string> = { ...options.headers };
  if (key !== null) headers['authorization'] = `Bearer ${key}`;
  if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
  const init: RequestInit = { method: 'POST', headers };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  if (options.signal !== undefined) init.signal = options.signal;
  return fetch(`${sim.url}${path}`, init);
}

/** GETs `path` and parses it, failing on anything but a 200. */
export async function getJson<T>(
  sim: Simulator,
  path: string,
  options: GetOptions = {},
): Promise<T> {
  const res = await get(sim, path, options);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A response's status and parsed body. */
export async function answered(res: Promise<Response>): Promise<{ status: number; body: unknown }> {
  const response = await res;
  return { status: response.status, body: await response.json() };
}
