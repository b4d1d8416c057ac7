import type { ExecutionResult, FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { maskError } from 'graphql-yoga';

/** yoga's message for an error it masks (`maskedErrors: { isDev: false }`). */
const MASKED = 'Unexpected error.';

/**
 * Errors as JSON, without the hints yoga's HTTP layer reads and strips from its own responses
 * (`extensions.http`: a status and headers; `unexpected`): over WebSocket nothing strips them.
 */
export function formatErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
  return errors.map((error) => {
    const formatted = error.toJSON();
    if (!formatted.extensions) return formatted;
    const { http: _http, unexpected: _unexpected, ...extensions } = formatted.extensions;
    if (Object.keys(extensions).length > 0) return { ...formatted, extensions };
    const { extensions: _all, ...rest } = formatted;
    return rest;
  });
}

/**
 * A result as a client is sent it: errors masked as yoga masks them (an error that is not a
 * client-safe GraphQLError becomes "Unexpected error."), then without yoga's internal
 * extensions. What a group writes straight to WebSocket members, past the per-operation
 * pipeline that would otherwise do this for each of them.
 */
export function wireResult(result: ExecutionResult): FormattedExecutionResult {
  const { errors, extensions, ...rest } = result;
  const formatted: FormattedExecutionResult = { ...rest };
  if (errors?.length) {
    const masked = errors.map((error) => maskError(error, MASKED, false));
    formatted.errors = formatErrors(
      masked.map((error) =>
        error instanceof GraphQLError ? error : new GraphQLError(MASKED, { originalError: error }),
      ),
    );
  }
  if (extensions) {
    const { http: _http, ...kept } = extensions;
    if (Object.keys(kept).length > 0) formatted.extensions = kept;
  }
  return formatted;
}
