// Hive Gateway's runtime as the federation router in front of the subgraphs under test. Its
// packages are devDependencies of the repository, so `npm ci` installs them with the rest (the
// service's production tree is the same with or without them: `npm ls --omit=dev`).
import { createServer } from 'node:http';
import { createGatewayRuntime, getGraphQLWSOptions } from '@graphql-hive/gateway-runtime';
import httpTransport from '@graphql-mesh/transport-http';
import wsTransport from '@graphql-mesh/transport-ws';
import { print } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

/**
 * @typedef {object} SubgraphExecution
 * @property {string} subgraph
 * @property {string} operationType
 * @property {string} query
 * @property {Record<string, unknown>} variables
 */

/**
 * @typedef {object} RunningRouter
 * @property {string} url `http://127.0.0.1:<port>/graphql` (graphql-ws and SSE on the same path)
 * @property {SubgraphExecution[]} executions every operation the router sent a subgraph, in order
 * @property {() => Promise<void>} close
 */

/**
 * Starts the router on `port` (0: a free one) for `supergraphSdl`. Subscriptions go to subgraphs
 * over graphql-ws (`upstream: 'ws'`, on each subgraph's own URL) or over the HTTP transport,
 * which subscribes with SSE (`upstream: 'sse'`).
 *
 * @param {string} supergraphSdl
 * @param {{ port?: number, upstream?: 'ws' | 'sse' }} [options]
 * @returns {Promise<RunningRouter>}
 */
export async function startRouter(supergraphSdl, options = {}) {
  const { port = 0, upstream = 'ws' } = options;
  /** @type {SubgraphExecution[]} */
  const executions = [];
  const gateway = createGatewayRuntime({
    supergraph: supergraphSdl,
    logging: false,
    landingPage: false,
    graphiql: false,
    maskedErrors: false,
    transports: { http: httpTransport, ws: wsTransport },
    ...(upstream === 'ws' && {
      transportEntries: { '*.http': { options: { subscriptions: { kind: 'ws' } } } },
    }),
    plugins: () => [
      {
        onSubgraphExecute({ subgraphName, executionRequest }) {
          executions.push({
            subgraph: subgraphName,
            operationType: executionRequest.operationType ?? 'query',
            query: print(executionRequest.document),
            variables: { ...executionRequest.variables },
          });
        },
      },
    ],
  });
  // Loads the supergraph now: graphql-ws operations do not go through the request hook that
  // would otherwise load it on the first HTTP request, and would meet a null schema.
  await gateway.getSchema();
  const server = createServer(gateway);
  const wss = new WebSocketServer({ server, path: gateway.graphqlEndpoint });
  const wsServer = useServer(
    getGraphQLWSOptions(gateway, (ctx) => ({ req: ctx.extra.request, socket: ctx.extra.socket })),
    wss,
  );
  await new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('router has no port');
  return {
    url: `http://127.0.0.1:${address.port}${gateway.graphqlEndpoint}`,
    executions,
    async close() {
      await wsServer.dispose();
      const closed = new Promise((resolve) => server.close(() => resolve(undefined)));
      server.closeAllConnections();
      await closed;
      // Closes the router's own upstream clients (graphql-ws sockets, HTTP agents).
      await gateway.dispose();
    },
  };
}
