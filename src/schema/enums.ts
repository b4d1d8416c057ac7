import { builder } from './builder.js';

const UNKNOWN_DESCRIPTION = 'A value Polytomic sent that this gateway does not know yet.';

/**
 * Defines a GraphQL enum whose values are Polytomic's strings in UPPER_SNAKE, plus UNKNOWN, and
 * returns the ref with a total mapping from the wire string: new upstream values degrade to
 * UNKNOWN instead of failing the field.
 */
function openEnum<const V extends string>(name: string, description: string, values: readonly V[]) {
  const ref = builder.enumType(name, {
    description,
    values: Object.fromEntries(
      [...values, 'UNKNOWN'].map((value) => [
        value,
        {
          value,
          description:
            value === 'UNKNOWN' ? UNKNOWN_DESCRIPTION : `Polytomic's \`${value.toLowerCase()}\`.`,
        },
      ]),
    ) as Record<V | 'UNKNOWN', { value: V | 'UNKNOWN'; description: string }>,
  });
  const known = new Set<string>(values);
  // Memoised: a handful of distinct wire strings are mapped on every field of every result.
  const seen = new Map<string, V | 'UNKNOWN'>();
  const toValue = (raw: string): V | 'UNKNOWN' => {
    let mapped = seen.get(raw);
    if (mapped === undefined) {
      const value = raw.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
      mapped = known.has(value) ? (value as V) : 'UNKNOWN';
      if (seen.size < 256) seen.set(raw, mapped);
    }
    return mapped;
  };
  return { ref, toValue };
}

export const ExecutionStatus = openEnum('ExecutionStatus', 'Status of a bulk sync execution.', [
  'CREATED',
  'SCHEDULED',
  'RUNNING',
  'EXPORTING',
  'CANCELING',
  'CANCELED',
  'COMPLETED',
  'FAILED',
  'PROCESSING',
  'ERRORS',
  'INTERRUPTED',
] as const);

export const SchemaRunStatus = openEnum(
  'SchemaRunStatus',
  'Status of one schema within an execution.',
  [
    'CREATED',
    'SCHEDULED',
    'RUNNING',
    'EXPORTING',
    'CANCELED',
    'COMPLETED',
    'FAILED',
    'INTERRUPTED',
    'PROCESSING',
  ] as const,
);

export const IngestionLevel = openEnum('IngestionLevel', 'Health level of CDC ingestion.', [
  'OK',
  'WARNING',
  'ERROR',
] as const);

export const FetchMode = openEnum(
  'FetchMode',
  'How an execution fetched its data (incremental and full apply to Salesforce sources).',
  ['NONE', 'INCREMENTAL', 'FULL'] as const,
);

export const OutputDisposition = openEnum(
  'OutputDisposition',
  'What an execution did with existing destination data.',
  ['RETAIN', 'TRUNCATE', 'REBUILD'] as const,
);

export const SyncMode = openEnum('SyncMode', 'How a bulk sync writes to its destination.', [
  'SNAPSHOT',
  'REPLICATE',
] as const);

export const ScheduleFrequency = openEnum('ScheduleFrequency', 'How often a schedule runs.', [
  'MANUAL',
  'CONTINUOUS',
  'HOURLY',
  'DAILY',
  'WEEKLY',
  'CUSTOM',
  'BUILDER',
  'RUNAFTER',
  'MULTI',
  'DBTCLOUD',
] as const);

/** An input only: Polytomic's resync modes of a start request, sent in lowercase. */
export const ResyncMode = builder.enumType('ResyncMode', {
  description: 'What a started execution does with data already synced.',
  values: {
    REFETCH: { value: 'refetch', description: "Polytomic's `refetch`." },
    RESYNC: { value: 'resync', description: "Polytomic's `resync`." },
    REBUILD: { value: 'rebuild', description: "Polytomic's `rebuild`." },
  } as const,
});
