import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';

// How variables are read. Each variable, with its default, is declared once, in `settings` below;
// its place there is its place in Config.

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const int = (min: number, fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    // Decimal digits only: Number() would also read 1e3, 0x1500, 0b1010 and +80.
    .regex(/^-?\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { message: `must be at least ${min}` })
        .max(max, { message: `must be at most ${max}` }),
    )
    .default(fallback);

// Node's timers hold at most 2^31-1 ms (~24.8 days); a longer delay fires after 1 ms instead.
const ms = (min: number, fallback: number) => int(min, fallback, 2 ** 31 - 1);

const bool = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens.
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const isOrigin = (url: URL) => url.pathname === '/' && !url.search && !url.hash;
const hasUserInfo = (url: URL) => Boolean(url.username || url.password);

/** What is wrong with an http(s) origin, the first thing only (one line per variable). */
function originProblem(value: string): string | undefined {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || !/^https?:$/.test(url.protocol)) return 'must be an http(s) URL';
  if (hasUserInfo(url)) return 'must not hold a user name or password (set POLYTOMIC_API_KEY)';
  if (!isOrigin(url)) {
    return 'must be an origin without a path or query (e.g. https://app.polytomic.com)';
  }
  return undefined;
}

/** An http(s) origin; Polytomic paths (`/api/...`) are appended to it. */
const origin = z.string().transform((value, ctx) => {
  const problem = originProblem(value);
  if (problem === undefined) return new URL(value).origin;
  ctx.addIssue({ code: 'custom', message: problem });
  return z.NEVER;
});

/** How an entry allows its host on any port: `http://localhost:*` (a dev server's). */
const ANY_PORT = ':*';

/** A CORS entry as a browser's Origin header would spell it, or undefined if it is none. */
function corsOrigin(entry: string): string | undefined {
  if (entry === '*') return entry;
  if (entry.endsWith(ANY_PORT)) return anyPortOrigin(entry.slice(0, -ANY_PORT.length));
  return originProblem(entry) === undefined ? new URL(entry).origin : undefined;
}

/**
 * `http://localhost:*` spelled as cors.ts matches it, from its part before `:*`: a scheme and a
 * host name or IP address, nothing else (no port, path or trailing slash).
 */
function anyPortOrigin(base: string): string | undefined {
  if (originProblem(base) !== undefined) return undefined;
  const url = new URL(base);
  const host = HOST_NAME.test(url.hostname) || /^\[[0-9a-f:.]+\]$/.test(url.hostname);
  return host && url.port === '' && base.toLowerCase() === url.origin
    ? `${url.origin}${ANY_PORT}`
    : undefined;
}

/**
 * Browser origins for CORS. A trailing slash is dropped rather than kept: an Origin header never
 * has one, so the entry would never match. `scheme://host:*` allows that host on any port.
 */
const origins = list.transform((entries, ctx) => {
  const parsed = entries.map(corsOrigin);
  const bad = entries.filter((_, i) => parsed[i] === undefined);
  if (bad.length === 0) return parsed as string[];
  // An entry may hold a password (https://user:pass@…): never repeated in the message.
  const shown = bad.map((entry) => `"${entry.replace(/^([^/@]*\/\/)?[^/@]*@/, '$1…@')}"`);
  ctx.addIssue({
    code: 'custom',
    message: `each must be *, an origin like https://app.example:8443 or one on any port like http://localhost:*, not ${shown.join(', ')}`,
  });
  return z.NEVER;
});

/** A JSON file mapping operation hashes to documents (the persisted-operations allow-list). */
const operationsFile = z.string().transform((path, ctx) => {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    const entries = Object.entries(parsed as Record<string, unknown>);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error();
    if (!entries.every(([, query]) => typeof query === 'string')) throw new Error();
    return new Map(entries as [string, string][]);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: 'must name a readable JSON file of {"hash": "query"}',
    });
    return z.NEVER;
  }
});

/** One environment variable: its name, and how it is read (default included). */
interface Setting<S extends z.ZodType = z.ZodType> {
  readonly variable: string;
  readonly schema: S;
}
const read = <S extends z.ZodType>(variable: string, schema: S): Setting<S> => ({
  variable,
  schema,
});

/**
 * Every variable the gateway reads, where its value lands in Config. Defaults of the runtime
 * contract; docs/configuration.md says what each one means.
 */
const settings = {
  env: read('NODE_ENV', z.enum(['development', 'production', 'test']).default('production')),
  port: read('PORT', int(0, 4000, 65535)),
  host: read(
    'HOST',
    z
      .string()
      .refine((host) => isIP(host) !== 0 || HOST_NAME.test(host), {
        message: 'must be an IP address or a host name',
      })
      .default('0.0.0.0'),
  ),
  /** Serve GraphiQL on GET /graphql. Unset: on in development only. */
  graphiql: read('GRAPHIQL', bool.optional()),
  /** Serve the live status board at /board (on in `npm run demo`). */
  boardEnabled: read('BOARD_ENABLED', bool.default(false)),
  logLevel: read(
    'LOG_LEVEL',
    z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  /**
   * On SIGTERM/SIGINT, how long to go on accepting and serving while /ready answers 503, before
   * the stop: a load balancer (Kubernetes' endpoints) stops routing here first.
   */
  drainDelayMs: read('DRAIN_DELAY_MS', ms(0, 0)),
  /** How long in-flight requests may take to finish on SIGTERM/SIGINT (after DRAIN_DELAY_MS). */
  shutdownTimeoutMs: read('SHUTDOWN_TIMEOUT_MS', ms(0, 10000)),
  /** Cap on each id list (`ids`, `representations`). */
  maxIdsPerRequest: read('MAX_IDS_PER_REQUEST', int(1, 100)),
  /** OTLP/HTTP collector; when set, operations and upstream calls are traced. */
  otlpEndpoint: read(
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  ),
  /** Secret of the credential HMAC; replicas sharing Redis must share it. Random when unset. */
  credentialHashSecret: read(
    'CREDENTIAL_HASH_SECRET',
    z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  ),
  redisUrl: read(
    'REDIS_URL',
    z.url({ protocol: /^rediss?$/, message: 'must be a redis:// URL' }).optional(),
  ),
  polytomic: {
    baseUrl: read('POLYTOMIC_BASE_URL', origin.default('https://app.polytomic.com')),
    /** Sent on every call as `X-Polytomic-Version`. */
    apiVersion: read(
      'POLYTOMIC_API_VERSION',
      z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date like 2025-09-18' })
        .default('2025-09-18'),
    ),
    /** Per attempt, headers and body included. */
    timeoutMs: read('UPSTREAM_TIMEOUT_MS', ms(1, 10000)),
    /** Attempts per query-path call, the first included. */
    maxAttempts: read('UPSTREAM_MAX_ATTEMPTS', int(1, 3)),
    /** No retry starts later than this after the first attempt. */
    retryMaxElapsedMs: read('UPSTREAM_RETRY_MAX_ELAPSED_MS', ms(0, 20000)),
    /** Upstream calls in flight at once, process-wide. */
    concurrency: read('UPSTREAM_CONCURRENCY', int(1, 64)),
    /** Calls that may wait for a slot; beyond that they fail fast. */
    queue: read('UPSTREAM_QUEUE', int(0, 1000)),
  },
  /** The service credential's parts; Config carries them as one `serviceAuthorization`. */
  service: {
    apiKey: read('POLYTOMIC_API_KEY', z.string().optional()),
    deploymentKey: read('POLYTOMIC_DEPLOYMENT_KEY', z.string().optional()),
    organizationId: read('POLYTOMIC_ORGANIZATION_ID', z.string().optional()),
  },
  cache: {
    /** How long a fetched status may be reused; 0 turns reuse off. */
    ttlMs: read('CACHE_TTL_MS', ms(0, 1000)),
    maxEntries: read('CACHE_MAX_ENTRIES', int(1, 10000)),
    /** How long a sync's own fields, a listing or a connection is reused; 0 turns reuse off. */
    catalogueTtlMs: read('CATALOG_TTL_MS', ms(0, 60000)),
  },
  poll: {
    intervalMs: read('POLL_INTERVAL_MS', ms(100, 2000)),
    idleIntervalMs: read('POLL_IDLE_INTERVAL_MS', ms(100, 30000)),
    /** Poll period of an idle watched sync while its credential's event watcher is healthy. */
    safetyIntervalMs: read('POLL_SAFETY_INTERVAL_MS', ms(1000, 300000)),
    maxPollers: read('MAX_POLLERS', int(1, 10000)),
  },
  events: {
    /** How state changes are learned between polls: `poll` (the event log), `webhook` (also), `off`. */
    mode: read('POLYTOMIC_EVENTS', z.enum(['poll', 'webhook', 'off']).default('poll')),
    /** Unset (or 0): POLL_INTERVAL_MS. */
    intervalMs: read('POLYTOMIC_EVENTS_INTERVAL_MS', ms(0, 0)),
    webhookSecret: read('POLYTOMIC_WEBHOOK_SECRET', z.string().min(6).max(64).optional()),
  },
  websocket: {
    maxSubscriptionsPerConnection: read('MAX_SUBSCRIPTIONS_PER_CONNECTION', int(1, 100)),
    /** Subscribe messages one connection may send per minute before it is closed (4429). */
    maxSubscribesPerMinute: read('WS_MAX_SUBSCRIBES_PER_MINUTE', int(1, 600)),
    connectionInitTimeoutMs: read('WS_CONNECTION_INIT_TIMEOUT_MS', ms(100, 3000)),
    /** Ping period; 0 turns pings off. */
    keepAliveMs: read('WS_KEEP_ALIVE_MS', ms(0, 12000)),
    maxPayloadBytes: read('WS_MAX_PAYLOAD_BYTES', int(1024, 65536)),
    /** Open sockets at once; an upgrade beyond is refused with 503. */
    maxConnections: read('WS_MAX_CONNECTIONS', int(1, 10000)),
  },
  redis: {
    /** Prefix of every key and channel, so several gateways can share one Redis. */
    namespace: read(
      'REDIS_NAMESPACE',
      z
        .string()
        .regex(/^[\w.-]{1,64}$/, {
          message: 'must be 1-64 letters, digits, dots, dashes or underscores',
        })
        .default('polytomic-gateway'),
    ),
    /** Poll-leadership lease; a dead leader is replaced within 1.5 leases. */
    leaseMs: read('REDIS_LEASE_MS', ms(500, 5000)),
  },
  resilience: {
    /**
     * How old a last good status may be to stand in when Polytomic fails; 0 (the default) turns
     * it off: a client written to the contract expects UPSTREAM_UNAVAILABLE or RATE_LIMITED.
     */
    staleIfErrorMs: read('STALE_IF_ERROR_MS', ms(0, 0)),
    /** Consecutive upstream failures that open the circuit breaker. */
    breakerThreshold: read('BREAKER_THRESHOLD', int(1, 5)),
    /** How long the breaker stays open before one probe call is let through. */
    breakerHalfOpenMs: read('BREAKER_HALF_OPEN_MS', ms(100, 5000)),
    /** Retries allowed, as a percentage of first attempts (plus a small floor). */
    retryBudgetPercent: read('RETRY_BUDGET_PERCENT', int(0, 20)),
  },
  safety: {
    maxDepth: read('MAX_DEPTH', int(1, 8)),
    maxAliases: read('MAX_ALIASES', int(0, 15)),
    maxTokens: read('MAX_TOKENS', int(10, 5000)),
    maxCost: read('MAX_COST', int(1, 5000)),
    maxDirectives: read('MAX_DIRECTIVES', int(0, 10)),
    maxRequestBytes: read('MAX_REQUEST_BYTES', int(1024, 102400)),
    /** Demand control: the most upstream calls one operation (or one subscription event) may cost. */
    maxUpstreamCallsPerOperation: read('MAX_UPSTREAM_CALLS_PER_OPERATION', int(1, 200)),
    /** Unset: on in development only. */
    introspection: read('INTROSPECTION', bool.optional()),
    /** Origins allowed by CORS. Unset: any in development, none otherwise. */
    corsOrigins: read('CORS_ORIGINS', origins.optional()),
    csrfPrevention: read('CSRF_PREVENTION', bool.default(true)),
    /** When set, only these operations (by hash) run. */
    persistedOperations: read('PERSISTED_OPERATIONS_FILE', operationsFile.optional()),
  },
};

type Tree = { readonly [key: string]: Setting | Tree };
/** The values a tree of settings reads to, in the tree's shape. */
type Values<T> = {
  -readonly [K in keyof T]: T[K] extends Setting<infer S> ? z.output<S> : Values<T[K]>;
};

const isSetting = (node: Setting | Tree): node is Setting => node['schema'] instanceof z.ZodType;

function* leaves(tree: Tree): Generator<Setting> {
  for (const node of Object.values(tree)) {
    if (isSetting(node)) yield node;
    else yield* leaves(node);
  }
}

function valuesOf(tree: Tree, parsed: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(tree).map(([key, node]) => [
      key,
      isSetting(node) ? parsed[node.variable] : valuesOf(node, parsed),
    ]),
  );
}

/** The environment schema: every variable of `settings`, in their order. */
const envSchema = z.object(
  Object.fromEntries([...leaves(settings)].map(({ variable, schema }) => [variable, schema])),
);

type Read = Values<typeof settings>;

/** Rules between variables, each named by the variable an operator should change. */
function crossProblems({ service, redisUrl, credentialHashSecret, events }: Read): string[] {
  const problems: string[] = [];
  if (events.mode === 'webhook' && !events.webhookSecret) {
    problems.push(
      `${settings.events.webhookSecret.variable}: must be set with POLYTOMIC_EVENTS=webhook (the secret registered with Polytomic's webhook)`,
    );
  }
  const { apiKey, deploymentKey, organizationId } = settings.service;
  if (Boolean(service.deploymentKey) !== Boolean(service.organizationId)) {
    const missing = service.deploymentKey ? organizationId : deploymentKey;
    problems.push(
      `${missing.variable}: ${deploymentKey.variable} and ${organizationId.variable} must be set together`,
    );
  }
  if (redisUrl && !credentialHashSecret) {
    problems.push(
      `${settings.credentialHashSecret.variable}: must be set with REDIS_URL, to the same value on every replica`,
    );
  }
  if (service.apiKey && service.deploymentKey) {
    problems.push(
      `${apiKey.variable}: set either ${apiKey.variable} or the on-premises deployment key, not both`,
    );
  }
  return problems;
}

/** Thrown with one line per bad variable; `server.ts` prints it and exits 1. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The gateway's whole configuration, read once at start-up. */
export type Config = ReturnType<typeof loadConfig>;

/**
 * Validates the environment once. Empty strings count as unset, so `PORT=` in a compose file
 * means "use the default" rather than "port NaN".
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env) {
  const env = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`),
    );
  }
  const values = valuesOf(settings, parsed.data) as Read;
  const problems = crossProblems(values);
  if (problems.length > 0) throw new ConfigError(problems);

  const { service, ...rest } = values;
  const development = values.env === 'development';
  return {
    ...rest,
    graphiql: values.graphiql ?? development,
    events: {
      ...values.events,
      intervalMs: values.events.intervalMs || values.poll.intervalMs,
    },
    polytomic: {
      ...values.polytomic,
      /** The service credential as an `Authorization` header value, if one is configured. */
      serviceAuthorization: serviceAuthorization(service),
    },
    safety: {
      ...values.safety,
      introspection: values.safety.introspection ?? development,
      /** Field suggestions ("Did you mean …?") leak the schema; shown in development only. */
      fieldSuggestions: development,
      /** Empty means no cross-origin access; ['*'] allows any. */
      corsOrigins: values.safety.corsOrigins ?? (development ? ['*'] : []),
    },
  };
}

/** Every variable the gateway reads, in declaration order (docs and tests list them). */
export const CONFIG_VARIABLES: readonly string[] = [...leaves(settings)].map((s) => s.variable);

/** Bearer for an API key; Basic `org:key` for on-premises, as Polytomic's own Terraform provider does. */
function serviceAuthorization(service: Read['service']): string | undefined {
  if (service.apiKey) return `Bearer ${service.apiKey.trim()}`;
  if (service.deploymentKey && service.organizationId) {
    const pair = `${service.organizationId.trim()}:${service.deploymentKey.trim()}`;
    return `Basic ${Buffer.from(pair).toString('base64')}`;
  }
  return undefined;
}

/** A failure to listen, said as the configuration error it is (which variable to change). */
export function listenError(error: unknown, config: Config): ConfigError | undefined {
  const { code } = error as { code?: string };
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE') return new ConfigError([`PORT: ${where} is already in use`]);
  if (code === 'EACCES') return new ConfigError([`PORT: not allowed to listen on ${where}`]);
  if (code === 'ENOTFOUND' || code === 'EADDRNOTAVAIL' || code === 'EAI_AGAIN') {
    return new ConfigError([`HOST: cannot listen on ${config.host} (${code})`]);
  }
  return undefined;
}
