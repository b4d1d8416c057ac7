import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { correlationOf, correlationOfRequest, useRequestId } from './correlation.js';
import { type CredentialHasher, pickAuthorization } from './datasources/credential.js';
import type { LiveRegistry } from './datasources/live/registry.js';
import {
  createStatusLoader,
  type EarlyCalls,
  startEarlyCalls,
} from './datasources/status-loader.js';
import type { StatusStore } from './datasources/status-store.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { CSRF_HEADERS, safetyPlugins } from './plugins/safety.js';
import { useCloseUnsentSubscriptions } from './plugins/use-close-unsent-subscriptions.js';
import { useDistinctResults } from './plugins/use-distinct-results.js';
import { useEarlyFetch } from './plugins/use-early-fetch.js';
import { useGraphQLMetrics } from './plugins/use-graphql-metrics.js';
import { useQueryJit } from './plugins/use-query-jit.js';
import { useResponseCache } from './plugins/use-response-cache.js';
import { useValidationCache } from './plugins/use-validation-cache.js';
import { SAMPLE_QUERY, SAMPLE_SUBSCRIPTION } from './samples.js';
import { idsAcceptable, isSyncId } from './schema/bulk-sync.js';
import { schema } from './schema/index.js';
import { useTracing } from './telemetry.js';
import type { WebSocketContext } from './websocket.js';

/** What the GraphQL server is built on; app.ts makes these. */
export interface YogaParts {
  logger: Logger;
  metrics: Metrics;
  hashCredential: CredentialHasher;
  store: StatusStore;
  live: LiveRegistry;
  /** Whether OpenTelemetry tracing was started. */
  tracing: boolean;
  /** `/ready` answers 200 while this holds. */
  isReady: () => boolean;
}

/**
 * The yoga server: schema, limits, caches, metrics and the per-operation context (credential,
 * correlation, fresh loaders). HTTP and WebSocket both run operations through it.
 */
export function createGatewayYoga(
  config: Config,
  parts: YogaParts,
): YogaServerInstance<Partial<WebSocketContext>, Context> {
  const { logger, metrics, hashCredential, store, live } = parts;
  const authorizationOf = (request: Request) =>
    pickAuthorization(request.headers.get('authorization'), config.polytomic.serviceAuthorization);
  const earlyCalls = new WeakMap<Request, EarlyCalls>();
  return createYoga<Partial<WebSocketContext>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    batching: false,
    // The body limit is safetyPlugins' useBodyLimit, which skips yoga's per-request stream.
    maxRequestBodySize: false,
    // No file uploads in this API: one request parser less to match and to attack.
    multipart: false,
    // Parsed documents stay cached by yoga; their validation is cached by useValidationCache.
    parserAndValidationCache: { validationCache: false },
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
      // After every plugin that adds validation rules (the safety plugins).
      useValidationCache(),
      useQueryJit(logger),
      // After the JIT plugin, so the execute function it wraps is the compiled one.
      ...(parts.tracing ? [useTracing()] : []),
      useRequestId(),
      useReadiness(parts.isReady),
      ...(varyByOrigin(config.safety.corsOrigins) ? [useVaryOrigin()] : []),
      ...(config.cache.ttlMs > 0
        ? [
            useResponseCache({
              ttlMs: config.cache.ttlMs,
              maxEntries: config.cache.maxEntries,
              credentialKeyOf: (request) => {
                const authorization = authorizationOf(request);
                return authorization && hashCredential(authorization);
              },
              onLookup: (hit) => metrics.responseCache.inc({ result: hit ? 'hit' : 'miss' }),
            }),
          ]
        : []),
      useEarlyFetch({
        acceptable: (ids, list) =>
          list ? idsAcceptable(ids, config.maxIdsPerRequest) : ids.every(isSyncId),
        start(request, ids) {
          const authorization = authorizationOf(request);
          if (!authorization) return;
          const { requestId } = correlationOfRequest(request);
          const calls = startEarlyCalls(store, authorization, ids, requestId);
          earlyCalls.set(request, calls);
          metrics.earlyFetches.inc(calls.size);
        },
      }),
      useDistinctResults({
        onOpen: () => metrics.activeSubscriptions.inc(),
        onClose: () => metrics.activeSubscriptions.dec(),
        onSent: () => metrics.eventsSent.inc(),
      }),
      useGraphQLMetrics(metrics.registry),
      // Last: it reads which result processor the plugins before it chose.
      useCloseUnsentSubscriptions(),
    ],
    context: (initial): Context => {
      // Over HTTP the fetch Request carries the credential; over WebSocket, websocket.ts found it.
      const { request } = initial as { request?: Request };
      // The same rule as the early fetch and the response cache, so all three use one credential.
      const authorization = request
        ? authorizationOf(request)
        : pickAuthorization(initial.clientAuthorization, config.polytomic.serviceAuthorization);
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
        log() {
          log ??= logger.child(correlation);
          return log;
        },
        authorization,
        statuses: authorization
          ? createStatusLoader(store, authorization, requestId, request && earlyCalls.get(request))
          : undefined,
        maxIdsPerRequest: config.maxIdsPerRequest,
        live,
      };
    },
  });
}

/**
 * No CORS headers at all unless origins are listed: browsers on other sites then can't read. An
 * origin outside the list gets none either: whatwg-node would answer it (for a list of two or
 * more) with `Access-Control-Allow-Origin: null`, which pages of the opaque origin (a sandboxed
 * iframe, a data: URL) match.
 */
function corsOptions(origins: string[]) {
  if (origins.length === 0) return false;
  const options = {
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
  if (origins.includes('*')) return options;
  return (request: Request) => origins.includes(request.headers.get('origin') ?? '') && options;
}

/** Whether a response depends on the caller's Origin: specific origins are listed. */
const varyByOrigin = (origins: string[]) => origins.length > 0 && !origins.includes('*');

/**
 * `Vary: Origin` on every response, not only those that carry CORS headers: otherwise a shared
 * cache could hand a listed origin a copy made for another origin, without them.
 */
function useVaryOrigin(): Plugin {
  return {
    onResponse({ response }) {
      const vary = response.headers.get('vary');
      if (
        !vary
          ?.toLowerCase()
          .split(/\s*,\s*/)
          .includes('origin')
      ) {
        response.headers.append('vary', 'Origin');
      }
    },
  };
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
      // yoga logs a few debug lines per request: no pino arguments for a level that is off.
      if (!logger.isLevelEnabled(level)) return;
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
