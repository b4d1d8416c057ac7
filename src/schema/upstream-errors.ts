import type { GraphQLError } from 'graphql';
import { PolytomicError, UpstreamHttpError } from '../datasources/polytomic/errors.js';
import { clientError, ErrorCode } from '../errors.js';

/**
 * Maps a datasource failure for sync `id` to the contract's codes. Anything that is not an
 * upstream failure is rethrown untouched, for yoga to mask and log as the bug it is.
 */
export function toClientError(error: unknown, id: string): GraphQLError {
  if (!(error instanceof PolytomicError)) throw error;
  if (error instanceof UpstreamHttpError) {
    switch (error.statusCode) {
      case 401:
        return clientError(ErrorCode.UNAUTHENTICATED, 'Polytomic rejected the credential.');
      case 403:
        return clientError(ErrorCode.FORBIDDEN, `The credential may not read bulk sync ${id}.`);
      case 404:
        return clientError(ErrorCode.NOT_FOUND, `Bulk sync ${id} was not found.`);
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
        `Polytomic refused the status request for bulk sync ${id} (HTTP ${error.statusCode}).`,
      );
    }
  }
  return clientError(
    ErrorCode.UPSTREAM_UNAVAILABLE,
    'Polytomic is unavailable right now; try again later.',
  );
}
