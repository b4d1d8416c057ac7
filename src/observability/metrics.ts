import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The gateway's own Prometheus series; useGraphQLMetrics adds the GraphQL ones to the same registry. */
export interface Metrics {
  registry: Registry;
  upstreamRequests: Counter<'outcome'>;
  upstreamDuration: Histogram<'outcome'>;
  upstreamRetries: Counter<'reason'>;
  statusLookups: Counter<'result'>;
  catalogueLookups: Counter<'kind' | 'result'>;
  responseCache: Counter<'result'>;
  activeSubscriptions: Gauge;
  activePollers: Gauge;
  polls: Counter<'outcome'>;
  eventsSent: Counter;
  /** Subscription results executed: once per change per group of identical subscriptions. */
  subscriptionExecutions: Counter;
  upstreamCallsByReason: Counter<'reason'>;
  /** From an event's `created_at` to the first push to subscribers it caused. */
  eventLag: Histogram;
  /** Event watchers (one per credential with subscribers, where this replica leads it) by health. */
  eventWatchers: Gauge<'state'>;
  /** Webhook posts by answer: accepted, unsigned, bad_signature, rate_limited, too_large, ignored. */
  webhooks: Counter<'result'>;
  breakerState: Gauge;
  /** Present only with Redis (REDIS_URL): absent, the series says there is none. */
  redisUp: Gauge | undefined;
  webSocketsRefused: Counter;
  /** Makes `polytomic_upstream_calls` read the client's concurrency slots at each scrape. */
  trackUpstreamLoad(load: () => { active: number; queued: number }): void;
  /** Makes `gateway_websocket_connections` read the open sockets at each scrape. */
  trackWebSockets(count: () => number): void;
}

/**
 * One registry per app, so several apps in one process (tests, replicas) never mix counts.
 * `redis`: whether REDIS_URL is set (its series exists only then).
 */
export function createMetrics({ redis = false }: { redis?: boolean } = {}): Metrics {
  const registry = new Registry();
  let upstreamLoad = () => ({ active: 0, queued: 0 });
  new Gauge({
    name: 'polytomic_upstream_calls',
    help: 'Upstream calls holding a concurrency slot (active) and waiting for one (queued).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const { active, queued } = upstreamLoad();
      this.set({ state: 'active' }, active);
      this.set({ state: 'queued' }, queued);
    },
  });
  let webSockets = () => 0;
  new Gauge({
    name: 'gateway_websocket_connections',
    help: 'Open WebSocket connections (at most WS_MAX_CONNECTIONS).',
    registers: [registry],
    collect() {
      this.set(webSockets());
    },
  });
  return {
    trackUpstreamLoad(load) {
      upstreamLoad = load;
    },
    trackWebSockets(count) {
      webSockets = count;
    },
    webSocketsRefused: new Counter({
      name: 'gateway_websocket_refused_total',
      help: 'WebSocket upgrades refused (503) because WS_MAX_CONNECTIONS sockets were open.',
      registers: [registry],
    }),
    registry,
    upstreamRequests: new Counter({
      name: 'polytomic_upstream_requests_total',
      help: 'Upstream attempts by outcome: the HTTP status, or an error kind (upstream_timeout, upstream_network_error, upstream_bad_body).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    upstreamDuration: new Histogram({
      name: 'polytomic_upstream_request_duration_seconds',
      help: 'Duration of upstream attempts.',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    upstreamRetries: new Counter({
      name: 'polytomic_upstream_retries_total',
      help: 'Upstream retries by the failure that caused them.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    statusLookups: new Counter({
      name: 'gateway_status_lookups_total',
      help: 'Status lookups across requests: hit (TTL cache), shared (joined a call in flight), miss (new upstream call).',
      labelNames: ['result'],
      registers: [registry],
    }),
    catalogueLookups: new Counter({
      name: 'gateway_catalogue_lookups_total',
      help: 'Catalogue lookups across requests (kind: sync, list, connection): hit (TTL cache), shared (joined a call in flight), miss (new upstream call).',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
    responseCache: new Counter({
      name: 'gateway_response_cache_total',
      help: 'Query responses served from the response cache (hit) or executed (miss).',
      labelNames: ['result'],
      registers: [registry],
    }),
    activeSubscriptions: new Gauge({
      name: 'gateway_active_subscriptions',
      help: 'Open GraphQL subscriptions (WebSocket, SSE and HTTP multipart).',
      registers: [registry],
    }),
    activePollers: new Gauge({
      name: 'gateway_active_pollers',
      help: 'Watched (credential, sync) pairs, each with one poll loop.',
      registers: [registry],
    }),
    polls: new Counter({
      name: 'gateway_polls_total',
      help: 'Live polls by outcome: changed, unchanged, failed (backing off), ended (401/403/404).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    redisUp: redis
      ? new Gauge({
          name: 'gateway_redis_up',
          help: 'Whether Redis answers (1) or this replica polls on its own (0); absent without REDIS_URL.',
          registers: [registry],
        })
      : undefined,
    breakerState: new Gauge({
      name: 'polytomic_upstream_breaker_state',
      help: 'Circuit breaker of the upstream origin: 0 closed, 1 half-open (probing), 2 open (failing fast).',
      registers: [registry],
    }),
    eventsSent: new Counter({
      name: 'gateway_subscription_events_total',
      help: 'Subscription events sent to clients.',
      registers: [registry],
    }),
    upstreamCallsByReason: new Counter({
      name: 'polytomic_upstream_calls_by_reason_total',
      help: 'Upstream calls (not attempts) by why they were made: busy, idle, safety, event, webhook, mutation, events (the event watcher), query.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    eventLag: new Histogram({
      name: 'gateway_event_push_lag_seconds',
      help: "From a Polytomic event's created_at to the first push to subscribers it caused.",
      buckets: [0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5, 10, 30],
      registers: [registry],
    }),
    eventWatchers: new Gauge({
      name: 'gateway_event_watchers',
      help: 'Event watchers this replica runs, by state: healthy (events move pollers; idle syncs get safety checks only) or failing (normal cadence).',
      labelNames: ['state'],
      registers: [registry],
    }),
    webhooks: new Counter({
      name: 'gateway_webhooks_total',
      help: 'Posts to /webhooks/polytomic by answer: accepted, ignored (not a bulk sync event), unsigned, bad_signature, rate_limited, too_large.',
      labelNames: ['result'],
      registers: [registry],
    }),
    subscriptionExecutions: new Counter({
      name: 'gateway_subscription_executions_total',
      help: 'Subscription results executed: once per change for all subscribers of the same document, variables and credential.',
      registers: [registry],
    }),
  };
}
