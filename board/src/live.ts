// Keeps the rows current: lists every sync the key can see, then watches them all through
// `bulkSyncChanges` in chunks of at most MAX_IDS_PER_REQUEST ids. After each reconnect it lists
// again (syncs may have come or gone) and subscribes anew; rows show as live only once news
// arrived over the current connection.
import type { Client } from 'graphql-ws';
import type { BoardSyncsQuery } from './gql/graphql.js';
import { ListSyncs, WatchSyncs } from './operations.js';
import type { RowStore, Sync } from './rows.js';
import {
  type Answer,
  type Connection,
  firstError,
  GatewayError,
  liveClient,
  request,
} from './transport.js';

/** Answers that a retry would only repeat: the key itself was refused. */
const REFUSED = new Set(['UNAUTHENTICATED', 'FORBIDDEN']);

export interface LiveOptions {
  key: string | undefined;
  maxIds: number;
  store: RowStore;
  /** The connection's state and its epoch (one more after each connect). */
  onConnection: (state: Connection, epoch: number) => void;
  /** A listing or a subscription failed: what to show; null clears it. */
  onProblem: (error: GatewayError | null) => void;
  /** The first listing arrived (empty or not). */
  onListed: () => void;
}

/** Every sync the key can see, page by page. */
async function listAll(key: string | undefined): Promise<Sync[]> {
  const syncs: Sync[] = [];
  let after: string | null = null;
  do {
    const { allBulkSyncs }: BoardSyncsQuery = await request(ListSyncs, { after }, key);
    syncs.push(...allBulkSyncs.nodes);
    after = allBulkSyncs.pageInfo.hasNextPage ? (allBulkSyncs.pageInfo.endCursor ?? null) : null;
  } while (after);
  return syncs;
}

const chunks = <T>(items: T[], size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );

/** Starts the board's live view; the function returned stops it and closes the connection. */
export function startLive(options: LiveOptions): () => void {
  const { key, maxIds, store, onConnection, onProblem, onListed } = options;
  let epoch = 0;
  let stopped = false;
  let unsubscribes: (() => void)[] = [];

  const unwatch = () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
    unsubscribes = [];
  };

  const watch = (client: Client, ids: string[], at: number) => {
    for (const chunk of chunks(ids, maxIds)) {
      unsubscribes.push(
        client.subscribe<{ bulkSyncChanges: Sync }>(
          { query: WatchSyncs.toString(), variables: { ids: chunk } },
          {
            next: (answer) => {
              if (answer.data?.bulkSyncChanges) store.apply(answer.data.bulkSyncChanges, at);
              const error = firstError(answer as Answer<unknown>);
              if (error) onProblem(error);
            },
            error: (error) => {
              // A refusal of the whole subscription (GraphQL errors); a closed socket is the
              // connection's business, and its reconnect lists and subscribes again.
              if (Array.isArray(error)) onProblem(firstError({ errors: error }) ?? null);
            },
            // Completed only when every sync of the chunk ended (gone, or the key refused):
            // nothing to watch again until the next listing.
            complete: () => {},
          },
        ),
      );
    }
  };

  const refresh = async (client: Client, at: number) => {
    try {
      const syncs = await listAll(key);
      if (stopped || epoch !== at) return;
      store.list(syncs, at);
      onProblem(null);
      onListed();
      watch(
        client,
        syncs.map((sync) => sync.id),
        at,
      );
    } catch (error) {
      if (stopped || epoch !== at) return;
      onProblem(error instanceof GatewayError ? error : null);
      onListed();
      // Polytomic or the gateway failed for now: list again, as nothing else would while the
      // connection stays up. A refused key waits for the user to enter another.
      const refused = error instanceof GatewayError && REFUSED.has(error.code);
      if (!refused) setTimeout(() => !stopped && epoch === at && void refresh(client, at), 5000);
    }
  };

  const client = liveClient(key, (state) => {
    if (stopped) return;
    if (state === 'live') {
      epoch += 1;
      onConnection(state, epoch);
      void refresh(client, epoch);
    } else {
      // A listing still on its way belongs to the connection that just closed: its epoch ends.
      epoch += 1;
      unwatch();
      onConnection(state, epoch);
    }
  });

  return () => {
    stopped = true;
    unwatch();
    void client.dispose();
  };
}
