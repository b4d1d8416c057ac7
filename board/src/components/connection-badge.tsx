import type { Connection } from '../transport.js';

const WORDS: Record<Connection, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  offline: 'offline, retrying',
};

/** The live connection's state, in words (and colour). */
export function ConnectionBadge({ state }: { state: Connection }) {
  return (
    <span class={`conn conn--${state}`} data-connection={state} role="status">
      <span aria-hidden="true" class="conn__dot" />
      {WORDS[state]}
    </span>
  );
}
