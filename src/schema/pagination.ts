import type { ObjectRef, SchemaTypes } from '@pothos/core';
import { z } from 'zod';
import { clientError, ErrorCode } from '../errors.js';
import { builder } from './builder.js';

type Types =
  typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;

/** Relay page information, built by the connection fields. */
export interface PageInfoShape {
  hasNextPage: boolean;
  endCursor: string | null;
}

export const PageInfoRef = builder.objectRef<PageInfoShape>('PageInfo').implement({
  description: 'v2. Relay page information; cursors are opaque.',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage', {
      nullable: false,
      description: 'Whether asking again with `after: endCursor` gives more.',
    }),
    endCursor: t.exposeString('endCursor', {
      description: 'The cursor of the last edge; null when the page is empty.',
    }),
  }),
});

/** The most items one page may ask for: Polytomic's own page cap. */
export const MAX_PAGE_SIZE = 100;

/** `first` as given, refused (no upstream call) outside 1…100. */
export function pageSize(first: number | null | undefined, fallback: number): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw clientError(
      ErrorCode.BAD_USER_INPUT,
      `first must be between 1 and ${MAX_PAGE_SIZE}; got ${size}.`,
    );
  }
  return size;
}

/**
 * Opaque cursors: base64url JSON of a position that only this gateway reads. Each listing
 * declares its position's shape; a cursor of another listing (or another filter) is refused
 * with BAD_USER_INPUT, as a malformed one is.
 */
export function cursors<S extends z.ZodType>(kind: string, position: S) {
  const shape = z.object({ k: z.literal(kind), p: position });
  return {
    encode: (value: z.output<S>): string =>
      Buffer.from(JSON.stringify({ k: kind, p: value })).toString('base64url'),
    decode(cursor: string | null | undefined): z.output<S> | undefined {
      if (cursor === null || cursor === undefined) return undefined;
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        json = undefined;
      }
      const parsed = shape.safeParse(json);
      if (!parsed.success) {
        throw clientError(ErrorCode.BAD_USER_INPUT, 'after is not a cursor of this listing.');
      }
      return (parsed.data as { p: z.output<S> }).p;
    },
  };
}

/** One page of a Relay connection, as its field resolves it. */
export interface RelayPage<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfoShape;
}

/**
 * A Relay connection type `<name>Connection` with its `<name>Edge`: `edges` (a cursor per node),
 * `nodes` and `pageInfo`. `nodeExtensions` go on both ways to a node (its demand costs).
 */
export function relayConnection<T>(
  name: string,
  node: ObjectRef<Types, T>,
  text: { connection: string; edge: string; node: string },
  nodeExtensions: Record<string, unknown> = {},
) {
  const edge = builder.objectRef<RelayPage<T>['edges'][number]>(`${name}Edge`).implement({
    description: text.edge,
    fields: (t) => ({
      cursor: t.exposeString('cursor', { nullable: false, description: 'Opaque.' }),
      node: t.field({
        type: node,
        nullable: false,
        description: text.node,
        extensions: nodeExtensions,
        // Pothos cannot relate a generic T to its own resolver result type; it is the same T.
        resolve: (parent) => parent.node as never,
      }),
    }),
  });
  return builder.objectRef<RelayPage<T>>(`${name}Connection`).implement({
    description: text.connection,
    fields: (t) => ({
      edges: t.field({
        type: [edge],
        nullable: false,
        description: 'The page, with the cursor just after each node.',
        resolve: (page) => page.edges,
      }),
      nodes: t.field({
        type: [node],
        nullable: false,
        description: 'The page, without cursors.',
        extensions: nodeExtensions,
        resolve: (page) => page.edges.map((e) => e.node),
      }),
      pageInfo: t.field({
        type: PageInfoRef,
        nullable: false,
        description: 'Whether there is more, and where to go on from.',
        resolve: (page) => page.pageInfo,
      }),
    }),
  });
}
