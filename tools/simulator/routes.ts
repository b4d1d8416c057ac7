/** The endpoints the simulator tells apart. */
export type Route =
  | { kind: 'list' }
  | { kind: 'sync'; id: string }
  | { kind: 'status'; id: string }
  | { kind: 'unknown' };

const SYNC_PATH = /^\/api\/bulk\/syncs\/([^/]+)(\/status)?$/;

/** Matches a request path (without query) to a route; sync ids come back lowercased. */
export function matchRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (path === '/api/bulk/syncs') return { kind: 'list' };
  const match = SYNC_PATH.exec(path);
  const raw = match?.[1];
  // `/api/bulk/syncs/status` is the (unsimulated) all-syncs status endpoint, not a sync id.
  if (raw === undefined || raw === 'status') return { kind: 'unknown' };
  let id: string;
  try {
    id = decodeURIComponent(raw).toLowerCase();
  } catch {
    id = raw.toLowerCase();
  }
  return match?.[2] === undefined ? { kind: 'sync', id } : { kind: 'status', id };
}
