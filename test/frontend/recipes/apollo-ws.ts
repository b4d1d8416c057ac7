import { ApolloClient, ApolloLink, HttpLink } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';
import { createCache } from './apollo-cache.js';

export interface GatewayOptions {
  /** The gateway's GraphQL endpoint, e.g. http://localhost:4000/graphql */
  url: string;
  /** The user's own Polytomic key: queries see what it sees, and mutations need it. */
  token: string;
  /** Browsers have WebSocket; Node 20 needs the `ws` package's. */
  webSocketImpl?: unknown;
}

/** Queries and mutations over HTTP, subscriptions over WebSocket (graphql-transport-ws). */
export function createApolloClient({ url, token, webSocketImpl }: GatewayOptions) {
  const authorization = `Bearer ${token}`;
  const http = new HttpLink({ uri: url, headers: { authorization } });
  const ws = new GraphQLWsLink(
    createClient({
      url: url.replace(/^http/, 'ws'),
      // A browser can't set headers on a WebSocket: the key goes in connection_init.
      connectionParams: { authorization },
      webSocketImpl,
    }),
  );
  return new ApolloClient({
    link: ApolloLink.split(
      (operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION,
      ws,
      http,
    ),
    cache: createCache(),
  });
}
