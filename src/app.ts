import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { createCredentialHasher, pickAuthorization } from './datasources/credential.js';
import { createAgent, createPolytomicClient } from './datasources/polytomic/client.js';
import { createStatusLoader } from './datasources/status-loader.js';
import { createStatusStore } from './datasources/status-store.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { requestIdOf, useRequestId } from './request-id.js';
import { schema } from './schema/index.js';

/** Options of {@link createApp} that tests and the demo may set; production uses the defaults. */
export interface AppOptions {
  /** @default a pino logger at config.logLevel on stdout */
  logger?: Logger;
  /** Secret for the credential HMAC. @default random per process */
  credentialSecret?: string;
}

/** A gateway instance: yoga plus its HTTP server, started and stopped as one. */
export interface App {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  server: Server;
  metrics: Metrics;
  logger: Logger;
  /** Listens on config.port/host (0 picks a free port); resolves to the base URL. */
  start(): Promise<string>;
  /** Graceful stop: refuse new work, let in-flight requests finish (bounded), free every resource. */
  stop(): Promise<void>;
}

const SAMPLE_QUERY = /* GraphQL */ `# Polytomic bulk sync status. Replace the id with one of your syncs.
query SyncHealth($id: ID!) {
  bulkSync(id: $id) {
    id
    status {
      currentExecution { id status recordCount startedAt }
      lastExecution { id status completedAt errorCount }
      nextExecutionTime
    }
  }
}
`;

/** Wires config → datasources → schema → yoga → HTTP. The only place that knows every part. */
export function createApp(config: Config, options: AppOptions = {}): App {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const agent = createAgent(config.polytomic.timeoutMs);
  const client = createPolytomicClient({
    ...config.polytomic,
    dispatcher: agent,
    onAttempt: (outcome, seconds) => {
      metrics.upstreamRequests.inc({ outcome });
      metrics.upstreamDuration.observe({ outcome }, seconds);
    },
    onRetry: (reason) => metrics.upstreamRetries.inc({ reason }),
  });
  const store = createStatusStore({
    client,
    hashCredential: createCredentialHasher(options.credentialSecret),
    ttlMs: config.cache.ttlMs,
    maxEntries: config.cache.maxEntries,
    onLookup: (result) => metrics.statusLookups.inc({ result }),
  });
  let accepting = false;

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: config.graphiql
      ? { title: 'Polytomic sync gateway', defaultQuery: SAMPLE_QUERY }
      : false,
    maskedErrors: { isDev: false },
    logging: yogaLogger(logger),
    plugins: [
      useRequestId(),
      useReadiness(() => accepting),
      usePrometheus({
        registry: metrics.registry,
        endpoint: '/metrics',
        metrics: {
          graphql_envelop_request: true,
          graphql_envelop_request_duration: true,
          graphql_envelop_error_result: true,
          graphql_yoga_http_duration: true,
        },
      }),
    ],
    context: ({ request }): Context => {
      const requestId = requestIdOf(request);
      const authorization = pickAuthorization(
        request.headers.get('authorization'),
        config.polytomic.serviceAuthorization,
      );
      return {
        requestId,
        log: logger.child({ requestId }),
        authorization,
        statuses: authorization ? createStatusLoader(store, authorization, requestId) : undefined,
        maxIdsPerRequest: config.maxIdsPerRequest,
      };
    },
  });

  const server = createServer(yoga);

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
    async stop() {
      accepting = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      await closed;
      clearTimeout(deadline);
      await agent.close();
      logger.info('gateway stopped');
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
