import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import type { Context } from '../context.js';
import { clientError, ErrorCode } from '../errors.js';
import { cost } from './costs.js';
import { distinct } from './sync-ids.js';

/** The entity types of this subgraph, which `_entities` resolves. */
const ENTITIES = new Set(['BulkSync', 'DataConnection']);

/**
 * `_entities` takes any JSON as a representation. @apollo/subgraph's resolver throws for the
 * whole list on one that names no entity type of this subgraph (or is no object), which yoga
 * then masks as an internal error and logs with its stack. Such a representation is the
 * caller's input error: BAD_USER_INPUT at its index, as an invalid id is, and the others resolve.
 * The list is capped as `bulkSyncs(ids:)` is, by MAX_IDS_PER_REQUEST, and its demand is that of
 * its distinct representations: each may cost an upstream call.
 */
export function guardEntities(subgraph: GraphQLSchema): GraphQLSchema {
  const field = subgraph.getQueryType()?.getFields()['_entities'];
  const resolve = field?.resolve;
  if (!field || !resolve) throw new Error('the subgraph has no _entities resolver');
  const guarded: GraphQLFieldResolver<unknown, unknown> = (root, args, context, info) => {
    const representations = args['representations'] as unknown[];
    const { maxIdsPerRequest } = context as Context;
    if (representations.length > maxIdsPerRequest) {
      throw clientError(
        ErrorCode.BAD_USER_INPUT,
        `representations may hold at most ${maxIdsPerRequest}; got ${representations.length}.`,
      );
    }
    const ours = representations.map(isEntityRepresentation);
    if (ours.every(Boolean)) return resolve(root, args, context, info);
    const kept = representations.filter((_, i) => ours[i]);
    const resolved = resolve(root, { ...args, representations: kept }, context, info) as unknown[];
    let next = 0;
    return ours.map((isOurs) => (isOurs ? resolved[next++] : notAnEntity()));
  };
  field.resolve = guarded;
  // A BulkSync arrives with its status, a DataConnection with its record.
  field.extensions = {
    ...field.extensions,
    ...cost({
      calls: ({ representations }) =>
        distinct(Array.isArray(representations) ? representations.map(keyOf) : []),
      items: ({ representations }) => (Array.isArray(representations) ? representations.length : 1),
      provides: ['status', 'connection'],
    }),
  };
  return subgraph;
}

function isEntityRepresentation(representation: unknown): boolean {
  return (
    typeof representation === 'object' &&
    representation !== null &&
    ENTITIES.has(String((representation as { __typename?: unknown }).__typename))
  );
}

const keyOf = (representation: unknown) => {
  const { __typename, id } = (representation ?? {}) as { __typename?: unknown; id?: unknown };
  return `${String(__typename)}:${String(id)}`;
};

const notAnEntity = () =>
  clientError(
    ErrorCode.BAD_USER_INPUT,
    'A representation must be an object with "__typename": "BulkSync" (or "DataConnection") and an "id".',
  );
