import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { UpstreamBodyError } from './errors.js';
import {
  type Count,
  type Execution,
  type IngestionStatus,
  type SchemaRun,
  type SyncStatus,
  type Timestamp,
  UNSERVABLE,
} from './types.js';

// Polytomic marks no response field as required and its SDKs keep enums open, so every leaf
// accepts missing and null. A leaf of the wrong JSON type is still a malformed body.
//
// zod only checks the wire shape here; folding to null, camelCase and UTC happen in one plain
// mapping per object afterwards: a `.transform()` on every leaf is far slower, and this parse
// sits on every query's critical path.
export const text = z.string().nullish();
export const flag = z.boolean().nullish();
/**
 * int64 on the wire: a JSON number, or a digit string from encoders that quote 64-bit ints. Any
 * number is taken (z.number() would refuse the Infinity that one too big for a double parses to):
 * a count SafeInt cannot carry fails its own field only (toCount), not the sync's whole status.
 */
const count = z
  .union([
    z.custom<number>((value) => typeof value === 'number'),
    z
      .string()
      .regex(/^-?\d+$/)
      .transform(Number),
  ])
  .nullish();
export const time = z.string().nullish();

/** Counts and timestamps, shared by an execution and each of its schema runs. */
const progress = {
  record_count: count,
  error_count: count,
  warning_count: count,
  created_at: time,
  started_at: time,
  completed_at: time,
  updated_at: time,
};

const schemaRun = z.object({
  schema: text,
  output_name: text,
  status: text,
  status_message: text,
  ...progress,
});

export const execution = z.object({
  id: text,
  status: text,
  status_message: text,
  type: text,
  fetch_mode: text,
  output_disposition: text,
  is_partial: flag,
  is_resync: flag,
  is_test: flag,
  ...progress,
  schemas: z.array(schemaRun).nullish(),
});

const ingestion = z.object({
  enabled: flag,
  is_running: flag,
  status: text,
  status_message: text,
  highwater_mark: text,
  position: text,
  position_time: time,
  updated_at: time,
});

const envelope = z.object({
  data: z
    .object({
      current_execution: execution.nullish(),
      last_execution: execution.nullish(),
      ingestion_status: ingestion.nullish(),
      next_execution_time: time,
    })
    .nullish(),
});

export type Wire<T extends z.ZodType> = NonNullable<z.output<T>>;

// A sync's timestamps repeat from one fetch to the next (created_at, started_at…), and a status
// holds ~30 of them: remembering recent conversions skips most of the RFC 3339 checks. Only
// strings as long as a timestamp can sensibly be are remembered, so the memory stays bounded.
const MAX_REMEMBERED_LENGTH = 40;
const recentUtc = new LRUCache<string, { utc: Timestamp }>({ max: 10_000 });

/** A wire timestamp as the DTO keeps it: UTC, null when absent, UNSERVABLE when unreadable. */
export function utc(value: string | null | undefined): Timestamp {
  if (value == null) return null;
  if (value.length > MAX_REMEMBERED_LENGTH) return toUtc(value) ?? UNSERVABLE;
  let known = recentUtc.get(value);
  if (!known) {
    known = { utc: toUtc(value) ?? UNSERVABLE };
    recentUtc.set(value, known);
  }
  return known.utc;
}

function toCount(value: number | null | undefined): Count {
  if (value == null) return null;
  return Number.isSafeInteger(value) ? value : UNSERVABLE;
}

const toProgress = (w: Wire<z.ZodObject<typeof progress>>) => ({
  recordCount: toCount(w.record_count),
  errorCount: toCount(w.error_count),
  warningCount: toCount(w.warning_count),
  createdAt: utc(w.created_at),
  startedAt: utc(w.started_at),
  completedAt: utc(w.completed_at),
  updatedAt: utc(w.updated_at),
});

const toSchemaRun = (w: Wire<typeof schemaRun>): SchemaRun => ({
  schema: w.schema ?? '',
  outputName: w.output_name ?? null,
  status: w.status ?? '',
  statusMessage: w.status_message ?? null,
  ...toProgress(w),
});

export const toExecution = (w: Wire<typeof execution> | null | undefined): Execution | null =>
  w == null
    ? null
    : {
        id: w.id ?? null,
        status: w.status ?? '',
        statusMessage: w.status_message ?? null,
        type: w.type ?? null,
        fetchMode: w.fetch_mode ?? null,
        outputDisposition: w.output_disposition ?? null,
        isPartial: w.is_partial ?? null,
        isResync: w.is_resync ?? null,
        isTest: w.is_test ?? null,
        ...toProgress(w),
        schemas: w.schemas ? w.schemas.map(toSchemaRun) : [],
      };

const toIngestion = (w: Wire<typeof ingestion> | null | undefined): IngestionStatus | null =>
  w == null
    ? null
    : {
        enabled: w.enabled ?? null,
        isRunning: w.is_running ?? null,
        status: w.status ?? '',
        statusMessage: w.status_message ?? null,
        highwaterMark: w.highwater_mark ?? null,
        position: w.position ?? null,
        positionTime: utc(w.position_time),
        updatedAt: utc(w.updated_at),
      };

// Polytomic answers an idle sync with the same bytes call after call, and a running one with
// the same bytes between progress updates: the last body of each sync is kept with its status,
// and equal bytes next time give the same status, unparsed (no JSON parse, zod check or
// mapping). One entry per sync rather than an LRU of bodies: a sync whose body
// changes on every call replaces its entry at once, so its old statuses die young instead of
// filling the old generation for the garbage collector. Bounded in syncs and in body text.
const lastBodies = new LRUCache<string, { body: string; status: SyncStatus }>({
  max: 10_000,
  maxSize: 8 * 1024 * 1024,
  sizeCalculation: ({ body }) => Math.max(1, body.length),
});
const MAX_REMEMBERED_BODY = 64 * 1024;

/**
 * Parses and validates a status body once, at the edge, into the typed DTO; throws
 * {@link UpstreamBodyError}. With `syncId`, a body equal to that sync's last one is not parsed
 * again. The result is deeply frozen, whatever its size: it may be shared between requests and
 * credentials (equal bytes, equal data), so nothing may change it.
 */
export function parseStatusBody(body: string, syncId?: string): SyncStatus {
  const last = syncId === undefined ? undefined : lastBodies.get(syncId);
  if (last?.body === body) return last.status;
  const status = deepFreeze(parseFresh(body));
  if (syncId !== undefined && body.length <= MAX_REMEMBERED_BODY) {
    lastBodies.set(syncId, { body, status });
  }
  return status;
}

// The keys of Polytomic's error bodies (ApiError; RestErrResponse on 401; a bare `error`).
const ERROR_KEYS = ['status', 'message', 'key', 'metadata', 'code', 'context', 'error'];

/**
 * `data` is optional, so `{}` is a sync with nothing to report; but a 200 whose body is an
 * error body instead would read as "nothing running, nothing scheduled", which is worse than
 * saying Polytomic failed.
 */
function isErrorBody(json: unknown): boolean {
  return typeof json === 'object' && json !== null && ERROR_KEYS.some((key) => key in json);
}

/**
 * Parses a JSON body against the shape of its envelope; throws {@link UpstreamBodyError}, which
 * names where the body went wrong but never quotes it. An envelope without `data` that is an
 * error body instead (sent with a 2xx) is refused too.
 */
export function parseEnvelope<S extends z.ZodType<{ data?: unknown }>>(
  body: string,
  shape: S,
  expected?: string,
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new UpstreamBodyError('not JSON', expected);
  }
  const parsed = shape.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? `at ${first.path.join('.') || 'top level'}` : 'invalid';
    throw new UpstreamBodyError(where, expected);
  }
  if (parsed.data.data == null && isErrorBody(json)) {
    throw new UpstreamBodyError('an error body', expected);
  }
  return parsed.data;
}

function parseFresh(body: string): SyncStatus {
  const data = parseEnvelope(body, envelope).data;
  return {
    currentExecution: toExecution(data?.current_execution),
    lastExecution: toExecution(data?.last_execution),
    ingestionStatus: toIngestion(data?.ingestion_status),
    nextExecutionTime: utc(data?.next_execution_time),
  };
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A UTC timestamp is passed through exactly as Polytomic wrote it (its precision kept); an offset
 * one is converted to UTC, precision kept too; one that is not RFC 3339, names a day or time that
 * does not exist (Date would roll 2024-02-30 over to March 1st), or whose UTC falls outside the
 * years 0000-9999 is null here, and fails its own field rather than the body (UNSERVABLE).
 */
export function toUtc(value: string): string | null {
  const match = RFC3339.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi, sec, fraction, zone] = match as unknown as string[];
  const year = Number(y);
  const month = Number(mo);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (days === undefined || Number(d) < 1 || Number(d) > days) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return null;
  if (zone === 'Z' || zone === 'z') return `${value.slice(0, 10)}T${value.slice(11, -1)}Z`;
  if (Number(zone?.slice(1, 3)) > 23 || Number(zone?.slice(4, 6)) > 59) return null;
  // Offsets are whole minutes: the fraction is carried over as written, not cut to milliseconds.
  const iso = new Date(`${value.slice(0, 10)}T${value.slice(11, 19)}${zone}`).toISOString();
  // Shifted past 9999 or before 0000, it has no RFC 3339 form in UTC (Date writes ±YYYYYY).
  if (iso.length !== 24) return null;
  return `${iso.slice(0, 19)}${fraction ?? ''}Z`;
}
