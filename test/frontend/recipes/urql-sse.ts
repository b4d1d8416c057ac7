import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient, type RequestParams, type Sink } from 'graphql-sse';

/** Queries and mutations over HTTP POST, subscriptions over SSE on the same /graphql. */
export function createUrqlSseClient(options: { url: string; token: string }) {
  const headers = { authorization: `Bearer ${options.token}` };
  // graphql-sse's default "distinct connections mode" (one request per subscription), which
  // yoga serves on /graphql; the single connection mode is not served.
  const sse = createClient({ url: options.url, headers });
  return new Client({
    url: options.url,
    fetchOptions: { headers },
    preferGetMethod: false,
    exchanges: [
      cacheExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            // (The casts are for TypeScript's exactOptionalPropertyTypes only.)
            unsubscribe: sse.subscribe(
              { ...request, query: request.query ?? '' } as RequestParams,
              sink as Sink,
            ),
          }),
        }),
      }),
      fetchExchange,
    ],
  });
}
