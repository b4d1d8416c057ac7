import type { Context } from '../context.js';
import { PolytomicError } from '../datasources/polytomic/errors.js';
import type {
  BulkSyncRecord,
  DataConnectionRecord,
  Snapshot,
} from '../datasources/polytomic/types.js';
import { unauthenticated } from '../errors.js';
import { checkId } from './sync-ids.js';
import { type Subject, toClientError } from './upstream-errors.js';

/**
 * A sync as the schema sees it: its id, and what is already known of it. The v1 root fields,
 * entity references and subscription events load its status first (a sync Polytomic does not
 * know is null with NOT_FOUND); a listing brings its record; anything missing is loaded when a
 * field asks for it.
 */
export interface BulkSyncShape {
  id: string;
  snapshot?: Snapshot;
  record?: BulkSyncRecord;
  /**
   * The record being loaded for this shape, once a field asked: its other own fields (up to
   * eleven) share it rather than each looking it up in the store. A shape is made per operation
   * and per event, so this never outlives what it was loaded for.
   */
  recordLoad?: Promise<BulkSyncRecord>;
}

/** Loads one sync's status through the operation's loader; every failure leaves with a contract code. */
export async function loadSync(context: Context, id: unknown): Promise<BulkSyncShape> {
  if (!context.statuses) throw unauthenticated();
  checkId(id);
  return { id, snapshot: await loaded(context, id, () => context.statuses?.load(id)) };
}

/**
 * One entry of a list (`bulkSyncs`, `_entities`): the sync, or its error as a value. graphql-jit
 * appends the null of a *rejected* list item instead of writing it at the item's index, so a
 * list whose failing entry settles first would come back short (and a router would drop the
 * whole `_entities` answer); an Error value is placed at its index by graphql-js and graphql-jit
 * alike.
 */
export function asEntry<T>(loading: Promise<T>): Promise<T> {
  return loading.catch(
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))) as never,
  );
}

/** The status of a sync: the one it came with, else loaded now. */
export function statusOf(sync: BulkSyncShape, context: Context): Promise<Snapshot> | Snapshot {
  if (sync.snapshot) return sync.snapshot;
  if (!context.statuses) throw unauthenticated();
  return loaded(context, sync.id, () => context.statuses?.load(sync.id));
}

/**
 * A sync's own record: the one it came with, else the catalogue store's (kept for
 * CATALOG_TTL_MS, one call in flight shared by every asker).
 */
export function recordOf(sync: BulkSyncShape, context: Context): Promise<BulkSyncRecord> {
  if (sync.record) return Promise.resolve(sync.record);
  if (!context.catalogue) throw unauthenticated();
  sync.recordLoad ??= loaded(context, sync.id, () => context.catalogue?.sync(sync.id), {
    request: 'request',
  });
  return sync.recordLoad;
}

/** A connection's record, from the catalogue store (as a sync's record). */
export function connectionOf(id: string, context: Context): Promise<DataConnectionRecord> {
  if (!context.catalogue) throw unauthenticated();
  return loaded(context, id, () => context.catalogue?.connection(id), {
    what: `connection ${id}`,
    request: 'request',
  });
}

// Several fields of one object share one failed call (a sync's eleven own fields): its warning
// is logged once per failure.
const logged = new WeakSet<object>();

/** `load()`'s answer, or its failure said in the contract's codes (and logged once). */
async function loaded<T>(
  context: Context,
  id: string,
  load: () => Promise<T> | undefined,
  subject?: Subject,
): Promise<T> {
  try {
    return (await load()) as T;
  } catch (error) {
    if (error instanceof PolytomicError && !logged.has(error)) {
      logged.add(error);
      const sync = subject?.what === undefined;
      context
        .log()
        .warn(
          { [sync ? 'syncId' : 'connectionId']: id, cause: error.code, reason: error.message },
          sync ? 'bulk sync unreadable' : 'connection unreadable',
        );
    }
    throw toClientError(error, id, subject);
  }
}
