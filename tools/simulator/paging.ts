import { Buffer } from 'node:buffer';

/** A request the simulator refuses with 400 because of a query parameter. */
export class QueryError extends Error {}

/** A boolean query parameter (`true`/`false`, `1`/`0`); undefined when absent. */
export function boolParam(query: URLSearchParams, name: string): boolean | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  throw new QueryError(`${name} must be true or false`);
}

/** A page size: `fallback` when absent, at most `max`, and a whole number of at least 1. */
export function limitParam(query: URLSearchParams, fallback: number, max: number): number {
  const value = query.get('limit');
  if (value === null || value === '') return Math.min(fallback, max);
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new QueryError('limit must be a positive integer');
  }
  return Math.min(Number(value), max);
}

/** Where a page ends: the sort key and id of its last item. */
export interface Cursor {
  key: number;
  id: string;
}

/**
 * Opaque token for the page after `cursor`, bound to the `listing` it came from (a sort
 * order and filter), so a token is never read against a different order.
 */
function encodeToken(listing: string, cursor: Cursor): string {
  return Buffer.from(JSON.stringify([listing, cursor.key, cursor.id])).toString('base64url');
}

function decodeToken(listing: string, token: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 3 && parsed[0] === listing) {
      const [, key, id] = parsed as unknown[];
      if (typeof key === 'number' && typeof id === 'string') return { key, id };
    }
  } catch {
    // Fall through: any token we did not make is refused the same way.
  }
  throw new QueryError('invalid page_token');
}

/** One page of a listing, and the token of the next one when there is more. */
export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/**
 * A page of `items` (sorted by `order` over their cursors) after the one `token` ended with.
 * Keyset paging: an item added or moved while a client walks the pages shifts nothing else.
 */
export function paginate<T>(options: {
  items: readonly T[];
  cursorOf: (item: T) => Cursor;
  order: (a: Cursor, b: Cursor) => number;
  listing: string;
  token: string | null;
  limit: number;
}): Page<T> {
  const { items, cursorOf, order, listing, token, limit } = options;
  const after = token === null || token === '' ? undefined : decodeToken(listing, token);
  const from =
    after === undefined ? 0 : items.findIndex((item) => order(cursorOf(item), after) > 0);
  const rest = from < 0 ? [] : items.slice(from);
  const page = rest.slice(0, limit);
  const last = page.at(-1);
  if (rest.length <= limit || last === undefined) return { items: page };
  return { items: page, nextToken: encodeToken(listing, cursorOf(last)) };
}

/** Cursor order: by key, newest (largest) first, then by id, largest first. */
export function descending(a: Cursor, b: Cursor): number {
  return b.key - a.key || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** Cursor order: by key, oldest first, then by id. */
export function ascending(a: Cursor, b: Cursor): number {
  return -descending(a, b);
}
