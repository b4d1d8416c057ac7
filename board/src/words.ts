// Everything the board says in words: statuses, schedules, durations, errors.
import type { ExecutionStatus } from './gql/graphql.js';
import type { Sync } from './rows.js';
import { GatewayError, UNREACHABLE } from './transport.js';

/** How a status looks: its words and its tone (the colour; never the only sign). */
export type Tone = 'running' | 'ok' | 'failed' | 'warning' | 'idle';

const TONES: Record<ExecutionStatus, Tone> = {
  CREATED: 'running',
  SCHEDULED: 'running',
  RUNNING: 'running',
  EXPORTING: 'running',
  PROCESSING: 'running',
  CANCELING: 'warning',
  CANCELED: 'idle',
  COMPLETED: 'ok',
  ERRORS: 'warning',
  FAILED: 'failed',
  INTERRUPTED: 'failed',
  UNKNOWN: 'idle',
};

export const toneOf = (status: ExecutionStatus): Tone => TONES[status];

/** Whether an execution in this status can still be cancelled. */
export const inProgress = (status: ExecutionStatus | undefined) =>
  status !== undefined && toneOf(status) === 'running';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
const pad = (part: string | null | undefined) => (part ?? '0').padStart(2, '0');

/** A schedule as a person says it: "every day at 03:00 UTC". */
export function scheduleWords(schedule: Sync['schedule']): string {
  if (!schedule) return 'schedule unknown';
  const { hour, minute, dayOfWeek } = schedule;
  const at = `${pad(hour)}:${pad(minute)} UTC`;
  switch (schedule.frequency) {
    case 'MANUAL':
      return 'only when started by hand';
    case 'CONTINUOUS':
      return 'continuously';
    case 'HOURLY':
      return `every hour at :${pad(minute)}`;
    case 'DAILY':
      return `every day at ${at}`;
    case 'WEEKLY': {
      // Polytomic sends a day name ("monday"); a cron-style number is read too.
      const day = /^\d$/.test(dayOfWeek ?? '') ? DAYS[Number(dayOfWeek)] : dayOfWeek;
      return day && day !== '*' ? `every ${capital(day)} at ${at}` : `every week at ${at}`;
    }
    case 'RUNAFTER':
      return 'after another sync';
    case 'DBTCLOUD':
      return 'after a dbt Cloud job';
    case 'MULTI':
      return 'on several schedules';
    case 'CUSTOM':
    case 'BUILDER':
      return 'custom schedule';
    default:
      return `schedule "${schedule.rawFrequency}"`;
  }
}

/** "2 h 05 min", "3 min 20 s", "12 s". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const dated = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A timestamp in the viewer's own time zone: the time alone when it is today. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const at = new Date(iso);
  return at.toDateString() === new Date().toDateString() ? clock.format(at) : dated.format(at);
}

const countFormat = new Intl.NumberFormat();
export const count = (n: number | null | undefined) => (n == null ? '—' : countFormat.format(n));

/** What a failed call means to the person who made it. */
export function errorWords(error: unknown): string {
  if (!(error instanceof GatewayError)) return 'Something went wrong.';
  switch (error.code) {
    case 'CONFLICT':
      return 'Already running: Polytomic has a run of this sync in progress.';
    case 'FORBIDDEN':
      return 'Not allowed: actions need your own API key (enter it above), one that may act on this sync.';
    case 'UNAUTHENTICATED':
      return 'That API key was refused. Check it and enter it again.';
    case 'NOT_FOUND':
      return 'This sync no longer exists in Polytomic.';
    case 'RATE_LIMITED':
      return 'Polytomic is rate limiting this key. Try again in a minute.';
    case 'UPSTREAM_UNAVAILABLE':
      return 'Polytomic did not answer. Try again shortly.';
    case UNREACHABLE:
      return 'The gateway cannot be reached.';
    default:
      return error.message;
  }
}
