/**
 * The endpoints the simulator serves, one kind per method and path:
 * - `list`: GET /api/bulk/syncs
 * - `statuses`: GET /api/bulk/syncs/status (summary of many syncs)
 * - `sync`: GET /api/bulk/syncs/{id}
 * - `status`: GET /api/bulk/syncs/{id}/status
 * - `executions`: GET /api/bulk/syncs/{id}/executions
 * - `execution`: GET /api/bulk/syncs/{id}/executions/{exec_id}
 * - `start`: POST /api/bulk/syncs/{id}/executions
 * - `cancel`: POST /api/bulk/syncs/{id}/cancel
 * - `activate`: POST /api/bulk/syncs/{id}/activate
 * - `connection`: GET /api/connections/{id}
 * - `events`: GET /api/events (the organization's event log)
 * - `eventTypes`: GET /api/events_types
 */
export type RouteKind =
  | 'list'
  | 'statuses'
  | 'sync'
  | 'status'
  | 'executions'
  | 'execution'
  | 'start'
  | 'cancel'
  | 'activate'
  | 'connection'
  | 'events'
  | 'eventTypes';

/** Every route kind, in a stable order. */
export const ROUTE_KINDS: readonly RouteKind[] = [
  'list',
  'statuses',
  'sync',
  'status',
  'executions',
  'execution',
  'start',
  'cancel',
  'activate',
  'connection',
  'events',
  'eventTypes',
];

/** The routes that change state, and so honour `Idempotency-Key`. */
export const MUTATING_ROUTES: ReadonlySet<RouteKind> = new Set(['start', 'cancel', 'activate']);

/** A matched request. Ids come back decoded and lowercased. */
export type Route =
  | { kind: 'list' | 'statuses' | 'events' | 'eventTypes' }
  | { kind: SyncRouteKind; syncId: string }
  | { kind: 'execution'; syncId: string; executionId: string }
  | { kind: 'connection'; connectionId: string }
  /** A known path asked with a method it does not serve. */
  | { kind: 'method'; allow: string; syncId?: string }
  | { kind: 'unknown' };

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

type SyncRouteKind = 'sync' | 'status' | 'executions' | 'start' | 'cancel' | 'activate';

/** Which methods each per-sync sub-path serves, and the kind each method maps to. */
const SYNC_PATHS = new Map<string, ReadonlyMap<string, SyncRouteKind>>([
  ['', new Map([['GET', 'sync']])],
  ['status', new Map([['GET', 'status']])],
  [
    'executions',
    new Map([
      ['GET', 'executions'],
      ['POST', 'start'],
    ]),
  ],
  ['cancel', new Map([['POST', 'cancel']])],
  ['activate', new Map([['POST', 'activate']])],
]);

function wrongMethod(methods: ReadonlyMap<string, unknown>, syncId?: string): Route {
  const allow = [...methods.keys()].join(', ');
  return syncId === undefined ? { kind: 'method', allow } : { kind: 'method', allow, syncId };
}

const GET_ONLY = new Map([['GET', true]]);

/** The organization-wide paths under /api that are not about one sync. */
const ORGANIZATION_PATHS = new Map<string, 'events' | 'eventTypes'>([
  ['events', 'events'],
  ['events_types', 'eventTypes'],
]);

/** Matches a request method and path (without query) to a route. */
export function matchRoute(method: string, pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const parts = path.split('/').slice(1);
  if (parts[0] !== 'api') return { kind: 'unknown' };
  const organizationKind = ORGANIZATION_PATHS.get(parts[1] ?? '');
  if (organizationKind !== undefined && parts.length === 2) {
    if (method !== 'GET') return wrongMethod(GET_ONLY);
    return { kind: organizationKind };
  }
  if (parts[1] === 'connections' && parts.length === 3 && parts[2] !== '') {
    if (method !== 'GET') return wrongMethod(GET_ONLY);
    return { kind: 'connection', connectionId: decode(parts[2] ?? '') };
  }
  if (parts[1] !== 'bulk' || parts[2] !== 'syncs') return { kind: 'unknown' };
  const [raw, sub = '', executionRaw, ...rest] = parts.slice(3);
  // The literal `status` segment is the summary of many syncs, never a sync id (which is a
  // uuid); it is matched before any per-sync path.
  if (raw === undefined || (raw === 'status' && parts.length === 4)) {
    if (method !== 'GET') return wrongMethod(GET_ONLY);
    return { kind: raw === undefined ? 'list' : 'statuses' };
  }
  if (raw === '' || rest.length > 0) return { kind: 'unknown' };
  const syncId = decode(raw);
  if (executionRaw !== undefined) {
    if (sub !== 'executions' || executionRaw === '') return { kind: 'unknown' };
    if (method !== 'GET') return wrongMethod(GET_ONLY, syncId);
    return { kind: 'execution', syncId, executionId: decode(executionRaw) };
  }
  const methods = SYNC_PATHS.get(sub);
  if (methods === undefined) return { kind: 'unknown' };
  const kind = methods.get(method);
  return kind === undefined ? wrongMethod(methods, syncId) : { kind, syncId };
}

/** The sync id a route is about, if any. */
export function routeSyncId(route: Route): string | undefined {
  return 'syncId' in route ? route.syncId : undefined;
}

/** The route kind of a matched request; undefined for unknown paths and wrong methods. */
export function routeKind(route: Route): RouteKind | undefined {
  return route.kind === 'method' || route.kind === 'unknown' ? undefined : route.kind;
}
