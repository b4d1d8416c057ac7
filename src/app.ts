import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { type DocumentNode, Kind } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { correlationOf, correlationOfRequest, useRequestId } from './correlation.js';
import { createCredentialHasher, pickAuthorization } from './datasources/credential.js';
import type { Scheduler } from './datasources/live/events.js';
import { connectRedis } from './datasources/live/redis-connection.js';
import { createRedisFanOut } from './datasources/live/redis-fan-out.js';
import { createRedisLeadership } from './datasources/live/redis-leadership.js';
import { createLiveRegistry } from './datasources/live/registry.js';
import { createAgent, createPolytomicClient } from './datasources/polytomic/client.js';
import { createStatusLoader } from './datasources/status-loader.js';
import { createStatusStore } from './datasources/status-store.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { CSRF_HEADERS, safetyPlugins } from './plugins/safety.js';
import { useDistinctResults } from './plugins/use-distinct-results.js';
import { useResponseCache } from './plugins/use-response-cache.js';
import { SAMPLE_QUERY, SAMPLE_SUBSCRIPTION } from './samples.js';
import { schema } from './schema/index.js';
import { startTracing, useTracing } from './telemetry.js';
import { attachWebSocket, closeWebSockets, type WebSocketContext } from './websocket.js';

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
        namespace: config.redis.namespace,
        latestTtlMs: Math.max(60_000, config.poll.idleIntervalMs * 3),
      }),
      leadership: createRedisLeadership(redis, config.redis),
    }),
    onPoll: (outcome) => metrics.polls.inc({ outcome }),
    onSize: (size) => metrics.activePollers.set(size),
  });
  let accepting = false;
  let stopping: Promise<void> | undefined;

  const yoga = createYoga<Partial<WebSocketContext>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    batching: false,
    maxRequestBodySize: config.safety.maxRequestBytes,
    cors: corsOptions(config.safety.corsOrigins),
    graphiql: config.graphiql
      ? {
          title: 'Polytomic sync gateway',
          defaultQuery: `${SAMPLE_QUERY}\n${SAMPLE_SUBSCRIPTION}`,
          subscriptionsProtocol: 'WS',
        }
      : false,
    maskedErrors: { isDev: false },
    logging: yogaLogger(logger),
    plugins: [
      ...safetyPlugins(config),
      // Queries run compiled (graphql-jit): the full-status query walks ~100 fields per sync and
      // execution was the largest cost on the hot path. Subscriptions keep graphql-js semantics.
      useGraphQlJit({}, { enableIf: ({ document }) => !isSubscription(document) }),
      // After the JIT plugin, so the execute function it wraps is the compiled one.
      ...(tracing ? [useTracing()] : []),
      useRequestId(),
      useReadiness(() => accepting),
      ...(config.cache.ttlMs > 0
        ? [
            useResponseCache({
              ttlMs: config.cache.ttlMs,
              maxEntries: config.cache.maxEntries,
              credentialKeyOf: (request) => {
                const authorization = pickAuthorization(
                  request.headers.get('authorization'),
                  config.polytomic.serviceAuthorization,
                );
                return authorization && hashCredential(authorization);
              },
              onLookup: (hit) => metrics.responseCache.inc({ result: hit ? 'hit' : 'miss' }),
            }),
          ]
        : []),
      useDistinctResults({
        onOpen: () => metrics.activeSubscriptions.inc(),
        onClose: () => metrics.activeSubscriptions.dec(),
        onSent: () => metrics.eventsSent.inc(),
      }),
      usePrometheus({
        registry: metrics.registry,
        endpoint: '/metrics',
        // Only the series an operator reads; the plugin's per-phase ones cost a document walk
        // (deprecated fields) and several histograms on every request, measured on the hot path.
        metrics: {
          graphql_envelop_request: true,
          graphql_envelop_request_duration: true,
          graphql_envelop_error_result: true,
          graphql_yoga_http_duration: true,
          graphql_envelop_request_time_summary: false,
          graphql_envelop_deprecated_field: false,
          graphql_envelop_phase_parse: false,
          graphql_envelop_phase_validate: false,
          graphql_envelop_phase_context: false,
          graphql_envelop_phase_execute: false,
          graphql_envelop_phase_subscribe: false,
          graphql_envelop_schema_change: false,
        },
      }),
    ],
    context: (initial): Context => {
      // Over HTTP the fetch Request carries the credential; over WebSocket, websocket.ts found it.
      const { request } = initial as { request?: Request };
      const fromClient = request
        ? request.headers.get('authorization')
        : initial.clientAuthorization;
      const authorization = pickAuthorization(fromClient, config.polytomic.serviceAuthorization);
      const correlation = request
        ? correlationOfRequest(request)
        : correlationOf((name) => {
            const value = initial.req?.headers[name];
            return Array.isArray(value) ? value[0] : value;
          });
      const { requestId } = correlation;
      let log: Logger | undefined;
      return {
        requestId,
        // Made on first use: a pino child serialises its bindings up front, and most
        // operations never log.
        get log() {
          log ??= logger.child(correlation);
          return log;
        },
        authorization,
        statuses: authorization ? createStatusLoader(store, authorization, requestId) : undefined,
        maxIdsPerRequest: config.maxIdsPerRequest,
        live,
      };
    },
  });

  const server = createServer(yoga);
  const wss = attachWebSocket(server, yoga, config);

  return {
    yoga,
    server,
    metrics,
    logger,
    start: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
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
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // WebSocket clients get 1001 (going away) and no `complete`: `complete` would tell them the
        // subscription is over for good, while 1001 makes graphql-ws clients reconnect and
        // resubscribe to another replica. SSE streams, which have no such signal, complete.
        const socketsClosed = closeWebSockets(wss);
        live.close();
        await socketsClosed;
        server.closeIdleConnections();
        const deadline = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
        await closed;
        clearTimeout(deadline);
        await agent.close();
        await redis?.close();
        await tracing?.shutdown();
        logger.info('gateway stopped');
      })();
      return stopping;
    },
  };
}

/** No CORS headers at all unless origins are listed: browsers on other sites then can't read. */
function corsOptions(origins: string[]) {
  if (origins.length === 0) return false;
  return {
    origin: origins.includes('*') ? '*' : origins,
    methods: ['GET', 'POST'],
    allowedHeaders: [
      'authorization',
      'content-type',
      'x-request-id',
      'traceparent',
      ...CSRF_HEADERS,
    ],
    exposedHeaders: ['x-request-id'],
    credentials: false,
    maxAge: 600,
  };
}

function isSubscription(document: DocumentNode): boolean {
  return document.definitions.some(
    (d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === 'subscription',
  );
}

/** `/ready`: 200 while the gateway accepts work, 503 once shutdown has begun. */
function useReadiness(isReady: () => boolean): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== '/ready') return;
      const ready = isReady();
      endResponse(
        new fetchAPI.Response(ready ? 'ready' : 'shutting down', { status: ready ? 200 : 503 }),
      );
    },
  };
}

/** Routes yoga's own log calls to pino (errors as `err`, so pino serialises them). */
function yogaLogger(logger: Logger) {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      if (first instanceof Error) logger[level]({ err: first }, first.message);
      else logger[level]({ details: rest.length ? rest : undefined }, String(first));
    };
  return {
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
  };
}
