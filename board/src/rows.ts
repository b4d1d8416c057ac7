// The board's state: one row per sync, replaced whole by whatever brings news of it (the
// listing, a live event, an action's answer). Live events are applied in batches, one per
// animation frame, so 200 syncs changing at once cost one render, not 200.
import type { BoardSyncFragment } from './gql/graphql.js';

export type Sync = BoardSyncFragment;

/** A row: the sync as last seen, and whether that view is live. */
export interface Row {
  sync: Sync;
  /** The connection epoch of its last live event: the row is live only in the current one. */
  epoch: number;
}

export type Rows = ReadonlyMap<string, Row>;

/** Status words of a row for the ARIA live region: "Orders: running". */
export type Announce = (text: string) => void;

export interface RowStore {
  rows(): Rows;
  /** Replaces every row by the listing (order kept), keeping nothing of syncs no longer listed. */
  list(syncs: Sync[], epoch: number): void;
  /** Queues one live event (or an action's answer); applied at the next frame. */
  apply(sync: Sync, epoch: number): void;
  subscribe(listener: (rows: Rows) => void): () => void;
  /** Told by the view once it has rendered the rows: ends the `board:apply` measure. */
  rendered(): void;
}

const statusOf = (sync: Sync) =>
  (sync.status?.currentExecution ?? sync.status?.lastExecution)?.status;

export function createRowStore(announce: Announce, frame = requestAnimationFrame): RowStore {
  let rows: Map<string, Row> = new Map();
  let queued = new Map<string, Row>();
  let scheduled = false;
  let measuring = false;
  const listeners = new Set<(rows: Rows) => void>();
  const emit = () => {
    for (const listener of listeners) listener(rows);
  };

  const flush = () => {
    scheduled = false;
    if (queued.size === 0) return;
    performance.mark('board:apply:start');
    const next = new Map(rows);
    for (const [id, row] of queued) {
      const before = rows.get(id);
      if (!before) continue; // not on the board (yet): the next listing brings it
      const was = statusOf(before.sync);
      const now = statusOf(row.sync);
      if (was !== now && now) announce(`${row.sync.name ?? id}: ${now.toLowerCase()}`);
      next.set(id, row);
    }
    queued = new Map();
    rows = next;
    measuring = true;
    emit();
  };

  return {
    rows: () => rows,
    list(syncs, epoch) {
      rows = new Map(syncs.map((sync) => [sync.id, { sync, epoch }]));
      emit();
    },
    apply(sync, epoch) {
      queued.set(sync.id, { sync, epoch });
      if (!scheduled) {
        scheduled = true;
        frame(flush);
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    rendered() {
      if (!measuring) return;
      measuring = false;
      // From the batch's first line to the DOM holding it: what `npm run bench` reports.
      performance.measure('board:apply', 'board:apply:start');
    },
  };
}
