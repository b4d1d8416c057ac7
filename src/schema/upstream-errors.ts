import type { GraphQLError } from 'graphql';
import { PolytomicError, UpstreamHttpError } from '../datasources/polytomic/errors.js';
import { clientError, ErrorCode } from '../errors.js';

/** What a failed call was about, for its message: "bulk sync <id>" and "status request". */
export interface Subject {
  /** @default `bulk sync ${id}` */
  what?: string;
  /** @default 'status request' */
  request?: string;
}

/**
 * Maps a datasource failure for `id` to the contract's codes. Anything that is not an upstream
 * failure is rethrown untouched, for yoga to mask and log as the bug it is.
 */
export function toClientError(error: unknown, id: string, subject: Subject = {}): GraphQLError {
  if (!(error instanceof PolytomicError)) throw error;
  const { what = `bulk sync ${id}`, request = 'status request' } = subject;
  if (error instanceof UpstreamHttpError) {
    switch (error.statusCode) {
      case 401:
        return clientError(ErrorCode.UNAUTHENTICATED, 'Polytomic rejected the credential.');
      case 403:
        return clientError(ErrorCode.FORBIDDEN, `The credential may not read ${what}.`);
      case 404:
        return clientError(ErrorCode.NOT_FOUND, `${capitalized(what)} was not found.`);
      case 429: {
        const retryAfter =
          error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs };
        return clientError(
          ErrorCode.RATE_LIMITED,
          'Polytomic is rate limiting this credential; try again later.',
          retryAfter,
        );
      }
    }
    // Any other 4xx but 408 (400, 409, 422…) is Polytomic refusing this request: asking again
    // will not help, so the message does not say to. The contract has no code of its own for it.
    if (error.statusCode >= 400 && error.statusCode < 500 && !error.retryable) {
      return clientError(
        ErrorCode.UPSTREAM_UNAVAILABLE,
        `Polytomic refused the ${request} for ${what} (HTTP ${error.statusCode}).`,
      );
    }
  }
  return clientError(
    ErrorCode.UPSTREAM_UNAVAILABLE,
    'Polytomic is unavailable right now; try again later.',
  );
}

/**
 * Maps the failure of an action (start, cancel, pause/resume) on sync `id`: a 409 is CONFLICT and
 * a 400 or 422 BAD_USER_INPUT, each with Polytomic's own message (written for the user, and the
 * only upstream text a client ever sees); everything else as for reads.
 */
export function toActionError(error: unknown, id: string): GraphQLError {
  if (error instanceof UpstreamHttpError) {
    const said = error.upstreamMessage;
    if (error.statusCode === 409) {
      return clientError(
        ErrorCode.CONFLICT,
        said ?? `Bulk sync ${id} is busy: an execution is already running.`,
      );
    }
    if (error.statusCode === 400 || error.statusCode === 422) {
      return clientError(
        ErrorCode.BAD_USER_INPUT,
        said ?? `Polytomic refused the request for bulk sync ${id} (HTTP ${error.statusCode}).`,
      );
    }
  }
  if (error instanceof UpstreamHttpError && error.statusCode === 403) {
    return clientError(ErrorCode.FORBIDDEN, `The credential may not act on bulk sync ${id}.`);
  }
  return toClientError(error, id, { request: 'request' });
}

const capitalized = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
