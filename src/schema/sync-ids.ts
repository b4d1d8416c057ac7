import { clientError, ErrorCode } from '../errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Rejects a whole id list before any upstream call: empty, too long, or with a malformed id.
 * Bad input never costs an upstream call.
 */
export function checkIds(ids: readonly string[], max: number): void {
  if (ids.length === 0) throw clientError(ErrorCode.BAD_USER_INPUT, 'ids must not be empty.');
  if (ids.length > max) {
    throw clientError(
      ErrorCode.BAD_USER_INPUT,
      `ids may hold at most ${max} ids; got ${ids.length}.`,
    );
  }
  for (const id of ids) checkId(id);
}

/** Whether `id` has the form of a bulk sync id (a UUID). */
export function isSyncId(id: string): boolean {
  return UUID.test(id);
}

/** Rejects an id that is no UUID (bulk syncs, connections and executions all have UUIDs). */
export function checkId(id: unknown, noun = 'bulk sync'): asserts id is string {
  // An `_entities` representation is whatever JSON the router sent: its id may be no string.
  if (typeof id !== 'string') {
    throw clientError(
      ErrorCode.BAD_USER_INPUT,
      `${article(noun, true)} id must be a string (a UUID).`,
    );
  }
  if (!isSyncId(id)) {
    throw clientError(
      ErrorCode.BAD_USER_INPUT,
      `"${id.slice(0, 64)}" is not ${article(noun)} id (a UUID).`,
      {
        argumentValue: id.slice(0, 64),
      },
    );
  }
}

/** How many different ids a list argument holds (repeats are fetched once). */
export function distinct(ids: unknown): number {
  if (!Array.isArray(ids)) return 1;
  return new Set(ids.map((id) => String(id).toLowerCase())).size;
}

/** "a bulk sync", "an execution". */
const article = (noun: string, capital = false) =>
  `${capital ? 'A' : 'a'}${/^[aeiou]/.test(noun) ? 'n' : ''} ${noun}`;
