import type { IncomingMessage } from 'node:http';
import type { YogaInitialContext } from 'graphql-yoga';
import type { Context } from '../context.js';
import { type ActionsOptions, SyncActions } from '../datasources/actions.js';
import { CatalogueLoader } from '../datasources/catalogue-loader.js';
import { pickAuthorization } from '../datasources/credential.js';
import { watchSyncs } from '../datasources/live/channel.js';
import { createStatusLoader } from '../datasources/status-loader.js';
import { correlationOf, correlationOfRequest } from '../observability/correlation.js';
import type { Logger } from '../observability/logger.js';

/** What the WebSocket path hands yoga's context factory instead of a fetch `Request`. */
export interface WebSocketContext {
  /** The client credential by the runtime-contract rules for WebSocket, if the client sent one. */
  clientAuthorization: string | undefined;
  req: IncomingMessage;
}

/**
 * What the context factory builds on; app.ts makes these once. The datasources are also what a
 * caller's actions (mutations) are built on.
 */
export interface ContextParts extends ActionsOptions {
  logger: Logger;
  /** The service credential as an `Authorization` value, if one is configured. */
  serviceAuthorization: string | undefined;
  maxIdsPerRequest: number;
}

/**
 * The credential an HTTP request runs with, by the runtime contract: the caller's own
 * `Authorization`, else the service credential. The response cache and the context both use
 * this one rule, so they agree.
 */
export function requestAuthorization(
  request: Request,
  serviceAuthorization: string | undefined,
): string | undefined {
  return pickAuthorization(request.headers.get('authorization'), serviceAuthorization);
}

/**
 * Builds each operation's Context: its credential, correlation ids and logger, and fresh
 * per-operation datasources (a status loader; a watch bound to the credential).
 */
export function createContextFactory(parts: ContextParts) {
  const { logger, statuses, catalogue, live, serviceAuthorization, maxIdsPerRequest } = parts;
  return (initial: YogaInitialContext & Partial<WebSocketContext>): Context => {
    // Over HTTP the fetch Request carries the credential; over WebSocket, the socket's handshake.
    const { request } = initial as { request?: Request };
    const fromClient = request ? request.headers.get('authorization') : initial.clientAuthorization;
    const callerAuthorization = pickAuthorization(fromClient, undefined);
    const authorization = pickAuthorization(fromClient, serviceAuthorization);
    const correlation = request
      ? correlationOfRequest(request)
      : correlationOf((name) => {
          const value = initial.req?.headers[name];
          return Array.isArray(value) ? value[0] : value;
        });
    const { requestId } = correlation;
    let log: Logger | undefined;
    return {
      requestId,
      log() {
        log ??= logger.child(correlation);
        return log;
      },
      authorization,
      statuses: authorization ? createStatusLoader(statuses, authorization, requestId) : undefined,
      catalogue: authorization
        ? new CatalogueLoader({ store: catalogue, authorization, requestId })
        : undefined,
      actions: callerAuthorization
        ? new SyncActions(parts, callerAuthorization, requestId)
        : undefined,
      watch: authorization ? (syncIds) => watchSyncs(live, syncIds, authorization) : undefined,
      maxIdsPerRequest,
    };
  };
}
