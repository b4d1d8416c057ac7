import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import {
  createYoga,
  type Plugin,
  type YogaServerInstance,
  type YogaServerOptions,
} from 'graphql-yoga';
import type { Config } from '../config.js';
import type { Context } from '../context.js';
import { type Logger, yogaLogger } from '../observability/logger.js';
import { schema } from '../schema/index.js';
import type { WebSocketContext } from './context-factory.js';
import { corsOptions } from './cors.js';
import { graphiqlOptions } from './graphiql.js';

/** The yoga server of one gateway: HTTP, graphql-ws and SSE all run operations through it. */
export type GatewayYoga = YogaServerInstance<Partial<WebSocketContext>, Context>;

/**
 * The yoga server: the schema, yoga's own options, the request plugins (in their order) and the
 * per-operation context factory.
 */
export function createGatewayYoga(
  config: Config,
  {
    logger,
    plugins,
    context,
  }: {
    logger: Logger;
    plugins: Plugin[];
    context: YogaServerOptions<Partial<WebSocketContext>, Context>['context'];
  },
): GatewayYoga {
  return createYoga<Partial<WebSocketContext>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    batching: false,
    // The body limit is the safety plugin useBodyLimit.
    maxRequestBodySize: false,
    // No file uploads in this API: one request parser less to match and to attack.
    multipart: false,
    // Parsed documents stay cached by yoga; their validation is cached by useValidationCache.
    parserAndValidationCache: { validationCache: false },
    cors: corsOptions(config.safety.corsOrigins),
    graphiql: config.graphiql ? graphiqlOptions : false,
    // GraphiQL's scripts and styles inlined from the package, not fetched from a CDN: it works
    // offline, and its page loads nothing from another site.
    renderGraphiQL,
    maskedErrors: { isDev: false },
    logging: yogaLogger(logger),
    plugins,
    context,
  });
}
