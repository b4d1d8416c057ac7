// Keeps the rows current: lists every sync the key can see, then watches them all through
// `bulkSyncChanges` in chunks of at most MAX_IDS_PER_REQUEST ids. After each reconnect it lists
// again (syncs may have come or gone) and subscribes anew; rows show as live only once news
// arrived over the current connection.
import type { Client } from 'graphql-ws';
import type { BoardSyncsQuery } from './gql/graphql.js';
import { ListSyncs, WatchSyncs } from './operations.js';
import type { RowStore, Sync } from './rows.js';
import { type Connection, GatewayError, liveClient, request } from './transport.js';

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
      const subscribe = () =>
        client.subscribe<{ bulkSyncChanges: Sync }>(
          { query: WatchSyncs.toString(), variables: { ids: chunk } },
          {
            next: ({ data, errors }) => {
              if (data?.bulkSyncChanges) store.apply(data.bulkSyncChanges, at);
              const error = errors?.[0];
              if (error) {
                onProblem(new GatewayError(error.message, String(error.extensions?.['code'])));
              }
            },
            error: (error) => {
              if (Array.isArray(error)) {
                const first = error[0] as { message: string; extensions?: { code?: string } };
                onProblem(new GatewayError(first.message, first.extensions?.code ?? 'UNKNOWN'));
              }
            },
            // The gateway completes subscriptions when it shuts down; if the socket outlives
            // that, or the server ended it for another reason, watch again a moment later.
            complete: () => {
              setTimeout(() => {
                if (!stopped && epoch === at) unsubscribes.push(subscribe());
              }, 1000);
            },
          },
        );
      unsubscribes.push(subscribe());
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
    }
  };

  const client = liveClient(key, (state) => {
    if (stopped) return;
    if (state === 'live') {
      epoch += 1;
      onConnection(state, epoch);
      void refresh(client, epoch);
    } else {
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
