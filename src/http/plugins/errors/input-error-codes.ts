import { type ExecutionResult, GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { ErrorCode } from '../../../errors.js';

/**
 * Gives every syntax, validation and variable error (unknown fields, GraphQL Armor's limits, a
 * missing or mistyped variable) the contract's BAD_USER_INPUT code, so a client can branch on
 * `extensions.code` for every failure, as it can for the resolvers' own errors. It wraps the
 * parse and validate functions rather than reading their results, because some rejections
 * (Armor's) are thrown, not returned; it must come after the plugins whose parse functions or
 * rules it is to cover. Variables are coerced when execution starts: a result without `data`
 * is one where execution never began (GraphQL spec, "Response"), so its errors are the input's.
 */
export function useInputErrorCodes(): Plugin {
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parseFn(source, options);
        } catch (error) {
          throw error instanceof GraphQLError ? withCode(error) : error;
        }
      });
    },
    onExecute: () => ({ onExecuteDone: ({ result, setResult }) => setResult(coded(result)) }),
    onSubscribe: () => ({
      onSubscribeResult: ({ result, setResult }) => setResult(coded(result)),
    }),
    onValidate({ validateFn, setValidationFn }) {
      setValidationFn((...args) => {
        try {
          return validateFn(...args).map((e: Error) =>
            e instanceof GraphQLError ? withCode(e) : e,
          );
        } catch (error) {
          if (error instanceof GraphQLError) return [withCode(error)];
          throw error;
        }
      });
    },
  };
}

/** A result whose execution never began, with its codeless errors given BAD_USER_INPUT. */
function coded<T>(result: T): T {
  if (isAsyncIterable(result) || !result || typeof result !== 'object') return result;
  const { data, errors } = result as ExecutionResult;
  if (data !== undefined || !errors?.length) return result;
  return { ...result, errors: errors.map(withCode) };
}

function withCode(error: GraphQLError): GraphQLError {
  // graphql-jit's variable errors carry only message and locations (no extensions object).
  if (error.extensions?.['code']) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    extensions: { ...error.extensions, code: ErrorCode.BAD_USER_INPUT },
  });
}
