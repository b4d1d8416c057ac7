import { z } from 'zod';
import type { Context } from '../context.js';
import type { Execution } from '../datasources/polytomic/types.js';
import { clientError, ErrorCode, unauthenticated } from '../errors.js';
import { builder } from './builder.js';
import { BulkSyncRef, type BulkSyncShape } from './bulk-sync.js';
import { cost } from './costs.js';
import { ExecutionRef } from './execution.js';
import { cursors, MAX_PAGE_SIZE, pageSize, type RelayPage, relayConnection } from './pagination.js';
import { checkId } from './sync-ids.js';
import { toClientError } from './upstream-errors.js';

type Edge = RelayPage<Execution>['edges'][number];

const ExecutionConnectionRef = relayConnection('Execution', ExecutionRef, {
  connection: "v2. A page of a sync's executions.",
  edge: 'v2. One execution of a history, with the cursor just after it.',
  node: 'The execution.',
});

/**
 * The position after an execution: Polytomic's page token of the page it was on (null for the
 * first) and how many of that page come before the position. Polytomic pages by token only, so
 * a page is asked again with its token and the items before the position dropped.
 */
const historyCursor = cursors(
  'executions',
  z.object({
    token: z.string().nullable(),
    skip: z.number().int().min(0).max(MAX_PAGE_SIZE),
    onlyTerminal: z.boolean(),
  }),
);

/** `first` executions of `sync` from the cursor `after`, following Polytomic's page tokens. */
async function historyPage(
  sync: BulkSyncShape,
  args: {
    first: number | null | undefined;
    after: string | null | undefined;
    onlyTerminal: boolean;
  },
  context: Context,
): Promise<RelayPage<Execution>> {
  const size = pageSize(args.first, 20);
  const onlyTerminal = args.onlyTerminal;
  const from = historyCursor.decode(args.after);
  if (from && from.onlyTerminal !== onlyTerminal) {
    throw clientError(ErrorCode.BAD_USER_INPUT, 'after is a cursor of another filter.');
  }
  const { catalogue } = context;
  if (!catalogue) throw unauthenticated();
  const edges: Edge[] = [];
  let token = from?.token ?? null;
  let skip = from?.skip ?? 0;
  let hasNextPage = false;
  // As many calls as the field declares (its cost): one, or two for a page resumed from a
  // cursor, which may start deep in one of Polytomic's pages and need the next. A short page
  // ends the page early; hasNextPage and the cursor go on from there.
  const maxCalls = from ? 2 : 1;
  for (let calls = 0; edges.length < size && calls < maxCalls; calls++) {
    const wanted = size - edges.length;
    const page = await catalogue
      .history({
        syncId: sync.id,
        limit: Math.min(MAX_PAGE_SIZE, skip + wanted),
        pageToken: token ?? undefined,
        onlyTerminal,
      })
      .catch((error: unknown) => {
        throw toClientError(error, sync.id, { request: 'history request' });
      });
    const rest = page.items.slice(skip);
    const taken = rest.slice(0, wanted);
    taken.forEach((node, offset) => {
      const position = { token, skip: skip + offset + 1, onlyTerminal };
      edges.push({ cursor: historyCursor.encode(position), node });
    });
    if (rest.length > taken.length) {
      hasNextPage = true;
      break;
    }
    if (!page.nextPageToken || page.items.length === 0) break;
    // This page is used up: the position after its last item is the start of the next one.
    token = page.nextPageToken;
    skip = 0;
    const last = edges.at(-1);
    if (last) last.cursor = historyCursor.encode({ token, skip, onlyTerminal });
    hasNextPage = true;
  }
  // A page left empty by short upstream pages still says where to go on from.
  const here = hasNextPage ? historyCursor.encode({ token, skip, onlyTerminal }) : null;
  return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? here } };
}

builder.objectFields(BulkSyncRef, (t) => ({
  executions: t.field({
    type: ExecutionConnectionRef,
    description:
      'v2. Past and current executions, newest first (Relay connection). onlyTerminal: finished runs only.',
    args: {
      first: t.arg.int({ defaultValue: 20, description: 'Page size, 1 to 100.' }),
      after: t.arg.string({ description: 'The endCursor of the previous page.' }),
      onlyTerminal: t.arg.boolean({
        defaultValue: false,
        description: 'Finished runs only (ordered by when they last changed).',
      }),
    },
    // A page resumed from a cursor deep in a page may take a second call.
    extensions: cost({ calls: ({ after }) => (after ? 2 : 1) }),
    resolve: (sync, { first, after, onlyTerminal }, context) =>
      historyPage(sync, { first, after, onlyTerminal: onlyTerminal ?? false }, context),
  }),
  execution: t.field({
    type: ExecutionRef,
    description:
      'v2. One execution of this sync by id, with its per-schema runs; null with NOT_FOUND when unknown.',
    args: { id: t.arg.id({ required: true, description: 'The execution id (a UUID).' }) },
    extensions: cost({ calls: 1 }),
    resolve: async (sync, { id }, context) => {
      checkId(id, 'execution');
      if (!context.catalogue) throw unauthenticated();
      return context.catalogue.execution(sync.id, id).catch((error: unknown) => {
        throw toClientError(error, id, {
          what: `execution ${id} of bulk sync ${sync.id}`,
          request: 'request',
        });
      });
    },
  }),
}));
