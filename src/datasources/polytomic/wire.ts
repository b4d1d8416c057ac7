import { z } from 'zod';
import { UpstreamBodyError } from './errors.js';
import type { Execution, IngestionStatus, SchemaRun, SyncStatus } from './types.js';

// Polytomic marks no response field as required and its SDKs keep enums open, so every leaf
// accepts missing and null. A leaf of the wrong JSON type is still a malformed body.
const text = z
  .string()
  .nullish()
  .transform((v) => v ?? null);
const flag = z
  .boolean()
  .nullish()
  .transform((v) => v ?? null);
/**
 * int64 on the wire: a JSON number, or a digit string from encoders that quote 64-bit ints.
 * zod's `int()` takes safe integers only, so a count beyond 2^53-1 (which SafeInt cannot send
 * exactly) makes the body malformed rather than being rounded.
 */
const count = z
  .union([
    z.number().int(),
    z
      .string()
      .regex(/^-?\d+$/)
      .transform(Number)
      .pipe(z.number().int()),
  ])
  .nullish()
  .transform((v) => v ?? null);
const time = z
  .string()
  .nullish()
  .transform((v) => (v == null ? null : toUtc(v)));

const schemaRun = z
  .object({
    schema: text,
    output_name: text,
    status: text,
    status_message: text,
    record_count: count,
    error_count: count,
    warning_count: count,
    created_at: time,
    started_at: time,
    completed_at: time,
    updated_at: time,
  })
  .transform(
    (w): SchemaRun => ({
      schema: w.schema ?? '',
      outputName: w.output_name,
      status: w.status ?? '',
      statusMessage: w.status_message,
      recordCount: w.record_count,
      errorCount: w.error_count,
      warningCount: w.warning_count,
      createdAt: w.created_at,
      startedAt: w.started_at,
      completedAt: w.completed_at,
      updatedAt: w.updated_at,
    }),
  );

const execution = z
  .object({
    id: text,
    status: text,
    status_message: text,
    type: text,
    fetch_mode: text,
    output_disposition: text,
    is_partial: flag,
    is_resync: flag,
    is_test: flag,
    record_count: count,
    error_count: count,
    warning_count: count,
    created_at: time,
    started_at: time,
    completed_at: time,
    updated_at: time,
    schemas: z.array(schemaRun).nullish(),
  })
  .transform(
    (w): Execution => ({
      id: w.id ?? '',
      status: w.status ?? '',
      statusMessage: w.status_message,
      type: w.type,
      fetchMode: w.fetch_mode,
      outputDisposition: w.output_disposition,
      isPartial: w.is_partial,
      isResync: w.is_resync,
      isTest: w.is_test,
      recordCount: w.record_count,
      errorCount: w.error_count,
      warningCount: w.warning_count,
      createdAt: w.created_at,
      startedAt: w.started_at,
      completedAt: w.completed_at,
      updatedAt: w.updated_at,
      schemas: w.schemas ?? [],
    }),
  );

const ingestion = z
  .object({
    enabled: flag,
    is_running: flag,
    status: text,
    status_message: text,
    highwater_mark: text,
    position: text,
    position_time: time,
    updated_at: time,
  })
  .transform(
    (w): IngestionStatus => ({
      enabled: w.enabled ?? false,
      isRunning: w.is_running ?? false,
      status: w.status ?? '',
      statusMessage: w.status_message,
      highwaterMark: w.highwater_mark,
      position: w.position,
      positionTime: w.position_time,
      updatedAt: w.updated_at,
    }),
  );

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

/** Parses and validates a status body once, at the edge; throws {@link UpstreamBodyError}. */
export function parseStatusBody(body: string): SyncStatus {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new UpstreamBodyError('not JSON');
  }
  const parsed = envelope.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new UpstreamBodyError(first ? `at ${first.path.join('.') || 'top level'}` : 'invalid');
  }
  const data = parsed.data.data;
  return {
    currentExecution: data?.current_execution ?? null,
    lastExecution: data?.last_execution ?? null,
    ingestionStatus: data?.ingestion_status ?? null,
    nextExecutionTime: data?.next_execution_time ?? null,
  };
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A UTC timestamp is passed through exactly as Polytomic wrote it (its precision kept); an offset
 * one is converted to UTC; one that is not RFC 3339, or names a day or time that does not exist
 * (Date would roll 2024-02-30 over to March 1st), becomes null rather than failing the body.
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
  const iso = new Date(value.replace(' ', 'T')).toISOString();
  return fraction ? iso : iso.replace('.000Z', 'Z');
}
