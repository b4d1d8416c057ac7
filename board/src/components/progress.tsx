import type { Sync } from '../rows.js';
import { count } from '../words.js';

type Schemas = NonNullable<NonNullable<Sync['status']>['currentExecution']>['schemas'];

const DONE = new Set(['COMPLETED', 'FAILED', 'CANCELED', 'INTERRUPTED']);

/**
 * How far a run is: schemas finished out of all, as a bar, and records per schema. Polytomic
 * gives no expected total of records, so the bar counts schemas, and records are counts.
 */
export function Progress({ schemas, records }: { schemas: Schemas; records: number | null }) {
  const done = schemas.filter((s) => DONE.has(s.status)).length;
  return (
    <div class="progress">
      <div class="progress__total">
        <progress max={Math.max(1, schemas.length)} value={done} aria-label="schemas finished" />
        <span>
          {done} of {schemas.length} schemas · {count(records)} records
        </span>
      </div>
      <ul class="progress__schemas">
        {schemas.map((s) => (
          <li key={s.schema} data-schema={s.schema}>
            <span class="progress__name">{s.schema}</span>
            <span class={`dot dot--${DONE.has(s.status) ? 'done' : 'open'}`}>
              {s.status.toLowerCase()}
            </span>
            <span class="progress__count">{count(s.recordCount)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
