import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { startLive } from '../live.js';
import { Cancel, RunNow, SetActive } from '../operations.js';
import { createRowStore, type Rows, type Sync } from '../rows.js';
import { type Connection, type GatewayError, request } from '../transport.js';
import { errorWords } from '../words.js';
import { ConnectionBadge } from './connection-badge.js';
import { History } from './history.js';
import { KeyField } from './key-field.js';
import { type Action, SyncCard } from './sync-card.js';

const KEY_STORAGE = 'polytomic-board-key';

export interface AppProps {
  maxIds: number;
  initialKey: string | undefined;
}

/** What each action sends, and the row it brings back. */
async function perform(action: Action, id: string, key: string | undefined): Promise<Sync> {
  switch (action) {
    case 'start':
      return (await request(RunNow, { id }, key)).startBulkSync.bulkSync;
    case 'cancel':
      return (await request(Cancel, { id }, key)).cancelBulkSync.bulkSync;
    default:
      return (await request(SetActive, { id, active: action === 'resume' }, key)).setBulkSyncActive
        .bulkSync;
  }
}

export function App({ maxIds, initialKey }: AppProps) {
  const [key, setKey] = useState(initialKey);
  const [announcement, setAnnouncement] = useState('');
  const store = useMemo(() => createRowStore(setAnnouncement), []);
  const [rows, setRows] = useState<Rows>(store.rows());
  const [connection, setConnection] = useState<Connection>('connecting');
  const [epoch, setEpoch] = useState(0);
  const [problem, setProblem] = useState<GatewayError | null>(null);
  const [listed, setListed] = useState(false);
  const [pending, setPending] = useState<Record<string, Action>>({});
  const [messages, setMessages] = useState<Record<string, string>>({});
  const [history, setHistory] = useState<Sync>();
  const keyRef = useRef(key);
  keyRef.current = key;
  const epochRef = useRef(epoch);
  epochRef.current = epoch;

  useEffect(() => store.subscribe(setRows), [store]);
  useLayoutEffect(() => store.rendered(), [rows, store]);

  useEffect(() => {
    // Nothing of the previous key's view stays: rows, problem, connection.
    setListed(false);
    setProblem(null);
    setConnection('connecting');
    store.list([], 0);
    return startLive({
      key,
      maxIds,
      store,
      onConnection: (state, at) => {
        setConnection(state);
        setEpoch(at);
      },
      onProblem: setProblem,
      onListed: () => setListed(true),
    });
  }, [key, maxIds, store]);

  const changeKey = (next: string | undefined) => {
    if (next) sessionStorage.setItem(KEY_STORAGE, next);
    else sessionStorage.removeItem(KEY_STORAGE);
    setMessages({});
    setAnnouncement('');
    setKey(next);
  };

  // Stable, so that a card re-renders only when its own sync changes.
  const onAction = useCallback(
    (sync: Sync, action: Action) => {
      setPending((p) => ({ ...p, [sync.id]: action }));
      setMessages(({ [sync.id]: _, ...rest }) => rest);
      // An answer that lands after the key changed is the old key's view: dropped.
      const asKey = keyRef.current;
      const current = () => keyRef.current === asKey;
      perform(action, sync.id, asKey)
        .then((updated) => current() && store.apply(updated, epochRef.current))
        .catch((error: unknown) => {
          if (current()) setMessages((m) => ({ ...m, [sync.id]: errorWords(error) }));
        })
        .finally(() => setPending(({ [sync.id]: _, ...rest }) => rest));
    },
    [store],
  );
  const onHistory = useCallback((sync: Sync) => setHistory(sync), []);

  const live = connection === 'live';
  const all = [...rows.values()];
  return (
    <>
      <header class="top">
        <h1>Polytomic syncs</h1>
        <ConnectionBadge state={connection} />
        {/* A refused key is asked for again. */}
        <KeyField
          apiKey={problem?.code === 'UNAUTHENTICATED' ? undefined : key}
          onChange={changeKey}
        />
      </header>
      <div class="sr-only" aria-live="polite" aria-atomic="true" data-announcer>
        {announcement}
      </div>
      <main>
        {problem && (
          <p class="banner banner--error" role="alert" data-problem={problem.code}>
            {errorWords(problem)}
          </p>
        )}
        {!problem && !listed && connection !== 'live' && connection !== 'connecting' && (
          <p class="banner banner--error" role="alert" data-problem="UNREACHABLE">
            The gateway cannot be reached. Retrying…
          </p>
        )}
        {!listed && !problem && connection === 'connecting' && <p class="banner">Loading…</p>}
        {listed && !live && all.length > 0 && (
          <p class="banner banner--warning" data-not-live>
            Not live: the rows show what was last seen, and turn live again as news arrives.
          </p>
        )}
        {listed && !problem && all.length === 0 && (
          <p class="banner" data-empty>
            No bulk syncs: this key sees none.
          </p>
        )}
        <div class="grid">
          {all.map((row) => (
            <SyncCard
              key={row.sync.id}
              sync={row.sync}
              live={live && row.epoch === epoch}
              pending={pending[row.sync.id]}
              message={messages[row.sync.id]}
              onAction={onAction}
              onHistory={onHistory}
            />
          ))}
        </div>
      </main>
      {history && <History sync={history} apiKey={key} onClose={() => setHistory(undefined)} />}
    </>
  );
}

export { KEY_STORAGE };
