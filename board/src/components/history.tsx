import { useEffect, useRef, useState } from 'preact/hooks';
import type { BoardHistoryQuery } from '../gql/graphql.js';
import { SyncHistory } from '../operations.js';
import type { Sync } from '../rows.js';
import { request } from '../transport.js';
import { count, duration, errorWords, when } from '../words.js';
import { StatusBadge } from './status-badge.js';

type Run = NonNullable<NonNullable<BoardHistoryQuery['bulkSync']>['executions']>['nodes'][number];

/** A sync's past runs, newest first, ten at a time, in a modal dialog (Escape closes it). */
export function History({
  sync,
  apiKey,
  onClose,
}: {
  sync: Sync;
  apiKey: string | undefined;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [runs, setRuns] = useState<Run[]>([]);
  const [after, setAfter] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();

  const load = async (cursor: string | null) => {
    setLoading(true);
    try {
      const { bulkSync } = await request(SyncHistory, { id: sync.id, after: cursor }, apiKey);
      const page = bulkSync?.executions;
      setRuns((before) => [...before, ...(page?.nodes ?? [])]);
      setAfter(page?.pageInfo.endCursor ?? null);
      setMore(page?.pageInfo.hasNextPage ?? false);
      setError(undefined);
    } catch (failure) {
      setError(errorWords(failure));
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    dialog.current?.showModal();
    void load(null);
  }, [sync.id]);

  return (
    <dialog ref={dialog} class="history" aria-labelledby="history-title" onClose={onClose}>
      <header class="history__head">
        <h2 id="history-title">History of {sync.name ?? sync.id}</h2>
        <button type="button" onClick={() => dialog.current?.close()} aria-label="Close history">
          ✕
        </button>
      </header>
      {error && <p role="alert">{error}</p>}
      {!loading && !error && runs.length === 0 && <p>No runs yet.</p>}
      <ol class="history__runs">
        {runs.map((run) => (
          <li key={run.id} data-execution-id={run.id}>
            <StatusBadge status={run.status} />
            <span>{when(run.startedAt)}</span>
            <span class="muted">
              {run.startedAt && run.completedAt
                ? duration(Date.parse(run.completedAt) - Date.parse(run.startedAt))
                : ''}
            </span>
            <span>{count(run.recordCount)} records</span>
            {run.errorCount ? <span class="muted">{count(run.errorCount)} errors</span> : null}
          </li>
        ))}
      </ol>
      {more && (
        <button type="button" disabled={loading} onClick={() => void load(after)}>
          {loading ? 'Loading…' : 'Older runs'}
        </button>
      )}
      {loading && runs.length === 0 && <p aria-busy="true">Loading…</p>}
    </dialog>
  );
}
