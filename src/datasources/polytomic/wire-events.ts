import { z } from 'zod';
import { parseEnvelope, text, time } from './wire.js';

// Polytomic's event log and the many-sync status summary (docs/polytomic-events.md). Only what
// moves pollers is read: which sync, what happened, when. Like every upstream body, each field
// may be missing; an item without what it needs is dropped, not the whole answer.

/** A bulk sync event: a hint that `syncId` changed state, never data served to a client. */
export interface SyncEvent {
  id: string;
  type: string;
  syncId: string;
  /** `created_at` in ms since the epoch. */
  createdAt: number;
}

/** What a many-sync status summary says of one sync: enough to tell whether it changed. */
export interface SyncSummary {
  syncId: string;
  /** The status of its current (else last) execution, as sent. */
  status: string | null;
  /** The summary item as JSON: compared with the last one seen, never served. */
  fingerprint: string;
}

/** Event types that tell of a bulk sync's execution (`bulk_sync.running`, `.completed`, …). */
export const isBulkSyncEvent = (type: string) => type.startsWith('bulk_sync.');

const event = z.object({
  id: text,
  type: text,
  created_at: time,
  event: z.object({ sync_id: text }).passthrough().nullish(),
});
const eventsBody = z.object({ data: z.array(event.nullable()).nullish() });

/** `GET /api/events`: the bulk sync events, in the order sent. */
export function parseEventsBody(body: string): SyncEvent[] {
  const { data } = parseEnvelope(body, eventsBody, 'a list of events');
  const events: SyncEvent[] = [];
  for (const item of data ?? []) {
    const syncId = item?.event?.sync_id;
    const createdAt = Date.parse(item?.created_at ?? '');
    if (!item?.id || !item.type || !syncId || Number.isNaN(createdAt)) continue;
    if (isBulkSyncEvent(item.type))
      events.push({ id: item.id, type: item.type, syncId, createdAt });
  }
  return events;
}

const summary = z.object({ sync_id: text, status: text }).passthrough();
const summariesBody = z.object({ data: z.array(summary.nullable()).nullish() });

/** `GET /api/bulk/syncs/status?sync_id=…`: one fingerprint per sync it reports on. */
export function parseSummariesBody(body: string): SyncSummary[] {
  const { data } = parseEnvelope(body, summariesBody, 'bulk sync status summaries');
  return (data ?? []).flatMap((item) =>
    item?.sync_id
      ? [
          {
            syncId: item.sync_id.toLowerCase(),
            status: item.status ?? null,
            fingerprint: JSON.stringify(item),
          },
        ]
      : [],
  );
}
