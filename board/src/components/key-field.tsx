import { useState } from 'preact/hooks';

/**
 * The user's Polytomic API key: actions need it (the gateway's own key never acts), and with it
 * the board shows what this key sees. Kept in sessionStorage, sent only to this gateway.
 */
export function KeyField({
  apiKey,
  onChange,
}: {
  apiKey: string | undefined;
  onChange: (key: string | undefined) => void;
}) {
  const [draft, setDraft] = useState('');
  if (apiKey) {
    return (
      <div class="key">
        <span>Using your API key ••••{apiKey.slice(-4)}</span>
        <button type="button" onClick={() => onChange(undefined)}>
          Forget key
        </button>
      </div>
    );
  }
  return (
    <form
      class="key"
      onSubmit={(event) => {
        event.preventDefault();
        const key = draft.trim();
        if (key) onChange(key);
        setDraft('');
      }}
    >
      <label for="api-key">Polytomic API key</label>
      <input
        id="api-key"
        type="password"
        autocomplete="off"
        placeholder="needed to act on syncs"
        value={draft}
        onInput={(event) => setDraft(event.currentTarget.value)}
      />
      <button type="submit">Use key</button>
    </form>
  );
}
