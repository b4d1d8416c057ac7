import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../schema/errors.js';

/**
 * Gives every syntax and validation error (unknown fields, bad variables, GraphQL Armor's limits)
 * the contract's BAD_USER_INPUT code, so a client can branch on `extensions.code` for every
 * failure, as it can for the resolvers' own errors.
 */
export function useInputErrorCodes(): Plugin {
  return {
    onParse() {
      return ({ result, replaceParseResult }) => {
        if (result instanceof GraphQLError) replaceParseResult(withCode(result));
      };
    },
    onValidate() {
      return ({ result, setResult }) => {
        if (result.length) {
          setResult(result.map((e) => (e instanceof GraphQLError ? withCode(e) : e)));
        }
      };
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
