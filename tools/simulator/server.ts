import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { canSee, defaultCredentials, parseCredential, type Visibility } from './auth.js';
import { FaultQueue, statusFaultReply, TRUNCATED_BODY } from './faults.js';
import {
  apiErrorReply,
  flattenHeaders,
  jsonReply,
  type Reply,
  sendReply,
  writeReplyHead,
} from './http-util.js';
import { SIM_DEFAULT_VERSION } from './ids.js';
import { matchRoute, type Route } from './routes.js';
import type { RecordedRequest, Simulator, SimulatorOptions } from './simulator-types.js';
import { BUILT_IN_SYNCS, type StatusBody, type SyncDefinition, syncSummary } from './syncs.js';

const BASE = 'http://simulator.invalid';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Distinct sync ids whose status calls are counted one by one (statusCalls(id)). */
const MAX_COUNTED_SYNCS = 100_000;

/** Creates a simulator; call `start()` to listen. */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const host = options.host ?? '127.0.0.1';
  let clock = options.now ?? Date.now;
  let skew = 0;
  const now = (): number => clock() + skew;
  const startedAt = now();
  const syncs = new Map<string, SyncDefinition>(BUILT_IN_SYNCS.map((s) => [s.id, s]));
  const overrides = new Map<string, StatusBody>();
  const credentials = defaultCredentials();
  const faults = new FaultQueue();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  // The log tests read is kept to the latest requests (a demo or a soak runs for days); the
  // status-call counters stay exact however long it runs.
  const logSize = options.requestLogSize ?? 10_000;
  if (!Number.isInteger(logSize) || logSize < 1) {
    throw new Error(`requestLogSize must be a positive integer, got ${logSize}`);
  }
  let requests: RecordedRequest[] = [];
  let statusCount = 0;
  const statusCountBySync = new Map<string, number>();
  let url: string | undefined;

  const answerSync = (route: Route & { id: string }, visibility: Visibility): Reply => {
    if (!UUID.test(route.id)) return apiErrorReply(400, 'invalid bulk sync id', 'bad_request');
    const sync = syncs.get(route.id);
    if (sync === undefined || !canSee(visibility, sync.id)) {
      return apiErrorReply(404, 'bulk sync not found', 'not_found');
    }
    if (route.kind === 'sync') return jsonReply(200, { data: syncSummary(sync) });
    return jsonReply(200, overrides.get(sync.id) ?? sync.status(startedAt, now()));
  };

  const answer = (req: IncomingMessage, route: Route, query: URLSearchParams): Reply => {
    if (route.kind === 'unknown') return apiErrorReply(404, 'not found', 'not_found');
    if (req.method !== 'GET') {
      return {
        ...apiErrorReply(405, 'method not allowed', 'method_not_allowed'),
        headers: { allow: 'GET' },
      };
    }
    const credential = parseCredential(req.headers.authorization);
    const visibility = credential === undefined ? undefined : credentials.get(credential);
    if (visibility === undefined) return jsonReply(401, { status: 401, message: 'unauthorized' });
    if (route.kind !== 'list') return answerSync(route, visibility);
    const active = query.get('active');
    const items = [...syncs.values()]
      .filter((s) => canSee(visibility, s.id) && (active === null || String(s.active) === active))
      .map(syncSummary);
    return jsonReply(200, { data: items });
  };

  const later = (res: ServerResponse, ms: number, action: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) action();
    }, ms);
    timers.add(timer);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    const target = URL.canParse(req.url ?? '', BASE) ? (req.url ?? '/') : '/.invalid';
    const { pathname, searchParams } = new URL(target, BASE);
    const route = matchRoute(pathname);
    const syncId = route.kind === 'sync' || route.kind === 'status' ? route.id : undefined;
    const headers = flattenHeaders(req.headers);
    const recorded = { method: req.method ?? 'GET', path: pathname, headers, at: now() };
    requests.push(syncId === undefined ? recorded : { ...recorded, syncId });
    if (requests.length >= 2 * logSize) requests = requests.slice(-logSize);
    if (recorded.method === 'GET' && route.kind === 'status') {
      statusCount++;
      // Per sync id asked for, known or not; bounded, so random ids cannot grow it forever.
      const count = statusCountBySync.get(route.id);
      if (count !== undefined || statusCountBySync.size < MAX_COUNTED_SYNCS) {
        statusCountBySync.set(route.id, (count ?? 0) + 1);
      }
    }
    const version = headers['x-polytomic-version'] ?? SIM_DEFAULT_VERSION;
    const fault = faults.take(syncId);
    switch (fault?.kind) {
      case 'hang':
        break;
      case 'reset':
        req.socket.resetAndDestroy();
        break;
      case 'status':
        sendReply(res, statusFaultReply(fault), version);
        break;
      case 'malformed':
        sendReply(res, jsonReply(200, fault.body ?? TRUNCATED_BODY), version);
        break;
      case 'delay':
        later(res, fault.ms, () => sendReply(res, answer(req, route, searchParams), version));
        break;
      // A slow body is a trickle of one part.
      case 'slowBody':
      case 'trickle': {
        const { chunks, everyMs } =
          fault.kind === 'slowBody' ? { chunks: 1, everyMs: fault.ms } : fault;
        const reply = answer(req, route, searchParams);
        writeReplyHead(res, reply, version);
        res.flushHeaders();
        const body = Buffer.from(reply.body);
        const size = Math.ceil(body.length / chunks);
        for (let n = 1; n <= chunks; n++) {
          const part = body.subarray((n - 1) * size, n * size);
          later(res, everyMs * n, () => (n === chunks ? res.end(part) : res.write(part)));
        }
        break;
      }
      case undefined:
        sendReply(res, answer(req, route, searchParams), version);
    }
  };

  const server = createServer(handle);

  const knownSync = (syncId: string): string => {
    const id = syncId.toLowerCase();
    if (!syncs.has(id)) throw new Error(`unknown sync ${syncId}; register it with addSync`);
    return id;
  };

  return {
    get url() {
      if (url === undefined) throw new Error('simulator not started');
      return url;
    },
    startedAt,
    get requests() {
      return requests;
    },
    async start() {
      if (server.listening) throw new Error('simulator already started');
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      return url;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      if (!server.listening) return;
      const closed = new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
      });
      server.closeAllConnections();
      await closed;
    },
    now,
    setNow(next) {
      clock = next;
      skew = 0;
    },
    advance(ms) {
      skew += ms;
    },
    setStatus(syncId, body) {
      overrides.set(knownSync(syncId), body);
    },
    clearStatus(syncId) {
      overrides.delete(syncId.toLowerCase());
    },
    addSync(syncId, body, { keys = [], name, active = true } = {}) {
      const id = syncId.toLowerCase();
      if (!UUID.test(id)) throw new Error(`sync id must be a uuid, got ${syncId}`);
      const sync: SyncDefinition = {
        id,
        name: name ?? `Sync ${id}`,
        active,
        mode: 'snapshot',
        frequency: 'manual',
        status: () => body,
      };
      syncs.set(id, sync);
      for (const key of keys) {
        const visibility = credentials.get(key) ?? new Set<string>();
        if (visibility !== 'all') visibility.add(id);
        credentials.set(key, visibility);
      }
    },
    addKey(credential, syncIds) {
      credentials.set(
        credential,
        syncIds === 'all' ? 'all' : new Set(syncIds.map((id) => id.toLowerCase())),
      );
    },
    inject(fault, injectOptions) {
      faults.add(fault, injectOptions);
    },
    clearFaults() {
      faults.clear();
    },
    statusCalls(syncId) {
      if (syncId === undefined) return statusCount;
      return statusCountBySync.get(syncId.toLowerCase()) ?? 0;
    },
    resetRequests() {
      requests = [];
      statusCount = 0;
      statusCountBySync.clear();
    },
  };
}
