import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';

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

const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

/** A CORS entry as a browser's Origin header would spell it, or undefined if it is none. */
function corsOrigin(entry: string): string | undefined {
  if (entry === '*') return entry;
  return originProblem(entry) === undefined ? new URL(entry).origin : undefined;
}

/**
 * Browser origins for CORS. A trailing slash is dropped rather than kept: an Origin header never
 * has one, so the entry would never match.
 */
const origins = list.transform((entries, ctx) => {
  const parsed = entries.map(corsOrigin);
  const bad = entries.filter((_, i) => parsed[i] === undefined);
  if (bad.length === 0) return parsed as string[];
  // An entry may hold a password (https://user:pass@…): never repeated in the message.
  const shown = bad.map((entry) => `"${entry.replace(/^([^/@]*\/\/)?[^/@]*@/, '$1…@')}"`);
  ctx.addIssue({
    code: 'custom',
    message: `each must be * or an origin like https://app.example:8443, not ${shown.join(', ')}`,
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

const bool = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens.
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const isOrigin = (url: URL) => url.pathname === '/' && !url.search && !url.hash;
const hasUserInfo = (url: URL) => Boolean(url.username || url.password);

/** What is wrong with an upstream origin, the first thing only (one line per variable). */
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

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
    PORT: int(0, 4000).pipe(z.number().max(65535, { message: 'must be at most 65535' })),
    HOST: z
      .string()
      .refine((host) => isIP(host) !== 0 || HOST_NAME.test(host), {
        message: 'must be an IP address or a host name',
      })
      .default('0.0.0.0'),
    POLYTOMIC_BASE_URL: origin.default('https://app.polytomic.com'),
    POLYTOMIC_API_VERSION: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date like 2025-09-18' })
      .default('2025-09-18'),
    POLYTOMIC_API_KEY: z.string().optional(),
    POLYTOMIC_DEPLOYMENT_KEY: z.string().optional(),
    POLYTOMIC_ORGANIZATION_ID: z.string().optional(),
    POLL_INTERVAL_MS: ms(100, 2000),
    POLL_IDLE_INTERVAL_MS: ms(100, 30000),
    CACHE_TTL_MS: ms(0, 1000),
    CACHE_MAX_ENTRIES: int(1, 10000),
    UPSTREAM_TIMEOUT_MS: ms(1, 10000),
    UPSTREAM_MAX_ATTEMPTS: int(1, 3),
    UPSTREAM_RETRY_MAX_ELAPSED_MS: ms(0, 20000),
    UPSTREAM_CONCURRENCY: int(1, 64),
    UPSTREAM_QUEUE: int(0, 1000),
    MAX_IDS_PER_REQUEST: int(1, 100),
    MAX_POLLERS: int(1, 10000),
    MAX_SUBSCRIPTIONS_PER_CONNECTION: int(1, 100),
    WS_CONNECTION_INIT_TIMEOUT_MS: ms(100, 3000),
    WS_KEEP_ALIVE_MS: ms(0, 12000),
    WS_MAX_PAYLOAD_BYTES: int(1024, 65536),
    WS_MAX_CONNECTIONS: int(1, 10000),
    REDIS_URL: z.url({ protocol: /^rediss?$/, message: 'must be a redis:// URL' }).optional(),
    REDIS_NAMESPACE: z
      .string()
      .regex(/^[\w.-]{1,64}$/, {
        message: 'must be 1-64 letters, digits, dots, dashes or underscores',
      })
      .default('polytomic-gateway'),
    REDIS_LEASE_MS: ms(500, 5000),
    CREDENTIAL_HASH_SECRET: z
      .string()
      .min(16, { message: 'must be at least 16 characters' })
      .optional(),
    LOG_LEVEL: z
      .enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
      .default('info'),
    GRAPHIQL: bool.optional(),
    SHUTDOWN_TIMEOUT_MS: ms(0, 10000),
    // Off unless asked for: a client written to the contract expects UPSTREAM_UNAVAILABLE or
    // RATE_LIMITED when Polytomic fails, and CACHE_TTL_MS is the reuse the runtime contract names.
    STALE_IF_ERROR_MS: ms(0, 0),
    BREAKER_THRESHOLD: int(1, 5),
    BREAKER_HALF_OPEN_MS: ms(100, 5000),
    RETRY_BUDGET_PERCENT: int(0, 20),
    MAX_DEPTH: int(1, 8),
    MAX_ALIASES: int(0, 15),
    MAX_TOKENS: int(10, 5000),
    MAX_COST: int(1, 5000),
    MAX_DIRECTIVES: int(0, 10),
    MAX_REQUEST_BYTES: int(1024, 102400),
    INTROSPECTION: bool.optional(),
    CORS_ORIGINS: origins.optional(),
    CSRF_PREVENTION: bool.default(true),
    PERSISTED_OPERATIONS_FILE: operationsFile.optional(),
    WS_MAX_SUBSCRIBES_PER_MINUTE: int(1, 600),
    OTEL_EXPORTER_OTLP_ENDPOINT: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.POLYTOMIC_DEPLOYMENT_KEY) !== Boolean(env.POLYTOMIC_ORGANIZATION_ID)) {
      ctx.addIssue({
        code: 'custom',
        path: [
          env.POLYTOMIC_DEPLOYMENT_KEY ? 'POLYTOMIC_ORGANIZATION_ID' : 'POLYTOMIC_DEPLOYMENT_KEY',
        ],
        message: 'POLYTOMIC_DEPLOYMENT_KEY and POLYTOMIC_ORGANIZATION_ID must be set together',
      });
    }
    if (env.REDIS_URL && !env.CREDENTIAL_HASH_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['CREDENTIAL_HASH_SECRET'],
        message: 'must be set with REDIS_URL, to the same value on every replica',
      });
    }
    if (env.POLYTOMIC_API_KEY && env.POLYTOMIC_DEPLOYMENT_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['POLYTOMIC_API_KEY'],
        message: 'set either POLYTOMIC_API_KEY or the on-premises deployment key, not both',
      });
    }
  });

/** The gateway's whole configuration, read once at start-up. */
export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  graphiql: boolean;
  logLevel: (typeof LOG_LEVELS)[number];
  shutdownTimeoutMs: number;
  maxIdsPerRequest: number;
  polytomic: {
    baseUrl: string;
    apiVersion: string;
    /** The service credential as an `Authorization` header value, if one is configured. */
    serviceAuthorization: string | undefined;
    timeoutMs: number;
    maxAttempts: number;
    retryMaxElapsedMs: number;
    concurrency: number;
    queue: number;
  };
  cache: { ttlMs: number; maxEntries: number };
  poll: { intervalMs: number; idleIntervalMs: number; maxPollers: number };
  websocket: {
    maxSubscriptionsPerConnection: number;
    /** Subscribe messages one connection may send per minute before it is closed (4429). */
    maxSubscribesPerMinute: number;
    connectionInitTimeoutMs: number;
    /** Ping period; 0 turns pings off. */
    keepAliveMs: number;
    maxPayloadBytes: number;
    /** Open sockets at once; an upgrade beyond is refused with 503. */
    maxConnections: number;
  };
  redisUrl: string | undefined;
  redis: {
    /** Prefix of every key and channel, so several gateways can share one Redis. */
    namespace: string;
    /** Poll-leadership lease; a dead leader is replaced within 1.5 leases. */
    leaseMs: number;
  };
  /** OTLP/HTTP collector; when set, operations and upstream calls are traced. */
  otlpEndpoint: string | undefined;
  /** Secret of the credential HMAC; replicas sharing Redis must share it. Random when unset. */
  credentialHashSecret: string | undefined;
  resilience: {
    /** How old a last good status may be to stand in when Polytomic fails; 0 turns it off. */
    staleIfErrorMs: number;
    /** Consecutive upstream failures that open the circuit breaker. */
    breakerThreshold: number;
    /** How long the breaker stays open before one probe call is let through. */
    breakerHalfOpenMs: number;
    /** Retries allowed, as a percentage of first attempts (plus a small floor). */
    retryBudgetPercent: number;
  };
  safety: {
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    maxCost: number;
    maxDirectives: number;
    maxRequestBytes: number;
    introspection: boolean;
    /** Field suggestions ("Did you mean …?") leak the schema; shown in development only. */
    fieldSuggestions: boolean;
    /** Origins allowed by CORS; empty means no cross-origin access. ['*'] allows any. */
    corsOrigins: string[];
    csrfPrevention: boolean;
    /** When set, only these operations (by hash) run. */
    persistedOperations: Map<string, string> | undefined;
  };
}

/** Thrown with one line per bad variable; `server.ts` prints it and exits 1. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment once. Empty strings count as unset, so `PORT=` in a compose file
 * means "use the default" rather than "port NaN".
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const env = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        return `${String(issue.path[0] ?? 'environment')}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  const development = e.NODE_ENV === 'development';
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    graphiql: e.GRAPHIQL ?? development,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    maxIdsPerRequest: e.MAX_IDS_PER_REQUEST,
    polytomic: {
      baseUrl: e.POLYTOMIC_BASE_URL,
      apiVersion: e.POLYTOMIC_API_VERSION,
      serviceAuthorization: serviceAuthorization(e),
      timeoutMs: e.UPSTREAM_TIMEOUT_MS,
      maxAttempts: e.UPSTREAM_MAX_ATTEMPTS,
      retryMaxElapsedMs: e.UPSTREAM_RETRY_MAX_ELAPSED_MS,
      concurrency: e.UPSTREAM_CONCURRENCY,
      queue: e.UPSTREAM_QUEUE,
    },
    cache: { ttlMs: e.CACHE_TTL_MS, maxEntries: e.CACHE_MAX_ENTRIES },
    poll: {
      intervalMs: e.POLL_INTERVAL_MS,
      idleIntervalMs: e.POLL_IDLE_INTERVAL_MS,
      maxPollers: e.MAX_POLLERS,
    },
    websocket: {
      maxSubscriptionsPerConnection: e.MAX_SUBSCRIPTIONS_PER_CONNECTION,
      maxSubscribesPerMinute: e.WS_MAX_SUBSCRIBES_PER_MINUTE,
      connectionInitTimeoutMs: e.WS_CONNECTION_INIT_TIMEOUT_MS,
      keepAliveMs: e.WS_KEEP_ALIVE_MS,
      maxPayloadBytes: e.WS_MAX_PAYLOAD_BYTES,
      maxConnections: e.WS_MAX_CONNECTIONS,
    },
    redisUrl: e.REDIS_URL,
    redis: { namespace: e.REDIS_NAMESPACE, leaseMs: e.REDIS_LEASE_MS },
    credentialHashSecret: e.CREDENTIAL_HASH_SECRET,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    resilience: {
      staleIfErrorMs: e.STALE_IF_ERROR_MS,
      breakerThreshold: e.BREAKER_THRESHOLD,
      breakerHalfOpenMs: e.BREAKER_HALF_OPEN_MS,
      retryBudgetPercent: e.RETRY_BUDGET_PERCENT,
    },
    safety: {
      maxDepth: e.MAX_DEPTH,
      maxAliases: e.MAX_ALIASES,
      maxTokens: e.MAX_TOKENS,
      maxCost: e.MAX_COST,
      maxDirectives: e.MAX_DIRECTIVES,
      maxRequestBytes: e.MAX_REQUEST_BYTES,
      introspection: e.INTROSPECTION ?? development,
      fieldSuggestions: development,
      corsOrigins: e.CORS_ORIGINS ?? (development ? ['*'] : []),
      csrfPrevention: e.CSRF_PREVENTION,
      persistedOperations: e.PERSISTED_OPERATIONS_FILE,
    },
  };
}

/** Bearer for an API key; Basic `org:key` for on-premises, as Polytomic's own Terraform provider does. */
function serviceAuthorization(e: z.infer<typeof envSchema>): string | undefined {
  if (e.POLYTOMIC_API_KEY) return `Bearer ${e.POLYTOMIC_API_KEY.trim()}`;
  if (e.POLYTOMIC_DEPLOYMENT_KEY && e.POLYTOMIC_ORGANIZATION_ID) {
    const pair = `${e.POLYTOMIC_ORGANIZATION_ID.trim()}:${e.POLYTOMIC_DEPLOYMENT_KEY.trim()}`;
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
