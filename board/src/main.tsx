// The board's entry: reads what the gateway told it (the id cap), and the user's key: from
// sessionStorage, or once from the address's #key= fragment (never sent to any server), which
// `npm run demo` uses to prefill its simulator's key.
import { render } from 'preact';
import { App, KEY_STORAGE } from './components/app.js';
import './styles.css';

function initialKey(): string | undefined {
  const fragment = new URLSearchParams(location.hash.slice(1)).get('key');
  if (fragment) {
    sessionStorage.setItem(KEY_STORAGE, fragment);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(KEY_STORAGE) ?? undefined;
}

const maxIds = Number(
  document.querySelector<HTMLMetaElement>('meta[name="board-max-ids"]')?.content ?? 100,
);
const root = document.getElementById('board');
if (root) render(<App maxIds={maxIds > 0 ? maxIds : 100} initialKey={initialKey()} />, root);
