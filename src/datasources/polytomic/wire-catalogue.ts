import { z } from 'zod';
import { UpstreamBodyError } from './errors.js';
import type {
  ActivateAnswer,
  Actor,
  BulkSyncRecord,
  CancelAnswer,
  DataConnectionRecord,
  Execution,
  Page,
  Schedule,
} from './types.js';
import {
  deepFreeze,
  execution,
  flag,
  parseEnvelope,
  text,
  time,
  toExecution,
  utc,
  type Wire,
} from './wire.js';

// The sync itself, its listing, its history, connections and the answers to the three actions.
// As for the status: every leaf may be missing or null, enums stay open strings, and only the
// fields the gateway serves are read. zod drops every other key, so a sync's
// source/destination configuration and a connection's configuration, which may hold secrets,
// never reach a DTO.

/** Schedule time parts are strings on the wire; a number from an older encoder is read as one. */
const timePart = z.union([z.string(), z.number().transform(String)]).nullish();

const actor = z.object({ id: text, name: text, type: text }).nullish();

const schedule = z
  .object({
    frequency: text,
    minute: timePart,
    hour: timePart,
    day_of_week: timePart,
    day_of_month: timePart,
    month: timePart,
  })
  .nullish();

const bulkSync = z.object({
  id: text,
  name: text,
  active: flag,
  mode: text,
  source_connection_id: text,
  destination_connection_id: text,
  // 2025-09-18 and later; API versions before it send `schedule` instead.
  default_schedule: schedule,
  schedule,
  created_at: time,
  updated_at: time,
  created_by: actor,
  updated_by: actor,
});

const pagination = z.object({ next_page_token: text }).nullish();

const connection = z.object({
  id: text,
  name: text,
  status: text,
  status_error: text,
  type: z.object({ id: text, name: text, logo_url: text }).nullish(),
});

const toActor = (w: z.output<typeof actor>): Actor | null =>
  w == null ? null : { id: w.id ?? null, name: w.name ?? null, type: w.type ?? null };

const toSchedule = (w: z.output<typeof schedule>): Schedule | null =>
  w == null
    ? null
    : {
        frequency: w.frequency ?? '',
        minute: w.minute ?? null,
        hour: w.hour ?? null,
        dayOfWeek: w.day_of_week ?? null,
        dayOfMonth: w.day_of_month ?? null,
        month: w.month ?? null,
      };

const toBulkSync = (w: Wire<typeof bulkSync>, id: string): BulkSyncRecord => ({
  id,
  name: w.name ?? null,
  active: w.active ?? null,
  mode: w.mode ?? null,
  sourceConnectionId: w.source_connection_id ?? null,
  destinationConnectionId: w.destination_connection_id ?? null,
  schedule: toSchedule(w.default_schedule ?? w.schedule),
  createdAt: utc(w.created_at),
  updatedAt: utc(w.updated_at),
  createdBy: toActor(w.created_by),
  updatedBy: toActor(w.updated_by),
});

const nextToken = (w: z.output<typeof pagination>) => w?.next_page_token || null;

// Each body's shape is built once: zod compiles a fast path per schema object on its first
// parse, so a schema built per call would pay that on every upstream body.
const syncBody = z.object({ data: bulkSync.nullish() });
const syncListBody = z.object({
  data: z.array(bulkSync.extend({ id: z.string() })).nullish(),
  pagination,
});
const executionListBody = z.object({ data: z.array(execution).nullish(), pagination });
const executionBody = z.object({ data: execution.nullish() });
const connectionBody = z.object({ data: connection.nullish() });
const cancelBody = z.object({ data: z.object({ message: text }).nullish() });
const activateBody = z.object({ data: z.object({ active: flag }).nullish() });

const SYNC = 'a bulk sync';

/** `GET /api/bulk/syncs/{id}`. A record without an id is the one asked for. */
export function parseBulkSyncBody(body: string, id: string): BulkSyncRecord {
  const { data } = parseEnvelope(body, syncBody, SYNC);
  if (data == null) throw new UpstreamBodyError('no data', SYNC);
  return deepFreeze(toBulkSync(data, data.id ?? id));
}

/** `GET /api/bulk/syncs`: every item must have an id, or it could not be asked for again. */
export function parseBulkSyncListBody(body: string): Page<BulkSyncRecord> {
  const { data, pagination: page } = parseEnvelope(body, syncListBody, 'a list of bulk syncs');
  return deepFreeze({
    items: (data ?? []).map((w) => toBulkSync(w, w.id)),
    nextPageToken: nextToken(page),
  });
}

/** `GET /api/bulk/syncs/{id}/executions`. */
export function parseExecutionListBody(body: string): Page<Execution> {
  const { data, pagination: page } = parseEnvelope(body, executionListBody, 'a list of executions');
  return deepFreeze({
    items: (data ?? []).map((w) => toExecution(w) as Execution),
    nextPageToken: nextToken(page),
  });
}

/** `GET …/executions/{exec_id}` and the answer to a start. */
export function parseExecutionBody(body: string): Execution {
  const expected = 'an execution';
  const { data } = parseEnvelope(body, executionBody, expected);
  const found = toExecution(data);
  if (found === null) throw new UpstreamBodyError('no data', expected);
  return deepFreeze(found);
}

/** `GET /api/connections/{id}`. A record without an id is the one asked for. */
export function parseConnectionBody(body: string, id: string): DataConnectionRecord {
  const expected = 'a connection';
  const { data } = parseEnvelope(body, connectionBody, expected);
  if (data == null) throw new UpstreamBodyError('no data', expected);
  return deepFreeze({
    id: data.id ?? id,
    name: data.name ?? null,
    type: data.type?.id ?? null,
    typeName: data.type?.name ?? null,
    logoUrl: data.type?.logo_url ?? null,
    status: data.status ?? null,
    // A healthy connection's error is sent as "": there is none.
    statusError: data.status_error || null,
  });
}

/** `POST /api/bulk/syncs/{id}/cancel`. */
export function parseCancelBody(body: string): CancelAnswer {
  const { data } = parseEnvelope(body, cancelBody, 'a cancel answer');
  return { message: data?.message ?? null };
}

/** `POST /api/bulk/syncs/{id}/activate`. */
export function parseActivateBody(body: string): ActivateAnswer {
  const { data } = parseEnvelope(body, activateBody, 'an activate answer');
  return { active: data?.active ?? null };
}
