import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { createCatalogueStore } from './datasources/catalogue-store.js';
import { createCredentialHasher } from './datasources/credential.js';
import { connectRedis, redisPrefix } from './datasources/live/redis/connection.js';
import { createRedisFanOut } from './datasources/live/redis/fan-out.js';
import { createRedisLeadership } from './datasources/live/redis/leadership.js';
import { createLiveRegistry } from './datasources/live/registry.js';
import type { Scheduler } from './datasources/live/scheduler.js';
import { createPolytomicClient } from './datasources/polytomic/client.js';
import { createAgent } from './datasources/polytomic/transport.js';
import { createStatusStore } from './datasources/status-store.js';
import { createContextFactory } from './http/context-factory.js';
import { drainable } from './http/drain.js';
import { requestPlugins } from './http/plugins/index.js';
import { untilDeadline } from './http/shutdown.js';
import { attachWebSocket } from './http/websocket/server.js';
import { createGatewayYoga, type GatewayYoga } from './http/yoga.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { startTracing } from './observability/tracing.js';

/** Options of {@link createApp} that tests and the demo may set; production uses the defaults. */
export interface AppOptions {
  /** @default a pino logger at config.logLevel on stdout */
  logger?: Logger;
  /** Secret for the credential HMAC. @default config.credentialHashSecret, else random per process */
  credentialSecret?: string;
  /** Timers of the poll loops and the Redis lease and heartbeat. @default real timers */
  scheduler?: Scheduler;
  /** Idle time before a multipart subscription's heartbeat part. @default 5000 */
  multipartHeartbeatMs?: number;
}

/** A gateway instance: yoga plus its HTTP and WebSocket servers, started and stopped as one. */
export interface App {
  yoga: GatewayYoga;
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

/**
 * Wires config → datasources → schema → yoga → HTTP + WebSocket: the only place that builds the
 * shared objects and knows every part.
 */
export function createApp(config: Config, options: AppOptions = {}): App {
  const logger = options.logger ?? createLogger(config.logLevel);
  const tracing = config.otlpEndpoint ? startTracing(config.otlpEndpoint) : undefined;
  const metrics = createMetrics({ redis: Boolean(config.redisUrl) });
  const { scheduler } = options;

  // Datasources: the upstream client, the status store and the live registry over it.
  const agent = createAgent(config.polytomic.timeoutMs);
  const hashCredential = createCredentialHasher(
    options.credentialSecret ?? config.credentialHashSecret,
  );
  const client = createPolytomicClient({
    ...config.polytomic,
    ...config.resilience,
    dispatcher: agent,
    onAttempt: (outcome, seconds) => {
      metrics.upstreamRequests.inc({ outcome });
      metrics.upstreamDuration.observe({ outcome }, seconds);
    },
    onRetry: (reason) => metrics.upstreamRetries.inc({ reason }),
    onCall: (reason) => metrics.upstreamCallsByReason.inc({ reason }),
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
  const catalogue = createCatalogueStore({
    client,
    hashCredential,
    ttlMs: config.cache.catalogueTtlMs,
    maxEntries: config.cache.maxEntries,
    onLookup: (kind, result) => metrics.catalogueLookups.inc({ kind, result }),
  });
  // Redis only when configured: no Redis code path runs otherwise.
  const redis =
    config.redisUrl &&
    connectRedis(config.redisUrl, logger, {
      onState: (up) => metrics.redisUp?.set(up ? 1 : 0),
      ...(scheduler && { scheduler }),
    });
  const namespace = redisPrefix(config.redis.namespace);
  const live = createLiveRegistry({
    store,
    hashCredential,
    cadence: config.poll,
    maxPollers: config.poll.maxPollers,
    log: logger,
    ...(scheduler && { scheduler }),
    ...(redis && {
      fanOut: createRedisFanOut(redis, {
        namespace,
        latestTtlMs: Math.max(60_000, config.poll.idleIntervalMs * 3),
      }),
      leadership: createRedisLeadership(redis, {
        namespace,
        leaseMs: config.redis.leaseMs,
        ...(scheduler && { scheduler }),
      }),
    }),
    onPoll: (outcome) => metrics.polls.inc({ outcome }),
    onSize: (size) => metrics.activePollers.set(size),
    onActionElsewhere: (syncId) => catalogue.invalidate(syncId),
    events:
      config.events.mode === 'off' ? undefined : { client, intervalMs: config.events.intervalMs },
    onWatcherHealth: ({ from, to }) => {
      if (from) metrics.eventWatchers.dec({ state: from });
      if (to) metrics.eventWatchers.inc({ state: to });
    },
    onEventLag: (seconds) => metrics.eventLag.observe(seconds),
  });

  // Transport: yoga (schema, request plugins, context per operation), HTTP and WebSocket.
  let accepting = false;
  const yoga = createGatewayYoga(config, {
    logger,
    plugins: requestPlugins({
      config,
      logger,
      metrics,
      hashCredential,
      tracing: tracing !== undefined,
      isReady: () => accepting,
      hintWebhook: (syncId) => live.hintWebhook(syncId),
      ...(options.multipartHeartbeatMs !== undefined && {
        multipartHeartbeatMs: options.multipartHeartbeatMs,
      }),
    }),
    context: createContextFactory({
      logger,
      client,
      statuses: store,
      catalogue,
      live,
      serviceAuthorization: config.polytomic.serviceAuthorization,
      maxIdsPerRequest: config.maxIdsPerRequest,
    }),
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

  let stopping: Promise<void> | undefined;
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
        // /ready says 503 at once; everything else goes on for DRAIN_DELAY_MS, while the load
        // balancer stops sending new connections here (Kubernetes: the endpoints controller).
        if (config.drainDelayMs > 0) {
          logger.info({ drainDelayMs: config.drainDelayMs }, 'not ready; draining before the stop');
          await new Promise((resolve) => setTimeout(resolve, config.drainDelayMs));
        }
        http.drain();
        // Every wait below ends by SHUTDOWN_TIMEOUT_MS after the signal, whatever holds it.
        const deadline = Date.now() + config.shutdownTimeoutMs;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // WebSocket clients get 1001 (going away) and no `complete`: `complete` would tell them the
        // subscription is over for good, while 1001 makes graphql-ws clients reconnect and
        // resubscribe to another replica (a socket with queries in flight closes once they are
        // answered; its subscriptions end now, silently). SSE streams, which have no such
        // signal, complete. A client that never answers the close would hold it for ws's own 30 s.
        const socketsClosed = sockets.close();
        live.close();
        await untilDeadline(socketsClosed, deadline, () => sockets.cutOff());
        server.closeIdleConnections();
        await untilDeadline(closed, deadline, () => server.closeAllConnections());
        // Calls still waiting on Polytomic at the deadline (a hung upstream under a request that
        // was cut off) are abandoned, not awaited for UPSTREAM_TIMEOUT_MS.
        await untilDeadline(agent.close(), deadline, () => agent.destroy().catch(() => undefined));
        if (redis) await redis.close();
        if (tracing) await untilDeadline(tracing.shutdown(), deadline, () => undefined);
        logger.info('gateway stopped');
      })();
      return stopping;
    },
  };
}
