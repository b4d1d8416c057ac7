import type { Visibility } from './auth.js';
import { authenticate } from './dispatch.js';
import { apiErrorReply, type Reply } from './http-util.js';
import { MUTATING_ROUTES, type Route, routeKind, routeSyncId } from './routes.js';

/** What Polytomic accepts as an `Idempotency-Key`. */
const KEY_FORMAT = /^[A-Za-z0-9_-]{8,255}$/;

/** How long a key's outcome is kept, on the simulator clock (Polytomic: at least 24 h). */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/** Whether a header value is a well-formed key. */
export function isIdempotencyKey(value: string): boolean {
  return KEY_FORMAT.test(value);
}

interface Entry {
  /** Method and path of the first request: a key is good for one endpoint. */
  fingerprint: string;
  at: number;
  /** Undefined while the first request is still being answered. */
  reply?: Reply;
}

/** What to do with a request that carries a key. */
export type Claim =
  /** First use: answer it, then `settle` with the reply (or `release` if it never got one). */
  | { kind: 'new'; settle(reply: Reply): void; release(): void }
  /** The key was used before: send its first outcome again. */
  | { kind: 'replay'; reply: Reply }
  /** The first request with this key has not been answered yet. */
  | { kind: 'busy' }
  /** The key was used on another endpoint. */
  | { kind: 'mismatch' };

/**
 * Outcomes of keyed requests, per credential: a replay gets the first outcome, a duplicate
 * that arrives while the first is being answered gets a conflict. Bounded: past `limit` keys
 * the oldest answered ones go first.
 */
export class IdempotencyStore {
  readonly #entries = new Map<string, Entry>();
  readonly #limit: number;
  readonly #now: () => number;

  constructor(limit: number, now: () => number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new Error(`idempotencyKeyLimit must be a positive integer, got ${limit}`);
    }
    this.#limit = limit;
    this.#now = now;
  }

  /** Looks a key up for `credential`, reserving it on first use. */
  claim(credential: string, key: string, fingerprint: string): Claim {
    const id = `${credential}\n${key}`;
    const now = this.#now();
    const known = this.#entries.get(id);
    if (known !== undefined && (known.reply === undefined || now - known.at < IDEMPOTENCY_TTL_MS)) {
      if (known.fingerprint !== fingerprint) return { kind: 'mismatch' };
      return known.reply === undefined ? { kind: 'busy' } : { kind: 'replay', reply: known.reply };
    }
    const entry: Entry = { fingerprint, at: now };
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    this.#trim();
    return {
      kind: 'new',
      settle: (reply) => {
        entry.reply = reply;
        entry.at = this.#now();
      },
      release: () => {
        if (this.#entries.get(id) === entry) this.#entries.delete(id);
      },
    };
  }

  #trim(): void {
    if (this.#entries.size <= this.#limit) return;
    for (const [id, entry] of this.#entries) {
      if (entry.reply !== undefined) this.#entries.delete(id);
      if (this.#entries.size <= this.#limit) return;
    }
  }
}

/** What a keyed POST gets before (or instead of) its answer. */
export type KeyCheck = { reply: Reply } | { claim: Extract<Claim, { kind: 'new' }> } | undefined;

/**
 * The Idempotency-Key layer of the three POSTs, in front of everything else (faults too): a bad
 * key is a 400, a replay gets the first outcome, a duplicate in flight a 409, a key reused on
 * another endpoint a 422. Keys are per credential; without a known credential the request goes
 * on to its 401 and nothing is kept. Undefined when the request carries no key to honour.
 */
export function checkIdempotencyKey(
  store: IdempotencyStore,
  credentials: ReadonlyMap<string, Visibility>,
  route: Route,
  headers: Record<string, string | undefined>,
): KeyCheck {
  const key = headers['idempotency-key'];
  const kind = routeKind(route);
  if (key === undefined || kind === undefined || !MUTATING_ROUTES.has(kind)) return undefined;
  const who = authenticate(credentials, headers['authorization']);
  if (who === undefined) return undefined;
  if (!isIdempotencyKey(key)) {
    const message = 'Idempotency-Key must be 8 to 255 letters, digits, _ or -';
    return { reply: apiErrorReply(400, message, 'invalid_idempotency_key') };
  }
  const claim = store.claim(who.credential, key, `${kind} ${routeSyncId(route)}`);
  switch (claim.kind) {
    case 'new':
      return { claim };
    case 'replay': {
      const headers = { ...claim.reply.headers, 'idempotent-replayed': 'true' };
      return { reply: { ...claim.reply, headers } };
    }
    case 'busy': {
      const message = 'a request with this Idempotency-Key is still being processed';
      return { reply: apiErrorReply(409, message, 'idempotency_key_in_use') };
    }
    case 'mismatch': {
      const message = 'this Idempotency-Key was already used for a different request';
      return { reply: apiErrorReply(422, message, 'idempotency_key_reused') };
    }
  }
}
