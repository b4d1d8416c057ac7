import { NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Refuses introspection in every operation, over HTTP and WebSocket alike. yoga's
 * useDisableIntrospection adds its rule only for requests it saw parsed over HTTP, so operations
 * over graphql-ws kept introspection; and when validation results are cached by document, every
 * transport must validate with the same rules. Federation's `_service { sdl }` is no
 * introspection, so routers keep working.
 */
export function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}
