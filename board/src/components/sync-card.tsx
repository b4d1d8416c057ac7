import { Component } from 'preact';
import { useNow } from '../now.js';
import type { Sync } from '../rows.js';
import { count, duration, inProgress, scheduleWords, when } from '../words.js';
import { Progress } from './progress.js';
import { StatusBadge } from './status-badge.js';

export type Action = 'start' | 'cancel' | 'pause' | 'resume';

export interface CardProps {
  sync: Sync;
  /** False while the board is not connected, or no news came over the current connection. */
  live: boolean;
  /** The action in flight on this sync, if any. */
  pending: Action | undefined;
  /** What the last action's failure means, if it failed. */
  message: string | undefined;
  onAction: (sync: Sync, action: Action) => void;
  onHistory: (sync: Sync) => void;
}

function Elapsed({ since }: { since: string }) {
  const now = useNow();
  return <span data-elapsed>{duration(now - Date.parse(since))}</span>;
}

function CardBody({ sync, live, pending, message, onAction, onHistory }: CardProps) {
  const status = sync.status;
  const current = status?.currentExecution;
  const last = status?.lastExecution;
  const running = inProgress(current?.status);
  const name = sync.name ?? sync.id;
  return (
    <article
      class={`card${live ? '' : ' card--not-live'}`}
      data-sync-id={sync.id}
      aria-labelledby={`name-${sync.id}`}
    >
      <header class="card__head">
        <h2 id={`name-${sync.id}`} class="card__name">
          {name}
        </h2>
        <span class={`pill ${sync.active ? 'pill--on' : 'pill--off'}`} data-active={sync.active}>
          {sync.active ? 'active' : 'paused'}
        </span>
      </header>
      <p class="card__route">
        <span>{sync.source?.name ?? 'unknown source'}</span>
        <small> ({sync.source?.typeName ?? '?'})</small> →{' '}
        <span>{sync.destination?.name ?? 'unknown destination'}</span>
        <small> ({sync.destination?.typeName ?? '?'})</small>
      </p>
      <p class="card__schedule">Runs {scheduleWords(sync.schedule)}</p>

      <section class="card__now" aria-label="current run">
        {current ? (
          <>
            <p class="card__status">
              <StatusBadge status={current.status} raw={current.rawStatus} />
              {current.startedAt && (
                <span class="muted">
                  {' '}
                  started {when(current.startedAt)}
                  {running && (
                    <>
                      {' '}
                      · <Elapsed since={current.startedAt} />
                    </>
                  )}
                </span>
              )}
            </p>
            {current.statusMessage && <p class="muted">{current.statusMessage}</p>}
            {current.schemas.length > 0 && (
              <Progress schemas={current.schemas} records={current.recordCount} />
            )}
          </>
        ) : (
          <p class="card__status">
            <span class="badge badge--idle" data-status="IDLE">
              <span aria-hidden="true">○</span> idle
            </span>
          </p>
        )}
      </section>

      <dl class="card__facts">
        <dt>Last run</dt>
        <dd data-last-run>
          {last ? (
            <>
              <StatusBadge status={last.status} raw={last.rawStatus} />{' '}
              {when(last.completedAt ?? last.startedAt)}
              {last.recordCount != null && ` · ${count(last.recordCount)} records`}
            </>
          ) : (
            'never'
          )}
        </dd>
        <dt>Next run</dt>
        <dd>{status?.nextExecutionTime ? when(status.nextExecutionTime) : 'none scheduled'}</dd>
        {status?.ingestionStatus?.enabled && (
          <>
            <dt>CDC</dt>
            <dd>
              {status.ingestionStatus.status.toLowerCase()}
              {status.ingestionStatus.isRunning ? ', ingesting' : ''}
            </dd>
          </>
        )}
      </dl>

      <p class="card__asof">
        {live ? 'live' : 'not live'} · as of {when(status?.fetchedAt)}
        {status?.stale && (
          <span class="pill pill--stale" title="Polytomic failed just now; this is its last answer">
            stale
          </span>
        )}
      </p>

      {message && (
        <p class="card__error" role="alert">
          {message}
        </p>
      )}
      <div class="card__actions">
        <button
          type="button"
          disabled={pending !== undefined || running}
          onClick={() => onAction(sync, 'start')}
        >
          {pending === 'start' ? 'Starting…' : 'Run now'}
        </button>
        <button
          type="button"
          disabled={pending !== undefined || !running}
          onClick={() => onAction(sync, 'cancel')}
        >
          {pending === 'cancel' ? 'Cancelling…' : 'Cancel'}
        </button>
        <button
          type="button"
          disabled={pending !== undefined || sync.active == null}
          onClick={() => onAction(sync, sync.active ? 'pause' : 'resume')}
        >
          {sync.active ? 'Pause' : 'Resume'}
        </button>
        <button type="button" class="link" onClick={() => onHistory(sync)}>
          History
        </button>
      </div>
    </article>
  );
}

/** One sync; re-renders only when its own props change (200 rows, one changed, one render). */
export class SyncCard extends Component<CardProps> {
  override shouldComponentUpdate(next: CardProps) {
    const p = this.props;
    return (
      next.sync !== p.sync ||
      next.live !== p.live ||
      next.pending !== p.pending ||
      next.message !== p.message
    );
  }
  override render() {
    return <CardBody {...this.props} />;
  }
}
