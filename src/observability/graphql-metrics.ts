import { type ExecutionArgs, type ExecutionResult, getOperationAST } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { Counter, Histogram, type Registry } from 'prom-client';
import { ErrorCode } from '../errors.js';

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Serves `/metrics` and records, under the names yoga's Prometheus plugin uses:
 * - `graphql_envelop_request_duration`: seconds executing each query or mutation, by operation
 *   type (its `_count` counts executions; response-cache hits execute nothing);
 * - `graphql_yoga_http_duration`: seconds of each HTTP request whose GraphQL document parsed or
 *   that the response cache answered, by operation type, method and status (refusals before
 *   parsing are not in it);
 * - `graphql_envelop_error_result`: errors in results, by operation type, phase and error code
 *   (a refused subscription counts as `subscribe`, an error in one of its events as `execute`;
 *   a failed validation counts once).
 *
 * Written here with prom-client rather than with `@graphql-yoga/plugin-prometheus`: that plugin
 * is general (any series, any phase, label functions per observation) and pays for it on every
 * request, copying the whole server context per response and rebuilding label parameters in
 * each phase. Labels are only what the server decides (never operation names or URLs, which
 * clients choose), so the number of series stays bounded.
 */
export function useGraphQLMetrics(
  registry: Registry,
  /** Whether a result came from the response cache (a query, answered without parsing). */
  isCachedResult: (result: unknown) => boolean = () => false,
): Plugin & { countSubscriptionErrors: (result: ExecutionResult) => void } {
  const registers = [registry];
  const seconds = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Histogram<L>({ name, help, labelNames, buckets: DURATION_BUCKETS, registers });
  const executeDuration = seconds(
    'graphql_envelop_request_duration',
    'Time spent executing GraphQL queries and mutations',
    ['operationType'],
  );
  const httpDuration = seconds(
    'graphql_yoga_http_duration',
    'Time spent on HTTP requests whose GraphQL document parsed or was answered from the response cache',
    ['operationType', 'method', 'statusCode'],
  );
  const errors = new Counter({
    name: 'graphql_envelop_error_result',
    help: 'Errors in GraphQL results, by the phase that raised them and extensions.code',
    labelNames: ['operationType', 'phase', 'code'],
    registers,
  });
  // The operation type of each parsed operation, by its GraphQL context and, over HTTP, by its
  // request (the response hook sees only the request).
  const typeByContext = new WeakMap<object, string>();
  const typeByRequest = new WeakMap<Request, string>();
  const startByRequest = new WeakMap<Request, number>();

  const countErrors = (result: ExecutionResult, operationType: string, phase = 'execute') => {
    for (const error of result.errors ?? []) {
      errors.inc({ operationType, phase, code: codeOf(error) });
    }
  };

  /** The type of the operation that runs: known since parsing, else from what execution got. */
  function operationTypeOf(args: ExecutionArgs): string {
    const known = typeByContext.get(args.contextValue as object);
    if (known) return known;
    return getOperationAST(args.document, args.operationName)?.operation ?? 'unknown';
  }

  return {
    /** For results a subscription group writes to a socket past this plugin's per-operation hooks. */
    countSubscriptionErrors: (result) => countErrors(result, 'subscription'),
    onRequest({ request, url, fetchAPI, endResponse }) {
      if (url.pathname === '/metrics') {
        return registry.metrics().then((text) => {
          endResponse(
            new fetchAPI.Response(text, { headers: { 'Content-Type': registry.contentType } }),
          );
        });
      }
      startByRequest.set(request, performance.now());
      return undefined;
    },
    onPluginInit({ registerContextErrorHandler }) {
      registerContextErrorHandler(({ context, error }) => {
        const operationType = typeByContext.get(context) ?? 'unknown';
        errors.inc({ operationType, phase: 'context', code: codeOf(error) });
      });
    },
    onParse({ context }) {
      return ({ result }) => {
        if (result instanceof Error || !result) {
          errors.inc({ operationType: 'unknown', phase: 'parse', code: codeOf(result) });
          return;
        }
        const { params, request } = context as {
          params?: { operationName?: string };
          request?: Request;
        };
        // Without an operation name (graphql-ws passes none at parse time) a document with
        // several operations has no type yet; execution then reads it from its own arguments.
        const operationType = getOperationAST(result, params?.operationName)?.operation;
        if (operationType) typeByContext.set(context, operationType);
        if (request) typeByRequest.set(request, operationType ?? 'unknown');
      };
    },
    onValidate({ context }) {
      return ({ valid }) => {
        if (valid) return;
        // Every validation error carries BAD_USER_INPUT (useInputErrorCodes); one failed
        // validation counts once, however many rules it broke.
        const operationType = typeByContext.get(context) ?? 'unknown';
        errors.inc({ operationType, phase: 'validate', code: ErrorCode.BAD_USER_INPUT });
      };
    },
    onExecute({ args }) {
      const operationType = operationTypeOf(args);
      const started = performance.now();
      const observe = () =>
        executeDuration.observe({ operationType }, (performance.now() - started) / 1000);
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) {
            countErrors(result, operationType);
            observe();
            return undefined;
          }
          return { onNext: ({ result: next }) => countErrors(next, operationType), onEnd: observe };
        },
      };
    },
    onSubscribe({ args }) {
      const operationType = operationTypeOf(args);
      return {
        onSubscribeResult({ result }) {
          // A result instead of a stream: the subscription was refused before it started.
          if (!isAsyncIterable(result)) {
            countErrors(result, operationType, 'subscribe');
            return undefined;
          }
          return { onNext: ({ result: next }) => countErrors(next, operationType) };
        },
        onSubscribeError({ error }) {
          errors.inc({ operationType, phase: 'subscribe', code: codeOf(error) });
        },
      };
    },
    onExecutionResult({ request, result }) {
      // A response-cache hit skipped parsing; only queries are cached.
      if (!typeByRequest.has(request) && isCachedResult(result))
        typeByRequest.set(request, 'query');
    },
    onResponse({ request, response }) {
      const started = startByRequest.get(request);
      const operationType = typeByRequest.get(request);
      if (started === undefined || operationType === undefined) return;
      httpDuration.observe(
        { operationType, method: request.method, statusCode: response.status },
        (performance.now() - started) / 1000,
      );
    },
  };
}

/** The error's code, or NONE. Codes are set by the server, never by a client, so the label stays bounded. */
function codeOf(error: unknown): string {
  const code = (error as { extensions?: Record<string, unknown> } | undefined)?.extensions?.[
    'code'
  ];
  return typeof code === 'string' ? code : 'NONE';
}
