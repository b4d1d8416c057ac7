import { createHash } from 'node:crypto';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../../../errors.js';

/** Why an operation is refused under PERSISTED_OPERATIONS_FILE, over HTTP and WebSocket alike. */
const REFUSALS = {
  onlyPersisted: 'Only persisted operations are allowed.',
  noHash: 'Send the persisted operation as extensions.persistedQuery.sha256Hash.',
  notListed: 'This operation is not in the persisted-operations allow-list.',
};

const refusal = (message: string) => ({
  message,
  extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
});

/** Over HTTP: only the operations of the allow-list run (yoga's plugin, in our words). */
export function usePersistedOperationsOnly(operations: Map<string, string>): Plugin {
  return usePersistedOperations({
    getPersistedOperation: (hash) => operations.get(hash) ?? null,
    allowArbitraryOperations: false,
    customErrors: {
      persistedQueryOnly: refusal(REFUSALS.onlyPersisted),
      keyNotFound: refusal(REFUSALS.noHash),
      notFound: refusal(REFUSALS.notListed),
    },
  });
}

/**
 * Over WebSocket: the allow-listed document a subscribe message names
 * (`extensions.persistedQuery.sha256Hash`), or why it is refused, in the words of the HTTP
 * refusals. graphql-ws requires a `query` string: empty, or the listed document itself (Apollo's
 * GraphQLWsLink always sends it); a document of the client's own is refused, as over HTTP.
 */
export function persistedQuery(
  operations: Map<string, string>,
  payload: { query: string; extensions?: Record<string, unknown> | null | undefined },
): { query: string } | { refused: string } {
  const persistedQuery = payload.extensions?.['persistedQuery'] as
    | { sha256Hash?: unknown }
    | undefined;
  const hash = persistedQuery?.sha256Hash;
  const own = payload.query !== '' && createHash('sha256').update(payload.query).digest('hex');
  if (own && own !== hash) return { refused: REFUSALS.onlyPersisted };
  if (typeof hash !== 'string') return { refused: REFUSALS.noHash };
  const query = operations.get(hash);
  return query === undefined ? { refused: REFUSALS.notListed } : { query };
}
