import { ACTORS, fakeSecret } from './connections.js';
import { SIM_CONNECTIONS, SIM_ORG_ID, SIM_SCHEDULES_VERSION } from './ids.js';
import { iso, stableUuid } from './time.js';
import type {
  BulkDiscover,
  BulkSchedule,
  BulkScheduleSyncMode,
  BulkSelectiveMode,
  BulkSyncResponse,
  BulkSyncTargetMode,
  OutputActor,
  ScheduleFrequency,
} from './wire-types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A schedule's frequency and the time parts (UTC strings) that matter for it. */
export interface ScheduleSpec {
  frequency: ScheduleFrequency;
  minute?: string;
  hour?: string;
  day_of_week?: string;
  day_of_month?: string;
  month?: string;
}

/** An additional schedule: which schemas it runs, and how. */
export interface AdditionalScheduleSpec extends ScheduleSpec {
  schemas: string[];
  resyncMode: BulkScheduleSyncMode;
  selectiveMode: BulkSelectiveMode;
}

/** What `GET /api/bulk/syncs/{id}` says about a sync besides its state. */
export interface CatalogueEntry {
  mode: BulkSyncTargetMode;
  /** Connection ids. */
  source: string;
  destination: string;
  schedule: ScheduleSpec;
  additionalSchedules?: readonly AdditionalScheduleSpec[];
  /** Hours before the simulator started; ignored for syncs added at run time. */
  createdHoursAgo: number;
  updatedHoursAgo: number;
  /** Set on a sync that starts paused: when it was paused, which is also its last update. */
  pausedHoursAgo?: number;
  createdBy: OutputActor;
  updatedBy: OutputActor;
  /** Free-form, and each holds a fake secret so tests can prove a client never passes it on. */
  sourceConfiguration: Record<string, unknown>;
  destinationConfiguration: Record<string, unknown>;
  addNewFields: BulkDiscover;
  addNewObjects: BulkDiscover;
  concurrencyLimit: number | null;
}

/** A sync's catalogue facts that the API can change, and when it was created. */
export interface SyncFacts {
  id: string;
  name: string;
  active: boolean;
  createdAt: number;
  updatedAt: number;
  updatedBy: OutputActor;
  entry: CatalogueEntry;
}

/** The catalogue entry of a sync registered with `addSync`. */
export function defaultEntry(id: string): CatalogueEntry {
  return {
    mode: 'snapshot',
    source: SIM_CONNECTIONS.postgres,
    destination: SIM_CONNECTIONS.snowflake,
    schedule: { frequency: 'manual' },
    createdHoursAgo: 0,
    updatedHoursAgo: 0,
    createdBy: ACTORS.simulator,
    updatedBy: ACTORS.simulator,
    sourceConfiguration: { password: fakeSecret(`${id}/source`) },
    destinationConfiguration: { schema: 'raw', password: fakeSecret(`${id}/destination`) },
    addNewFields: 'all',
    addNewObjects: 'none',
    concurrencyLimit: null,
  };
}

/** Whether a request pinned to `version` gets the pre-2025-09-18 shape (`schedule`). */
export function isLegacyVersion(version: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(version) && version < SIM_SCHEDULES_VERSION;
}

const TIME_PARTS = ['minute', 'hour', 'day_of_week', 'day_of_month', 'month'] as const;

/** The time parts a schedule sets (and no other field of an additional schedule). */
function parts(spec: ScheduleSpec): Omit<ScheduleSpec, 'frequency'> {
  const out: Omit<ScheduleSpec, 'frequency'> = {};
  for (const part of TIME_PARTS) {
    const value = spec[part];
    if (value !== undefined) out[part] = value;
  }
  return out;
}

/** The single `schedule` of old API versions; extra schedules become a `multi` schedule. */
function legacySchedule(entry: CatalogueEntry): BulkSchedule {
  const extra = entry.additionalSchedules ?? [];
  if (extra.length === 0) return { ...entry.schedule };
  return {
    frequency: 'multi',
    multi: {
      type: 'itemized',
      schedules: [
        { item: 'none', schedule: { ...entry.schedule } },
        ...extra.map((s) => ({
          item: s.selectiveMode,
          schedule: { frequency: s.frequency, ...parts(s) },
        })),
      ],
    },
  };
}

/** The `BulkSyncResponse` of a sync, in the shape `version` asks for. */
export function syncResponse(facts: SyncFacts, version: string): BulkSyncResponse {
  const { entry } = facts;
  const created = iso(facts.createdAt);
  const audit = {
    created_at: created,
    created_by: entry.createdBy,
    updated_at: created,
    updated_by: entry.createdBy,
  };
  const schedules = isLegacyVersion(version)
    ? { schedule: legacySchedule(entry), discover: entry.addNewObjects !== 'none' }
    : {
        default_schedule: {
          id: stableUuid(`${facts.id}/schedule/default`),
          ...entry.schedule,
          ...audit,
        },
        additional_schedules: (entry.additionalSchedules ?? []).map((s, n) => ({
          id: stableUuid(`${facts.id}/schedule/${n}`),
          frequency: s.frequency,
          ...parts(s),
          schemas: s.schemas,
          resync_mode: s.resyncMode,
          selective_mode: s.selectiveMode,
          ...audit,
        })),
      };
  return {
    id: facts.id,
    name: facts.name,
    active: facts.active,
    mode: entry.mode,
    organization_id: SIM_ORG_ID,
    source_connection_id: entry.source,
    destination_connection_id: entry.destination,
    source_configuration: entry.sourceConfiguration,
    destination_configuration: entry.destinationConfiguration,
    ...schedules,
    automatically_add_new_fields: entry.addNewFields,
    automatically_add_new_objects: entry.addNewObjects,
    normalize_names: 'enabled',
    concurrency_limit: entry.concurrencyLimit,
    resync_concurrency_limit: null,
    data_cutoff_timestamp: null,
    disable_record_timestamps: false,
    policies: [],
    created_at: created,
    created_by: entry.createdBy,
    updated_at: iso(facts.updatedAt),
    updated_by: facts.updatedBy,
  };
}

/**
 * Creation, last-update and pause times of a catalogue sync, whole minutes before the
 * simulator's start (so a demo on the wall clock shows tidy times).
 */
export function catalogueTimes(
  entry: CatalogueEntry,
  startedAt: number,
): { createdAt: number; updatedAt: number; pausedAt: number | undefined } {
  const base = Math.floor(startedAt / MINUTE) * MINUTE;
  const pausedAt =
    entry.pausedHoursAgo === undefined ? undefined : base - entry.pausedHoursAgo * HOUR;
  return {
    createdAt: base - entry.createdHoursAgo * HOUR,
    updatedAt: pausedAt ?? base - entry.updatedHoursAgo * HOUR,
    pausedAt,
  };
}
