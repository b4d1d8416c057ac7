import { ApolloClient, HttpLink } from '@apollo/client';
import { createCache } from './apollo-cache.js';

/** Everything over HTTP: subscriptions too, in Apollo's multipart protocol (HttpLink's default). */
export function createApolloHttpClient({ url, token }: { url: string; token: string }) {
  return new ApolloClient({
    link: new HttpLink({ uri: url, headers: { authorization: `Bearer ${token}` } }),
    cache: createCache(),
  });
}
