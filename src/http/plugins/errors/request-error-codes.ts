import type { GraphQLError } from 'graphql';
import { createGraphQLError, isAsyncIterable, type Plugin } from 'graphql-yoga';
import { ErrorCode } from '../../../errors.js';

/**
 * yoga refuses a request that is no GraphQL request (a body that is not JSON, a batch, no query,
 * a mutation over GET, another method, a body over the limit, a browser's request without a CSRF
 * header) with its own codes, BAD_REQUEST, REQUEST_ENTITY_TOO_LARGE or none, which are not the
 * contract's, and echoes the JSON parser's error as `originalError`. Those errors keep their HTTP
 * status and get BAD_USER_INPUT. yoga also parses the `variables` and `extensions` of a GET (or a
 * form POST) without catching a JSON error, which would be a 500 with a stack in the logs: that
 * is a 400 BAD_USER_INPUT too, and a body of a content type yoga reads none of (its bare 415)
 * gets an error saying what to send.
 */
export function useRequestErrorCodes(): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      // No parser for this content type: yoga would answer an empty 415, with nothing to say why.
      if (!requestParser) return setRequestParser(unsupportedMediaType);
      // A JSON body's own parse error is yoga's already (a GraphQLError, mapped below); a GET
      // may carry a JSON content type too, and its parameters are parsed all the same.
      if (request.method === 'POST' && request.headers.get('content-type')?.includes('json')) {
        return;
      }
      setRequestParser((parsing) => {
        try {
          const params = requestParser(parsing);
          return params instanceof Promise ? params.catch(asParameterError) : params;
        } catch (error) {
          return asParameterError(error);
        }
      });
    },
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || isAsyncIterable(result) || !result.errors?.length) return;
      if (!result.errors.some(isRequestRefusal)) return;
      setResult({ ...result, errors: result.errors.map(asInputError) });
    },
  };
}

function unsupportedMediaType(): never {
  throw createGraphQLError(
    'Unsupported Content-Type: POST application/json, application/graphql or a form, or use GET.',
    { extensions: { http: { status: 415 }, code: ErrorCode.BAD_USER_INPUT } },
  );
}

function asParameterError(error: unknown): never {
  if (!(error instanceof SyntaxError)) throw error;
  throw createGraphQLError('A request parameter (variables or extensions) is not valid JSON.', {
    extensions: { http: { status: 400 }, code: ErrorCode.BAD_USER_INPUT },
  });
}

// yoga's codes for a request it refuses, and no code at all (its CSRF check's 403).
const REFUSAL_CODES = new Set<unknown>([
  'BAD_REQUEST',
  'REQUEST_ENTITY_TOO_LARGE',
  'OPERATION_RESOLUTION_FAILURE',
  undefined,
]);

/** A 4xx refusal of the HTTP request itself (no path: it is no field's error). */
function isRequestRefusal(error: GraphQLError): boolean {
  if (error.path) return false;
  const status = (error.extensions?.['http'] as { status?: number } | undefined)?.status ?? 0;
  return status >= 400 && status < 500 && REFUSAL_CODES.has(error.extensions?.['code']);
}

function asInputError(error: GraphQLError): GraphQLError {
  if (!isRequestRefusal(error)) return error;
  const { originalError, ...rest } = error.extensions as { originalError?: unknown };
  const extensions: Record<string, unknown> = { ...rest, code: ErrorCode.BAD_USER_INPUT };
  // yoga answers a body that is no JSON with 400 even to `Accept: application/json` (where the
  // other request errors get 200) and tells the cases apart by this echo: it stays for that
  // rule, but not enumerable, so it is not sent.
  if (originalError !== undefined) {
    Object.defineProperty(extensions, 'originalError', { value: originalError, enumerable: false });
  }
  return createGraphQLError(error.message, { extensions });
}
