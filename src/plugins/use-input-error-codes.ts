import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../schema/errors.js';

/**
 * Gives every syntax and validation error (unknown fields, bad variables, GraphQL Armor's limits)
 * the contract's BAD_USER_INPUT code, so a client can branch on `extensions.code` for every
 * failure, as it can for the resolvers' own errors. It wraps the parse and validate functions
 * rather than reading their results, because some rejections (Armor's) are thrown, not returned;
 * it must come after the plugins whose parse functions or rules it is to cover.
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

function withCode(error: GraphQLError): GraphQLError {
  if (error.extensions['code']) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    extensions: { ...error.extensions, code: ErrorCode.BAD_USER_INPUT },
  });
}
