import type { ExecutionStatus } from '../gql/graphql.js';
import { toneOf } from '../words.js';

const ICONS = { running: '●', ok: '✓', failed: '✕', warning: '!', idle: '○' } as const;

/** A status in colour, with a shape and words: colour is never the only sign. */
export function StatusBadge({ status, raw }: { status: ExecutionStatus; raw?: string }) {
  const tone = toneOf(status);
  // A status this gateway does not know yet reads as Polytomic sent it.
  const label = status === 'UNKNOWN' && raw ? raw : status.toLowerCase();
  return (
    <span class={`badge badge--${tone}`} data-status={status}>
      <span aria-hidden="true">{ICONS[tone]}</span> {label}
    </span>
  );
}
