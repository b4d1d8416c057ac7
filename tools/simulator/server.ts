import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { defaultCredentials, type Visibility } from './auth.js';
import { catalogueTimes } from './catalogue.js';
import { CATALOGUE_SYNCS } from './catalogue-syncs.js';
import { CallCounters } from './counters.js';
import { answer } from './dispatch.js';
import type { SimContext } from './endpoints/context.js';
import { currentStatus } from './endpoints/status.js';
import { EventLog } from './events.js';
import { type Fault, FaultQueue, statusFaultReply, TRUNCATED_BODY } from './faults.js';
import {
  apiErrorReply,
  flattenHeaders,
  jsonReply,
  type Reply,
  readBody,
  sendReply,
  writeReplyHead,
} from './http-util.js';
import { checkIdempotencyKey, IdempotencyStore } from './idempotency.js';
import { SIM_DEFAULT_VERSION } from './ids.js';
import { matchRoute, type Route, routeKind, routeSyncId } from './routes.js';
import type { RecordedRequest, Simulator, SimulatorOptions } from './simulator-types.js';
import { addedSync, type StatusBody, type SyncDefinition } from './sync-definition.js';
import { BUILT_IN_SYNCS } from './syncs.js';
import { createSyncState, type SyncState, statusBody } from './timeline.js';
import { type WebhookOptions, WebhookSender } from './webhook.js';

const BASE = 'http://simulator.invalid';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** How often the event log is caught up while a webhook is set, in real milliseconds. */
const WEBHOOK_POLL_MS = 250;

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function checkedWebhook(webhook: WebhookOptions | undefined): WebhookOptions | undefined {
  if (webhook === undefined) return undefined;
  if (!URL.canParse(webhook.url)) throw new Error(`webhook url is not a URL: ${webhook.url}`);
  const { encoding = 'hex' } = webhook;
  if (encoding !== 'hex' && encoding !== 'base64') {
    throw new Error(`webhook encoding must be hex or base64, got ${String(encoding)}`);
  }
  return { ...webhook };
}

/** Creates a simulator; call `start()` to listen. */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const host = options.host ?? '127.0.0.1';
  let clock = options.now ?? Date.now;
  let skew = 0;
  const now = (): number => clock() + skew;
  const startedAt = now();
  // The log tests read is kept to the latest requests (a demo or a soak runs for days); the
  // call counters stay exact however long it runs.
  const logSize = positiveInteger('requestLogSize', options.requestLogSize ?? 10_000);
  const listPageSize =
    options.listPageSize === undefined
      ? undefined
      : positiveInteger('listPageSize', options.listPageSize);
  const keys = new IdempotencyStore(options.idempotencyKeyLimit ?? 10_000, now);
  const eventsOrder = options.eventsOrder ?? 'desc';
  if (eventsOrder !== 'asc' && eventsOrder !== 'desc') {
    throw new Error(`eventsOrder must be asc or desc, got ${String(eventsOrder)}`);
  }
  const eventLogSize = positiveInteger('eventLogSize', options.eventLogSize ?? 10_000);

  const stateOf = (def: SyncDefinition): SyncState => {
    const { createdAt, updatedAt, pausedAt } = catalogueTimes(def.entry, startedAt);
    return createSyncState(def, startedAt, { createdAt, updatedAt }, pausedAt);
  };
  const syncs = new Map<string, SyncState>(
    [...BUILT_IN_SYNCS, ...CATALOGUE_SYNCS].map((def) => [def.id, stateOf(def)]),
  );
  const overrides = new Map<string, StatusBody>();
  const credentials = defaultCredentials();
  const faults = new FaultQueue();
  const counters = new CallCounters();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let requests: RecordedRequest[] = [];
  let url: string | undefined;
  const webhook = new WebhookSender(now, checkedWebhook(options.webhook));
  const events = new EventLog({
    now,
    startedAt,
    syncs,
    overrides,
    statusOf: (sync) => currentStatus(ctx, sync),
    limit: eventLogSize,
    onRecord: (event) => webhook.send(event),
  });
  const ctx: SimContext = { startedAt, now, syncs, overrides, listPageSize, events, eventsOrder };

  // Events are recorded when something looks; with a webhook set, something looks often, so
  // deliveries follow the clock. Only while listening, and never with the log's errors thrown.
  let poll: ReturnType<typeof setInterval> | undefined;
  const pollEvents = (): void => {
    const wanted = server.listening && webhook.target !== undefined;
    if (wanted && poll === undefined) {
      poll = setInterval(() => {
        try {
          events.catchUpAll();
        } catch (error) {
          process.stderr.write(`simulator: recording events failed: ${String(error)}\n`);
        }
      }, WEBHOOK_POLL_MS);
    } else if (!wanted && poll !== undefined) {
      clearInterval(poll);
      poll = undefined;
    }
  };

  const later = (ms: number, action: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timers.add(timer);
  };

  const record = (
    method: string,
    pathname: string,
    route: Route,
    headers: RecordedRequest['headers'],
  ) => {
    const kind = routeKind(route);
    const syncId = routeSyncId(route);
    const connectionId = route.kind === 'connection' ? route.connectionId : undefined;
    const entry: RecordedRequest = { method, path: pathname, headers, at: now() };
    if (kind !== undefined) entry.route = kind;
    if (syncId !== undefined) entry.syncId = syncId;
    if (route.kind === 'execution') entry.executionId = route.executionId;
    if (connectionId !== undefined) entry.connectionId = connectionId;
    requests.push(entry);
    if (requests.length >= 2 * logSize) requests = requests.slice(-logSize);
    counters.count(kind, syncId ?? connectionId);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const body = readBody(req);
    const target = URL.canParse(req.url ?? '', BASE) ? (req.url ?? '/') : '/.invalid';
    const { pathname, searchParams } = new URL(target, BASE);
    const method = req.method ?? 'GET';
    const route = matchRoute(method, pathname);
    const headers = flattenHeaders(req.headers);
    record(method, pathname, route, headers);
    const version = headers['x-polytomic-version'] ?? SIM_DEFAULT_VERSION;
    const send = (reply: Reply): void => {
      if (!res.destroyed) sendReply(res, reply, version);
    };
    const keyCheck = checkIdempotencyKey(keys, credentials, route, headers);
    if (keyCheck !== undefined && 'reply' in keyCheck) {
      send(keyCheck.reply);
      return;
    }
    const claim = keyCheck?.claim;
    // The reply a keyed request is remembered by: what the server answered, faults included.
    const settle = (reply: Reply): Reply => {
      claim?.settle(reply);
      return reply;
    };
    const respond = async (): Promise<Reply> => {
      const incoming = { route, query: searchParams, version, body: await body };
      try {
        return settle(
          answer(ctx, credentials, { ...incoming, authorization: headers['authorization'] }),
        );
      } catch (error) {
        // A simulator bug: say so on stderr and answer 500 rather than take the test run down.
        process.stderr.write(`simulator: ${method} ${pathname} failed: ${String(error)}\n`);
        return settle(apiErrorReply(500, 'internal error', 'internal_error'));
      }
    };
    const fault: Fault | undefined = faults.take({
      route: routeKind(route),
      syncId: routeSyncId(route),
      connectionId: route.kind === 'connection' ? route.connectionId : undefined,
    });
    switch (fault?.kind) {
      // A hung or reset request never reached Polytomic: its key stays free for the retry.
      case 'hang':
        claim?.release();
        break;
      case 'reset':
        claim?.release();
        req.socket.resetAndDestroy();
        break;
      case 'status':
        if (fault.edge) claim?.release();
        send(fault.edge ? statusFaultReply(fault) : settle(statusFaultReply(fault)));
        break;
      case 'malformed':
        send(settle(jsonReply(200, fault.body ?? TRUNCATED_BODY)));
        break;
      // The answer is worked out (and a start or cancel done) when the delay ends.
      case 'delay':
        later(fault.ms, () => void respond().then(send));
        break;
      // A slow body is a trickle of one part.
      case 'slowBody':
      case 'trickle': {
        const { chunks, everyMs } =
          fault.kind === 'slowBody' ? { chunks: 1, everyMs: fault.ms } : fault;
        void respond().then((reply) => {
          if (res.destroyed) return;
          writeReplyHead(res, reply, version);
          res.flushHeaders();
          const bytes = Buffer.from(reply.body);
          const size = Math.ceil(bytes.length / chunks);
          for (let n = 1; n <= chunks; n++) {
            const part = bytes.subarray((n - 1) * size, n * size);
            later(everyMs * n, () => {
              if (res.destroyed) return;
              if (n === chunks) res.end(part);
              else res.write(part);
            });
          }
        });
        break;
      }
      case undefined:
        void respond().then(send);
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
      pollEvents();
      return url;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      if (poll !== undefined) clearInterval(poll);
      poll = undefined;
      await webhook.stop();
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
      const id = knownSync(syncId);
      const sync = syncs.get(id);
      if (sync !== undefined) events.replaceBody(sync, body);
      overrides.set(id, body);
    },
    clearStatus(syncId) {
      const id = syncId.toLowerCase();
      const sync = syncs.get(id);
      if (sync !== undefined && overrides.has(id)) {
        events.replaceBody(sync, statusBody(sync, startedAt, now()));
      }
      overrides.delete(id);
    },
    addSync(syncId, body, { keys: syncKeys = [], name, active = true } = {}) {
      const id = syncId.toLowerCase();
      if (!UUID.test(id)) throw new Error(`sync id must be a uuid, got ${syncId}`);
      const def = addedSync(id, body, { name: name ?? `Sync ${id}`, active });
      const at = now();
      // A replaced sync's changes so far are recorded under its old self.
      events.catchUp(id);
      syncs.set(id, createSyncState(def, startedAt, { createdAt: at, updatedAt: at }, at));
      events.watchFrom(id, at);
      for (const key of syncKeys) {
        const visibility: Visibility = credentials.get(key) ?? new Set<string>();
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
      webhook.clearFaults();
    },
    statusCalls(syncId) {
      return counters.get('status', syncId);
    },
    bulkStatusCalls() {
      return counters.get('statuses');
    },
    eventsCalls() {
      return counters.get('events');
    },
    events() {
      return events.all();
    },
    emitEvent(syncId, type, eventOverrides) {
      const sync = syncs.get(knownSync(syncId));
      if (sync === undefined) throw new Error(`unknown sync ${syncId}`);
      return events.emit(sync, type, eventOverrides);
    },
    setWebhook(target) {
      webhook.set(checkedWebhook(target));
      pollEvents();
    },
    webhookDeliveries() {
      return webhook.deliveries();
    },
    injectWebhook(fault, { times } = {}) {
      webhook.inject(fault, times);
    },
    webhooksSettled() {
      return webhook.settled();
    },
    calls(route, id) {
      return counters.get(route, id);
    },
    resetRequests() {
      requests = [];
      counters.reset();
    },
  };
}
