import { createHmac, randomBytes } from 'node:crypto';

// What an HTTP field value may hold (RFC 9110; the check of node:http and undici alike).
const NOT_IN_HEADER = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * Picks the credential for one request, per the runtime contract: the caller's own
 * `Authorization` (forwarded unchanged), else the service credential, else none. A caller's
 * credential no header can carry (a line break or non-Latin-1 character, possible over WebSocket)
 * is none, and never falls back to the service credential: undici would refuse it before any
 * call, as a local error the breaker would take for Polytomic failing.
 */
export function pickAuthorization(
  fromClient: string | null | undefined,
  service: string | undefined,
): string | undefined {
  if (fromClient && fromClient.trim() !== '') {
    return NOT_IN_HEADER.test(fromClient) ? undefined : fromClient;
  }
  return service;
}

/** Maps a credential to the opaque key under which its shared state (cache, calls, pollers) lives. */
export type CredentialHasher = (authorization: string) => string;

/**
 * HMAC rather than a plain hash: without the secret, a leaked key list cannot be matched
 * against guessed API keys. The secret is per process unless given (replicas sharing Redis
 * must share it).
 */
export function createCredentialHasher(
  secret: Buffer | string = randomBytes(32),
): CredentialHasher {
  const memo = new Map<string, string>();
  return (authorization) => {
    let key = memo.get(authorization);
    if (key === undefined) {
      key = createHmac('sha256', secret).update(authorization).digest('base64url');
      // Bounded: a burst of distinct keys must not grow memory; recomputing is cheap.
      if (memo.size >= 1000) memo.clear();
      memo.set(authorization, key);
    }
    return key;
  };
}
