import { createHmac, randomBytes } from 'node:crypto';

/**
 * Picks the credential for one request, per the runtime contract: the caller's own
 * `Authorization` (forwarded unchanged), else the service credential, else none.
 */
export function pickAuthorization(
  fromClient: string | null | undefined,
  service: string | undefined,
): string | undefined {
  if (fromClient && fromClient.trim() !== '') return fromClient;
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
