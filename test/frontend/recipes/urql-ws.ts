import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient, type Sink } from 'graphql-ws';

/** Queries and mutations over HTTP POST, subscriptions over WebSocket (graphql-transport-ws). */
export function createUrqlClient(options: { url: string; token: string; webSocketImpl?: unknown }) {
  const authorization = `Bearer ${options.token}`;
  const ws = createClient({
    url: options.url.replace(/^http/, 'ws'),
    connectionParams: { authorization },
    // Browsers have WebSocket; Node 20 needs the `ws` package's.
    webSocketImpl: options.webSocketImpl,
  });
  return new Client({
    url: options.url,
    fetchOptions: { headers: { authorization } },
    // urql sends queries as GET by default; from a browser page the gateway's CSRF check
    // refuses a GET without a CSRF header. POST needs none.
    preferGetMethod: false,
    exchanges: [
      cacheExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            // (The cast is for TypeScript's exactOptionalPropertyTypes only.)
            unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink as Sink),
          }),
        }),
      }),
      fetchExchange,
    ],
  });
}
