import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import {
  type ASTVisitor,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';
import { ErrorCode } from '../schema/errors.js';
import { useBodyLimit } from './use-body-limit.js';
import { useInputErrorCodes } from './use-input-error-codes.js';
import { useRequestErrorCodes } from './use-request-error-codes.js';

/** Why an operation is refused under PERSISTED_OPERATIONS_FILE, over HTTP and WebSocket alike. */
export const PERSISTED_REFUSALS = {
  onlyPersisted: 'Only persisted operations are allowed.',
  noHash: 'Send the persisted operation as extensions.persistedQuery.sha256Hash.',
  notListed: 'This operation is not in the persisted-operations allow-list.',
};

/** The headers a browser must add to a "simple" request (GET, form or text POST) to pass CSRF checks. */
export const CSRF_HEADERS = [
  'x-graphql-yoga-csrf',
  'apollo-require-preflight',
  'graphql-preflight',
];

/**
 * Everything that refuses an abusive or unexpected operation before it costs anything: size and
 * shape limits (GraphQL Armor), introspection and field suggestions off outside development, CSRF
 * prevention for browsers, and the optional persisted-operations allow-list.
 */
export function safetyPlugins(config: Config): Plugin[] {
  const { safety } = config;
  const plugins: Plugin[] = [
    useBodyLimit(safety.maxRequestBytes) as Plugin,
    EnvelopArmorPlugin({
      // Depth and cost count fields, not fragments: a router's `_entities` query nests its
      // selection in fragments, which would otherwise count as levels of their own (each one
      // multiplying the cost by 1.5) and refuse a query whose fields are five deep.
      maxDepth: { n: safety.maxDepth, ignoreIntrospection: true, flattenFragments: true },
      maxAliases: { n: safety.maxAliases },
      maxTokens: { n: safety.maxTokens },
      maxDirectives: { n: safety.maxDirectives },
      costLimit: { maxCost: safety.maxCost, ignoreIntrospection: true, flattenFragments: true },
      blockFieldSuggestion: { enabled: !safety.fieldSuggestions },
    }) as Plugin,
  ];
  plugins.push(useKnownOperationTypes());
  if (!safety.introspection) plugins.push(useNoIntrospection());
  // After Armor, so the parse function and rules it wraps include Armor's.
  plugins.push(useInputErrorCodes(), useRequestErrorCodes());
  if (safety.csrfPrevention) plugins.push(useBrowserCSRFPrevention());
  if (safety.persistedOperations) {
    const operations = safety.persistedOperations;
    plugins.push(
      usePersistedOperations({
        getPersistedOperation: (hash) => operations.get(hash) ?? null,
        allowArbitraryOperations: false,
        customErrors: {
          persistedQueryOnly: refusal(PERSISTED_REFUSALS.onlyPersisted),
          keyNotFound: refusal(PERSISTED_REFUSALS.noHash),
          notFound: refusal(PERSISTED_REFUSALS.notListed),
        },
      }),
    );
  }
  return plugins;
}

/**
 * Refuses introspection in every operation, over HTTP and WebSocket alike. yoga's
 * useDisableIntrospection adds its rule only for requests it saw parsed over HTTP, so
 * operations over graphql-ws kept introspection; and since validation results are cached by
 * document (useValidationCache), every transport must validate with the same rules.
 */
function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

/**
 * Refuses an operation type the schema has no root for (this one has no mutations) at
 * validation, as graphql 17's KnownOperationTypesRule will. graphql 16 lets such a document
 * validate, fails it at execution with `data: null` and no code, and graphql-jit cannot compile
 * it at all; written here because graphql 16, GraphQL Armor and envelop have no such rule.
 */
function useKnownOperationTypes(): Plugin {
  const rule = (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      if (context.getSchema().getRootType(node.operation)) return;
      context.reportError(
        new GraphQLError(`This API has no ${node.operation}s; only queries and subscriptions.`, {
          nodes: node,
        }),
      );
    },
  });
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}

const refusal = (message: string) => ({
  message,
  extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
});

/**
 * yoga's CSRF prevention, applied to requests a browser made (they carry Origin or Sec-Fetch-*).
 * Cross-site request forgery needs a victim's browser; curl, servers and federation routers send
 * neither header and keep plain GET queries, as the runtime contract promises.
 */
function useBrowserCSRFPrevention(): Plugin {
  const inner = useCSRFPrevention({ requestHeaders: CSRF_HEADERS });
  return {
    onRequestParse(payload) {
      const { headers } = payload.request;
      // Not any Sec-Fetch-* header: Node's own fetch sends Sec-Fetch-Mode (never -Site), and a
      // browser that sends any of them sends Sec-Fetch-Site.
      if (headers.has('origin') || headers.has('sec-fetch-site')) {
        return inner.onRequestParse?.(payload);
      }
      return undefined;
    },
  };
}
