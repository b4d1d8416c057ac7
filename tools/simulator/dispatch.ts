import { actorFor, parseCredential, type Visibility } from './auth.js';
import { activateSync, cancelSync } from './endpoints/actions.js';
import { getConnection, getSync, listSyncs } from './endpoints/catalogue.js';
import type { Call, SimContext } from './endpoints/context.js';
import { listEvents, listEventTypes } from './endpoints/events.js';
import { getExecution, listExecutions, startExecution } from './endpoints/executions.js';
import { getStatus, getStatuses } from './endpoints/status.js';
import { apiErrorReply, jsonReply, type Reply } from './http-util.js';
import { QueryError } from './paging.js';
import type { Route } from './routes.js';

/** The request facts an answer depends on. */
export interface Incoming {
  route: Route;
  query: URLSearchParams;
  authorization: string | undefined;
  version: string;
  body: string;
}

/** The credential of a request and what it sees, or undefined when it is not a known one. */
export function authenticate(
  credentials: ReadonlyMap<string, Visibility>,
  authorization: string | undefined,
): { credential: string; visibility: Visibility } | undefined {
  const credential = parseCredential(authorization);
  const visibility = credential === undefined ? undefined : credentials.get(credential);
  return credential === undefined || visibility === undefined
    ? undefined
    : { credential, visibility };
}

/** Polytomic's answer to a request: 404 for unknown paths, 405, 401, then the endpoint's. */
export function answer(
  ctx: SimContext,
  credentials: ReadonlyMap<string, Visibility>,
  incoming: Incoming,
): Reply {
  const { route } = incoming;
  if (route.kind === 'unknown') return apiErrorReply(404, 'not found', 'not_found');
  if (route.kind === 'method') {
    return {
      ...apiErrorReply(405, 'method not allowed', 'method_not_allowed'),
      headers: { allow: route.allow },
    };
  }
  const who = authenticate(credentials, incoming.authorization);
  if (who === undefined) return jsonReply(401, { status: 401, message: 'unauthorized' });
  const call: Call = {
    query: incoming.query,
    version: incoming.version,
    visibility: who.visibility,
    actor: actorFor(who.credential),
    body: incoming.body,
  };
  try {
    switch (route.kind) {
      case 'list':
        return listSyncs(ctx, call);
      case 'statuses':
        return getStatuses(ctx, call);
      case 'sync':
        return getSync(ctx, call, route.syncId);
      case 'status':
        return getStatus(ctx, call, route.syncId);
      case 'executions':
        return listExecutions(ctx, call, route.syncId);
      case 'execution':
        return getExecution(ctx, call, route.syncId, route.executionId);
      case 'start':
        return startExecution(ctx, call, route.syncId);
      case 'cancel':
        return cancelSync(ctx, call, route.syncId);
      case 'activate':
        return activateSync(ctx, call, route.syncId);
      case 'connection':
        return getConnection(ctx, call, route.connectionId);
      case 'events':
        return listEvents(ctx, call);
      case 'eventTypes':
        return listEventTypes();
    }
  } catch (error) {
    if (error instanceof QueryError) return apiErrorReply(400, error.message, 'bad_request');
    throw error;
  }
}
