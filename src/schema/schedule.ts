import type { Schedule } from '../datasources/polytomic/types.js';
import { builder } from './builder.js';
import { ScheduleFrequency } from './enums.js';

export const ScheduleRef = builder.objectRef<Schedule>('Schedule').implement({
  description: 'v2. A schedule. Time parts are strings in UTC, as Polytomic sends them.',
  fields: (t) => ({
    frequency: t.field({
      type: ScheduleFrequency.ref,
      nullable: false,
      description:
        'How often it runs; UNKNOWN for a value this gateway does not know yet (see rawFrequency).',
      resolve: (schedule) => ScheduleFrequency.toValue(schedule.frequency),
    }),
    rawFrequency: t.string({
      nullable: false,
      description: 'The frequency exactly as Polytomic sent it.',
      resolve: (schedule) => schedule.frequency,
    }),
    minute: t.exposeString('minute', { description: 'Minute part, as Polytomic sends it.' }),
    hour: t.exposeString('hour', { description: 'Hour part (UTC), as Polytomic sends it.' }),
    dayOfWeek: t.exposeString('dayOfWeek', { description: 'Day of the week part.' }),
    dayOfMonth: t.exposeString('dayOfMonth', { description: 'Day of the month part.' }),
    month: t.exposeString('month', { description: 'Month part.' }),
  }),
});
