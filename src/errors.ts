import type { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';

/**
 * The `extensions.code` values of the public contract, the only ones clients branch on. Shared by
 * the schema (field errors) and transport (refused requests and operations) alike.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  RATE_LIMITED: 'RATE_LIMITED',
  /** v2, mutations: Polytomic answered 409 (an execution is already running, or the same key is in flight). */
  CONFLICT: 'CONFLICT',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A client-facing error: yoga's masking lets these through as they are. */
export function clientError(
  code: ErrorCode,
  message: string,
  extra: Record<string, unknown> = {},
): GraphQLError {
  return createGraphQLError(message, { extensions: { code, ...extra } });
}

export function unauthenticated(): GraphQLError {
  return clientError(
    ErrorCode.UNAUTHENTICATED,
    'No usable credential: send an Authorization header of printable characters, or configure a service credential.',
  );
}
