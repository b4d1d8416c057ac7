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

  /** "Orders: running" for each row whose status changed; spoken together, once. */
  const changes = (before: Rows, after: Iterable<Row>) => {
    const said: string[] = [];
    for (const { sync } of after) {
      const was = before.get(sync.id);
      const now = statusOf(sync);
      if (was && now && statusOf(was.sync) !== now) {
        said.push(`${sync.name ?? sync.id}: ${now.toLowerCase()}`);
      }
    }
    if (said.length > 0) announce(said.join('. '));
  };

  const flush = () => {
    scheduled = false;
    if (queued.size === 0) return;
    performance.mark('board:apply:start');
    const next = new Map(rows);
    // A sync not on the board (yet) waits for the next listing.
    const known = [...queued.values()].filter((row) => rows.has(row.sync.id));
    for (const row of known) next.set(row.sync.id, row);
    changes(rows, known);
    queued = new Map();
    rows = next;
    measuring = true;
    emit();
  };

  return {
    rows: () => rows,
    list(syncs, epoch) {
      const before = rows;
      rows = new Map(syncs.map((sync) => [sync.id, { sync, epoch }]));
      changes(before, rows.values());
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
      // From the batch's first line to the DOM holding it: what `npm run bench` reports (its
      // PerformanceObserver gets each entry). Cleared at once: a board left open on a wall
      // would otherwise keep two entries per batch for ever.
      performance.measure('board:apply', 'board:apply:start');
      performance.clearMarks('board:apply:start');
      performance.clearMeasures('board:apply');
    },
  };
}
