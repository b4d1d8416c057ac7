// The board's two ways to the gateway: fetch for queries and mutations, one graphql-ws
// connection for the live subscription. Both go to this page's own origin only, with the key the
// user typed (kept in sessionStorage), or none: the gateway then reads with its service key.
import { type Client, createClient } from 'graphql-ws';
import type { TypedDocumentString } from './gql/graphql.js';

/** What the gateway said went wrong: its words and the contract's `extensions.code`. */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The gateway could not be reached at all. */
export const UNREACHABLE = 'UNREACHABLE';

export interface Answer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** The first of a result's GraphQL errors, in the board's terms. */
export const firstError = (answer: Answer<unknown>) => {
  const error = answer.errors?.[0];
  return error && new GatewayError(error.message, error.extensions?.code ?? 'UNKNOWN');
};

/** One query or mutation over HTTP; rejects with a GatewayError (UNREACHABLE when offline). */
export async function request<T, V>(
  document: TypedDocumentString<T, V>,
  variables: V,
  key: string | undefined,
): Promise<T> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
  };
  if (key) headers['authorization'] = `Bearer ${key}`;
  let answer: Answer<T>;
  try {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: document.toString(), variables }),
    });
    answer = (await response.json()) as Answer<T>;
  } catch {
    throw new GatewayError('The gateway cannot be reached.', UNREACHABLE);
  }
  const error = firstError(answer);
  if (error) throw error;
  if (!answer.data) throw new GatewayError('The gateway sent no data.', 'UNKNOWN');
  return answer.data;
}

/** How the live connection is doing, for the indicator. */
export type Connection = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** Failed attempts in a row after which "reconnecting" reads "offline" (retries go on). */
const OFFLINE_AFTER = 4;

/**
 * The graphql-ws client of one key. It retries for ever, with backoff capped at 5 s; graphql-ws
 * resends the open subscriptions after each reconnect.
 */
export function liveClient(key: string | undefined, onState: (state: Connection) => void): Client {
  // Failed attempts in a row; the close of a connection that was up is not one.
  let failures = 0;
  let up = false;
  let connectedOnce = false;
  const url = new URL('/graphql', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return createClient({
    url: url.href,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: (retries) =>
      new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** retries))),
    onNonLazyError: () => {},
    on: {
      connected: () => {
        failures = 0;
        up = true;
        connectedOnce = true;
        onState('live');
      },
      closed: () => {
        if (up) up = false;
        else failures += 1;
        if (!navigator.onLine || failures >= OFFLINE_AFTER) onState('offline');
        else onState(connectedOnce ? 'reconnecting' : 'connecting');
      },
    },
  });
}
