import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

/** Where Polytomic posts its webhook (the runtime contract). */
export const WEBHOOK_PATH = '/webhooks/polytomic';
/** A Polytomic event is well under 4 KB; anything much larger is not one. */
export const WEBHOOK_MAX_BYTES = 64 * 1024;
/** Posts accepted per second, on average, and at once. */
export const WEBHOOK_RATE_PER_SECOND = 20;
export const WEBHOOK_BURST = 40;

/** How a post was answered, for `gateway_webhooks_total`. */
export type WebhookResult =
  | 'accepted'
  | 'ignored'
  | 'unsigned'
  | 'bad_signature'
  | 'rate_limited'
  | 'too_large';

export interface WebhookOptions {
  /** POLYTOMIC_WEBHOOK_SECRET. */
  secret: string;
  /** A verified bulk sync event: poll that sync soon. */
  hint: (syncId: string) => void;
  onResult?: (result: WebhookResult) => void;
  /** @default Date.now */
  now?: () => number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `POST /webhooks/polytomic`: Polytomic's webhook, verified, as a hint to poll a sync now. Never
 * data served to a client: a forged post can at most cause a poll, which the pollers' own
 * spacing and the rate limit here bound. Checked in order of cost: the rate, the size, the
 * signature, then the body. Answered 202 fast, whatever the event (a non-2xx makes Polytomic
 * send it again).
 *
 * Polytomic does not document the signature's algorithm or encoding (docs/polytomic-events.md
 * §1.4, §4): `Polytomic-Signature` is taken as the HMAC-SHA256 of the raw body with the secret,
 * in hex or in base64, an optional `sha256=` prefix allowed, compared in constant time.
 */
export function useWebhooks(options: WebhookOptions): Plugin {
  const { secret, hint, onResult } = options;
  const take = tokenBucket(WEBHOOK_RATE_PER_SECOND, WEBHOOK_BURST, options.now ?? Date.now);
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== WEBHOOK_PATH) return;
      const answer = (status: number, result?: WebhookResult, headers?: HeadersInit) => {
        if (result) onResult?.(result);
        endResponse(new fetchAPI.Response(null, { status, ...(headers && { headers }) }));
      };
      if (request.method !== 'POST') return answer(405, undefined, { allow: 'POST' });
      if (!take()) return answer(429, 'rate_limited', { 'retry-after': '1' });
      const declared = Number(request.headers.get('content-length') ?? 0);
      if (declared > WEBHOOK_MAX_BYTES) return answer(413, 'too_large');
      const signature = request.headers.get('polytomic-signature');
      if (!signature) return answer(401, 'unsigned');
      const body = await readCapped(request, WEBHOOK_MAX_BYTES);
      if (!body) return answer(413, 'too_large');
      if (!signedBy(secret, body, signature)) return answer(401, 'bad_signature');
      const syncId = bulkSyncOf(body);
      if (syncId) hint(syncId.toLowerCase());
      return answer(202, syncId ? 'accepted' : 'ignored');
    },
  };
}

/** Whether `signature` is the HMAC-SHA256 of `body` with `secret`, in hex or base64. */
export function signedBy(secret: string, body: Uint8Array, signature: string): boolean {
  const expected = createHmac('sha256', secret).update(body).digest();
  const value = signature.trim().replace(/^sha256=/i, '');
  const given = /^[0-9a-f]{64}$/i.test(value)
    ? Buffer.from(value, 'hex')
    : /^[A-Za-z0-9+/]{43}=?$/.test(value)
      ? Buffer.from(value, 'base64')
      : undefined;
  return (
    given !== undefined && given.length === expected.length && timingSafeEqual(given, expected)
  );
}

/** The sync of a bulk sync event, if the body is one. */
function bulkSyncOf(body: Uint8Array): string | undefined {
  try {
    const event = JSON.parse(Buffer.from(body).toString('utf8')) as {
      type?: unknown;
      event?: { sync_id?: unknown };
    };
    const syncId = event.event?.sync_id;
    const bulk = typeof event.type === 'string' && event.type.startsWith('bulk_sync.');
    return bulk && typeof syncId === 'string' && UUID.test(syncId) ? syncId : undefined;
  } catch {
    return undefined;
  }
}

/** The whole body, or undefined once it passes `max` bytes (without reading the rest). */
async function readCapped(request: Request, max: number): Promise<Uint8Array | undefined> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * A token bucket: `rate` a second, `burst` at once. By hand: one in-process bucket for one
 * endpoint, a dozen lines, where the rate-limit libraries bring stores and keys it would not use.
 */
function tokenBucket(rate: number, burst: number, now: () => number): () => boolean {
  let tokens = burst;
  let at = now();
  return () => {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - at) / 1000) * rate);
    at = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}
