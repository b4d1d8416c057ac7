import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { createCredentialHasher } from './datasources/credential.js';
import type { Scheduler } from './datasources/live/events.js';
import { connectRedis, redisPrefix } from './datasources/live/redis-connection.js';
import { createRedisFanOut } from './datasources/live/redis-fan-out.js';
import { createRedisLeadership } from './datasources/live/redis-leadership.js';
import { createLiveRegistry } from './datasources/live/registry.js';
import { createAgent, createPolytomicClient } from './datasources/polytomic/client.js';
import { createStatusStore } from './datasources/status-store.js';
import { drainable } from './drain.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { startTracing } from './telemetry.js';
import { attachWebSocket, type WebSocketContext } from './websocket.js';
import { createGatewayYoga } from './yoga.js';

/** Options of {@link createApp} that tests and the demo may set; production uses the defaults. */
export interface AppOptions {
  /** @default a pino logger at config.logLevel on stdout */
  logger?: Logger;
  /** Secret for the credential HMAC. @default random per process */
  credentialSecret?: string;
  /** Timers of the poll loops. @default real timers */
  scheduler?: Scheduler;
}

/** A gateway instance: yoga plus its HTTP and WebSocket servers, started and stopped as one. */
export interface App {
  yoga: YogaServerInstance<Partial<WebSocketContext>, Context>;
  server: Server;
  metrics: Metrics;
  logger: Logger;
  /** Listens on config.port/host (0 picks a free port); resolves to the base URL. */
  start(): Promise<string>;
  /**
   * Graceful stop: /ready turns 503, no new connections, open subscriptions complete and
   * WebSockets close with 1001, in-flight requests finish (bounded), every poller stops.
   */
  stop(): Promise<void>;
}

/** Wires config → datasources → schema → yoga → HTTP + WebSocket. The only place that knows every part. */
export function createApp(config: Config, options: AppOptions = {}): App {
  const logger = options.logger ?? createLogger(config.logLevel);
  const tracing = config.otlpEndpoint ? startTracing(config.otlpEndpoint) : undefined;
  const metrics = createMetrics();
  const agent = createAgent(config.polytomic.timeoutMs);
  const hashCredential = createCredentialHasher(
    options.credentialSecret ?? config.credentialHashSecret,
  );
  // Redis only when configured: no Redis code path runs otherwise.
  const redis = config.redisUrl
    ? connectRedis(config.redisUrl, logger, (up) => metrics.redisUp.set(up ? 1 : 0))
    : undefined;
  const client = createPolytomicClient({
    ...config.polytomic,
    dispatcher: agent,
    onAttempt: (outcome, seconds) => {
      metrics.upstreamRequests.inc({ outcome });
      metrics.upstreamDuration.observe({ outcome }, seconds);
    },
    onRetry: (reason) => metrics.upstreamRetries.inc({ reason }),
    ...config.resilience,
    onBreakerState: (state) => {
      metrics.breakerState.set({ closed: 0, 'half-open': 1, open: 2 }[state]);
      logger.warn({ state }, 'upstream circuit breaker changed state');
    },
  });
  metrics.trackUpstreamLoad(client.load);
  const store = createStatusStore({
    client,
    hashCredential,
    ttlMs: config.cache.ttlMs,
    maxEntries: config.cache.maxEntries,
    staleIfErrorMs: config.resilience.staleIfErrorMs,
    onLookup: (result) => metrics.statusLookups.inc({ result }),
  });
  const live = createLiveRegistry({
    store,
    hashCredential,
    cadence: config.poll,
    maxPollers: config.poll.maxPollers,
    log: logger,
    ...(options.scheduler && { scheduler: options.scheduler }),
    ...(redis && {
      fanOut: createRedisFanOut(redis, {
        namespace: redisPrefix(config.redis.namespace),
        latestTtlMs: Math.max(60_000, config.poll.idleIntervalMs * 3),
      }),
      leadership: createRedisLeadership(redis, {
        namespace: redisPrefix(config.redis.namespace),
        leaseMs: config.redis.leaseMs,
      }),
    }),
    onPoll: (outcome) => metrics.polls.inc({ outcome }),
    onSize: (size) => metrics.activePollers.set(size),
  });
  let accepting = false;
  let stopping: Promise<void> | undefined;

  const yoga = createGatewayYoga(config, {
    logger,
    metrics,
    hashCredential,
    store,
    live,
    tracing: tracing !== undefined,
    isReady: () => accepting,
  });

  // The strict parser even if NODE_OPTIONS asks for the lenient one: the body limit trusts
  // Content-Length because this parser refuses requests whose framing is ambiguous.
  const http = drainable(yoga);
  const server = createServer({ insecureHTTPParser: false }, http.listener);
  const sockets = attachWebSocket(server, yoga, config, {
    logger,
    onRefused: () => metrics.webSocketsRefused.inc(),
  });
  metrics.trackWebSockets(() => sockets.wss.clients.size);

  return {
    yoga,
    server,
    metrics,
    logger,
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          // Errors after start (EMFILE on accept…) are logged; an 'error' with no listener would
          // end the process.
          server.off('error', reject);
          server.on('error', (error) => logger.error({ err: error }, 'HTTP server error'));
          accepting = true;
          const { port } = server.address() as AddressInfo;
          const host =
            config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
          logger.info({ port }, 'gateway listening');
          resolve(`http://${host}:${port}`);
        });
      }),
    stop() {
      stopping ??= (async () => {
        accepting = false;
        http.drain();
        // Every wait below ends by SHUTDOWN_TIMEOUT_MS after the signal, whatever holds it.
        const stopBy = Date.now() + config.shutdownTimeoutMs;
        const byDeadline = (work: Promise<unknown>, cutOff: () => unknown) =>
          untilDeadline(work, stopBy, cutOff);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // WebSocket clients get 1001 (going away) and no `complete`: `complete` would tell them the
        // subscription is over for good, while 1001 makes graphql-ws clients reconnect and
        // resubscribe to another replica (a socket with queries in flight closes once they are
        // answered; its subscriptions end now, silently). SSE streams, which have no such
        // signal, complete. A client that never answers the close would hold it for ws's own 30 s.
        const socketsClosed = sockets.close();
        live.close();
        await byDeadline(socketsClosed, () => sockets.cutOff());
        server.closeIdleConnections();
        await byDeadline(closed, () => server.closeAllConnections());
        // Calls still waiting on Polytomic at the deadline (a hung upstream under a request that
        // was cut off) are abandoned, not awaited for UPSTREAM_TIMEOUT_MS.
        await byDeadline(agent.close(), () => agent.destroy().catch(() => undefined));
        await redis?.close();
        if (tracing) await byDeadline(tracing.shutdown(), () => undefined);
        logger.info('gateway stopped');
      })();
      return stopping;
    },
  };
}

/** Waits for `work` until `deadline` (epoch ms) at most, then runs `cutOff` and goes on. */
async function untilDeadline(
  work: Promise<unknown>,
  deadline: number,
  cutOff: () => unknown,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(
      () => {
        cutOff();
        resolve();
      },
      Math.max(0, deadline - Date.now()),
    );
  });
  await Promise.race([work.catch(() => undefined), late]);
  clearTimeout(timer);
}
