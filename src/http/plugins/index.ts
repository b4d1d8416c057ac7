import type { Plugin } from 'graphql-yoga';
import type { Config } from '../../config.js';
import type { CredentialHasher } from '../../datasources/credential.js';
import { useRequestId } from '../../observability/correlation.js';
import { useGraphQLMetrics } from '../../observability/graphql-metrics.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { useTracing } from '../../observability/tracing.js';
import { boardDirectory, useBoard } from '../board.js';
import { requestAuthorization } from '../context-factory.js';
import { useVaryOrigin, varyByOrigin } from '../cors.js';
import { useReadiness } from '../readiness.js';
import { useWebhooks } from '../webhooks.js';
import { useInputErrorCodes } from './errors/input-error-codes.js';
import { useRequestErrorCodes } from './errors/request-error-codes.js';
import { useBodyLimit } from './safety/body-limit.js';
import { useBrowserCSRFPrevention } from './safety/csrf.js';
import { useDemandControl } from './safety/demand-control.js';
import { useOperationLimits } from './safety/limits.js';
import { useNoIntrospection } from './safety/no-introspection.js';
import { usePersistedOperationsOnly } from './safety/persisted-operations.js';
import { useShapeCostLimit } from './safety/shape-cost.js';
import { useQueryJit } from './speed/query-jit.js';
import { isCachedResult, useResponseCache } from './speed/response-cache.js';
import { useValidationCache } from './speed/validation-cache.js';
import { useCloseUnsentSubscriptions } from './subscriptions/close-unsent.js';
import { useMultipartSubscriptions } from './subscriptions/multipart.js';
import { useSharedResults } from './subscriptions/shared-results.js';

/** What the request plugins are built on; app.ts makes these once. */
export interface PluginParts {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  hashCredential: CredentialHasher;
  /** Whether OpenTelemetry tracing was started. */
  tracing: boolean;
  /** `/ready` answers 200 while this holds. */
  isReady: () => boolean;
  /** A verified webhook event for a sync: poll it soon (POLYTOMIC_EVENTS=webhook). */
  hintWebhook?: (syncId: string) => void;
  /** Idle time before a multipart subscription's heartbeat part. @default MULTIPART_HEARTBEAT_MS (5 s) */
  multipartHeartbeatMs?: number;
}

/**
 * One step of the pipeline: the plugin (false or undefined where this configuration has none)
 * and why it sits where it does. Plugins are typed by their own factories; here only their
 * order matters.
 */
interface Step {
  plugin: object | false | undefined;
  why: string;
}

/**
 * Every request plugin of the gateway, in the order yoga runs their hooks: the one place that
 * order is decided. Each step says why it sits where it does. yoga's own parts (CORS, `/health`,
 * GraphiQL, the request parsers, SSE) run before all of them.
 */
export function requestPlugins(parts: PluginParts): Plugin[] {
  const { config, metrics } = parts;
  const { safety } = config;
  const graphqlMetrics = useGraphQLMetrics(metrics.registry, isCachedResult);
  const steps: Step[] = [
    {
      why: 'Serves the board (GET /board) before any GraphQL plugin looks at the request.',
      plugin:
        config.boardEnabled &&
        useBoard({
          directory: boardDirectory(),
          maxIdsPerRequest: config.maxIdsPerRequest,
          logger: parts.logger,
        }),
    },
    {
      why: "Polytomic's webhook (POST /webhooks/polytomic): its own rate, size and signature checks, before CSRF or any GraphQL plugin.",
      plugin:
        config.events.mode === 'webhook' &&
        config.events.webhookSecret !== undefined &&
        useWebhooks({
          secret: config.events.webhookSecret,
          hint: (syncId) => parts.hintWebhook?.(syncId),
          onResult: (result) => metrics.webhooks.inc({ result }),
        }),
    },
    {
      why: 'First to see the request: refuses an oversized body before anything reads it.',
      plugin: useBodyLimit(safety.maxRequestBytes),
    },
    {
      why: 'Operation limits (GraphQL Armor): wraps parsing and adds validation rules.',
      plugin: useOperationLimits(safety),
    },
    {
      why: "A validation rule: the cost of the operation's shape (MAX_COST).",
      plugin: useShapeCostLimit(safety.maxCost),
    },
    {
      why: 'A validation rule, when introspection is off.',
      plugin: !safety.introspection && useNoIntrospection(),
    },
    {
      why: 'After every plugin that wraps parsing or adds rules: gives each of their refusals BAD_USER_INPUT.',
      plugin: useInputErrorCodes(),
    },
    {
      why: "Gives yoga's refusals of the HTTP request itself (bad JSON, 413, 415, CSRF) BAD_USER_INPUT.",
      plugin: useRequestErrorCodes(),
    },
    {
      why: 'Refuses a browser request without a CSRF header before it is parsed.',
      plugin: safety.csrfPrevention && useBrowserCSRFPrevention(),
    },
    {
      why: 'Turns a persisted hash into its document before anything reads the query (the response cache keys on it).',
      plugin: safety.persistedOperations && usePersistedOperationsOnly(safety.persistedOperations),
    },
    {
      why: 'Before execution starts (and before the compiled executor): refuses an operation whose upstream calls would exceed the limit.',
      plugin: useDemandControl(safety.maxUpstreamCallsPerOperation),
    },
    {
      why: 'After every plugin that adds validation rules: a cached result stands for all of them.',
      plugin: useValidationCache(),
    },
    {
      why: 'Queries run compiled.',
      plugin: useQueryJit(parts.logger),
    },
    {
      why: 'After the JIT plugin, so the execute function it wraps is the compiled one.',
      plugin: parts.tracing && useTracing(),
    },
    {
      why: 'Echoes x-request-id on every response.',
      plugin: useRequestId(),
    },
    {
      why: '/ready.',
      plugin: useReadiness(parts.isReady),
    },
    {
      why: 'Vary: Origin on every response when specific origins are listed.',
      plugin: varyByOrigin(safety.corsOrigins) && useVaryOrigin(),
    },
    {
      why: 'After persisted operations (its key is the resolved query): answers a repeated query before parsing.',
      plugin:
        config.cache.ttlMs > 0 &&
        useResponseCache({
          ttlMs: config.cache.ttlMs,
          maxEntries: config.cache.maxEntries,
          authorizationOf: (request) =>
            requestAuthorization(request, config.polytomic.serviceAuthorization),
          keyOf: parts.hashCredential,
          onLookup: (hit) => metrics.responseCache.inc({ result: hit ? 'hit' : 'miss' }),
        }),
    },
    {
      why: 'One execution per change for all subscribers of the same document, variables and credential; each hears only changes to what it selected.',
      plugin: useSharedResults({
        hashCredential: parts.hashCredential,
        onOpen: () => metrics.activeSubscriptions.inc(),
        onClose: () => metrics.activeSubscriptions.dec(),
        onSent: () => metrics.eventsSent.inc(),
        onExecuted: () => metrics.subscriptionExecutions.inc(),
        onErrorsSent: graphqlMetrics.countSubscriptionErrors,
      }),
    },
    {
      why: 'Serves /metrics and records every operation.',
      plugin: graphqlMetrics,
    },
    {
      why: "Before close-unsent: serves a subscription whose Accept asks for Apollo's multipart protocol (yoga serves SSE only).",
      plugin: useMultipartSubscriptions(
        parts.multipartHeartbeatMs === undefined ? {} : { heartbeatMs: parts.multipartHeartbeatMs },
      ),
    },
    {
      why: 'Last with a result hook: it reads which result processor the plugins before it chose.',
      plugin: useCloseUnsentSubscriptions(),
    },
  ];
  return steps.flatMap(({ plugin }) => (plugin ? [plugin as Plugin] : []));
}
