import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

const WELL_FORMED = /^[\w.:-]{1,128}$/;
const ids = new WeakMap<Request, string>();

/** The request id of a request: the caller's `x-request-id` when well formed, else a new UUID. */
export function requestIdOf(request: Request): string {
  let id = ids.get(request);
  if (!id) {
    const given = request.headers.get('x-request-id');
    id = given && WELL_FORMED.test(given) ? given : randomUUID();
    ids.set(request, id);
  }
  return id;
}

/** Echoes the request id on every response, so a client can quote it in a bug report. */
export function useRequestId(): Plugin {
  return {
    onResponse({ request, response }) {
      response.headers.set('x-request-id', requestIdOf(request));
    },
  };
}
