import { type ExecutionResult, getOperationAST } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { Context } from '../../../context.js';

/** Options of {@link useResponseCache}. */
export interface ResponseCacheOptions {
  /** CACHE_TTL_MS: how long a fetched status may be reused. */
  ttlMs: number;
  maxEntries: number;
  /** The credential an HTTP request runs with, if any. */
  authorizationOf: (request: Request) => string | undefined;
  /** The key a credential's entries are kept under (its HMAC). */
  keyOf: (authorization: string) => string;
  onLookup?: (hit: boolean) => void;
}

/**
 * Serves a repeated query from a response cache keyed by credential, skipping parse, validation
 * and execution. Written here rather than with @envelop/response-cache because an entry must
 * expire CACHE_TTL_MS after the oldest status it was built from was fetched, not after it was
 * built: the TTL bounds how stale data may be, and a fixed per-response TTL would double that
 * bound on top of the status cache. Only queries are cached, and results with errors never; a
 * mutation drops every entry of its credential, since what it changed may be in any of them.
 */
export function useResponseCache(options: ResponseCacheOptions): Plugin<Context> {
  const { ttlMs, authorizationOf, onLookup } = options;
  const credentialKeyOf = (request: Request) => {
    const authorization = authorizationOf(request);
    return authorization && options.keyOf(authorization);
  };
  const cache = new LRUCache<string, ExecutionResult>({ max: options.maxEntries, ttl: ttlMs });
  const keys = new WeakMap<Request, string>();
  const queries = new WeakSet<Request>();

  return {
    onParams({ request, params, setResult }) {
      const credential = credentialKeyOf(request);
      if (!credential || !params.query) return;
      const variables = keyOf(params.variables);
      if (variables === undefined) return;
      const key = `${credential}\n${params.operationName ?? ''}\n${variables}\n${params.query}`;
      const cached = cache.get(key);
      onLookup?.(cached !== undefined);
      if (cached) setResult(cached);
      else keys.set(request, key);
    },
    onExecute({ args }) {
      const context = args.contextValue as Partial<Context> & { request?: Request };
      const operation = getOperationAST(args.document, args.operationName)?.operation;
      if (operation === 'query' && context.request) queries.add(context.request);
      if (operation !== 'mutation') return undefined;
      // Over HTTP and WebSocket alike: once it ran, what it changed may be in any entry.
      return { onExecuteDone: () => forget(context.authorization) };
    },
    onExecutionResult({ request, result, context }) {
      if (!queries.has(request)) return;
      const key = keys.get(request);
      const oldestFetchedAt = (context as Partial<Context>).statuses?.oldestFetchedAt;
      if (!key || !result || isAsyncIterable(result) || result.errors?.length) return;
      if (oldestFetchedAt === undefined) return;
      const remaining = oldestFetchedAt + ttlMs - Date.now();
      if (remaining > 0) cache.set(key, serializedOnce(result), { ttl: remaining });
    },
  };

  /** Drops every entry of one credential (their keys begin with its key). */
  function forget(authorization: string | undefined) {
    if (!authorization) return;
    const credential = options.keyOf(authorization);
    for (const key of cache.keys()) {
      if (key.startsWith(`${credential}\n`)) cache.delete(key);
    }
  }
}

/** The results this cache serves; only queries' results are cached. */
const cachedResults = new WeakSet<ExecutionResult>();

/** Whether `result` came from the response cache (so no document was parsed for it). */
export function isCachedResult(result: unknown): boolean {
  return typeof result === 'object' && result !== null && cachedResults.has(result);
}

/**
 * The variables as part of a cache key, or undefined for a request not to cache: JSON nested
 * thousands deep overflows JSON.stringify's stack (the request itself is still served).
 */
function keyOf(variables: unknown): string | undefined {
  try {
    return JSON.stringify(variables ?? {});
  } catch {
    return undefined;
  }
}

/**
 * yoga serialises a result with the result's own `stringify` when it has one (graphql-jit's
 * hook): a cached result carries its JSON, so it is serialised once, not on every hit. A plugin
 * that changed a cached result on its way out would have to drop `stringify`, or its change
 * would not be sent.
 */
function serializedOnce(result: ExecutionResult): ExecutionResult {
  const json = JSON.stringify(result);
  const cached = Object.assign({ ...result }, { stringify: () => json });
  cachedResults.add(cached);
  return cached;
}
