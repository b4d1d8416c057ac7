import type { IncomingMessage, Server } from 'node:http';
import {
  type ExecutionArgs,
  type FormattedExecutionResult,
  GraphQLError,
  getOperationAST,
} from 'graphql';
import type { OperationResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import type { Config } from '../../config.js';
import type { Context } from '../../context.js';
import { clientError, ErrorCode } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import type { WebSocketContext } from '../context-factory.js';
import { persistedQuery } from '../plugins/safety/persisted-operations.js';
import type { DirectSink } from '../plugins/subscriptions/member.js';
import { sharedMemberOf } from '../plugins/subscriptions/shared-results.js';
import { formatErrors } from '../plugins/subscriptions/wire.js';
import { batchWrites } from './batching.js';
import { createWebSocketDrain } from './drain.js';
import { acceptUpgrades } from './upgrade.js';

/**
 * graphql-ws (`graphql-transport-ws`) on the HTTP server's /graphql, executing through yoga's
 * envelop pipeline (`getEnveloped`), so plugins, context, validation and masking are the same as
 * over HTTP. A connection with no credential is accepted, and each of its operations fails
 * with UNAUTHENTICATED as over HTTP (the runtime contract): a close code would not say why, and
 * graphql-ws clients retry 4403 as if it were a network failure.
 */
export function attachWebSocket(
  server: Server,
  yoga: YogaServerInstance<Partial<WebSocketContext>, Context>,
  config: Config,
  { logger, onRefused }: { logger: Logger; onRefused: () => void },
): { wss: WebSocketServer; close: () => Promise<void>; cutOff: () => void } {
  const { websocket } = config;
  // noServer, upgrades handed over here: with `server`, ws re-emits the HTTP server's own errors
  // (a port in use at start) on the WebSocket server, where graphql-ws prints them with a stack.
  const wss = new WebSocketServer({
    noServer: true,
    path: yoga.graphqlEndpoint,
    maxPayload: websocket.maxPayloadBytes,
    // ws's default, said here because it matters: compression would hold a zlib context per
    // connection (tens of KB each) and compress each frame for each subscriber anew.
    perMessageDeflate: false,
  });
  const detach = acceptUpgrades(server, wss, {
    maxConnections: websocket.maxConnections,
    corsOrigins: config.safety.corsOrigins,
    onRefused,
  });
  wss.once('close', detach);
  const active = new WeakMap<object, number>();
  const recentSubscribes = new WeakMap<object, number[]>();
  const persisted = config.safety.persistedOperations;
  const drain = createWebSocketDrain();

  useServer<Record<string, unknown> | undefined>(
    {
      connectionInitWaitTimeout: websocket.connectionInitTimeoutMs,
      onConnect: (ctx) => {
        drain.connected(ctx.extra.socket, ctx);
      },
      execute: (args) => (args.rootValue as Enveloped).execute(args),
      subscribe: async (args) => {
        const { subscribe, socket, id } = args.rootValue as Enveloped;
        const result = await subscribe(args);
        const member = sharedMemberOf(args.contextValue);
        if (!member) return result;
        // A member of a shared group: its results go straight to the socket, as its group
        // serialised them, and graphql-ws iterates the member itself only for its end. The
        // pipeline's per-operation stream around it, and the context, are let go: they are
        // what a subscription's memory would otherwise be.
        member.sendDirect(directSink(socket, id));
        args.contextValue = undefined;
        return member;
      },
      onSubscribe: async (ctx, id, payload) => {
        // An operation sent after the stop began: the socket goes now, and a graphql-ws client
        // sends its operations again on its next connection (another replica).
        const { socket } = ctx.extra;
        if (drain.closing(socket)) {
          drain.closeNow(socket);
          return [clientError(ErrorCode.UPSTREAM_UNAVAILABLE, 'The gateway is shutting down.')];
        }
        // A flood of subscribe messages costs parsing and validation even when refused: past
        // the per-minute bound the connection is closed (4429), as graphql-ws does for floods.
        const now = Date.now();
        const recent = (recentSubscribes.get(ctx) ?? []).filter((at) => now - at < 60_000);
        recent.push(now);
        recentSubscribes.set(ctx, recent);
        if (recent.length > websocket.maxSubscribesPerMinute) {
          ctx.extra.socket.close(4429, 'Too many subscribe messages');
          return [clientError(ErrorCode.BAD_USER_INPUT, 'Too many subscribe messages.')];
        }
        const source = persisted ? persistedQuery(persisted, payload) : { query: payload.query };
        if ('refused' in source) return [clientError(ErrorCode.BAD_USER_INPUT, source.refused)];
        const count = (active.get(ctx) ?? 0) + 1;
        if (count > websocket.maxSubscriptionsPerConnection) {
          return [
            clientError(
              ErrorCode.BAD_USER_INPUT,
              `At most ${websocket.maxSubscriptionsPerConnection} subscriptions per connection.`,
            ),
          ];
        }
        // Reserved before any await, so subscribe messages sent back to back all count; and a
        // query is in flight from here, so that a stop beginning during an await waits for it.
        active.set(ctx, count);
        // A query or a mutation: answered before the socket closes on a stop (a mutation's
        // client must learn whether it ran); a subscription does not hold the stop.
        let awaited = false;
        const release = () => {
          active.set(ctx, Math.max(0, (active.get(ctx) ?? 1) - 1));
          if (awaited) drain.ended(socket, id);
        };
        try {
          const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped(
            {
              clientAuthorization: clientAuthorization(ctx.connectionParams, ctx.extra.request),
              req: ctx.extra.request,
            },
          );
          const operationName = payload.operationName ?? null;
          const document = parse(source.query);
          const operation = getOperationAST(document, operationName)?.operation;
          awaited = operation !== undefined && operation !== 'subscription';
          if (awaited) drain.started(socket, id);
          const args: ExecutionArgs = {
            schema,
            operationName,
            document,
            variableValues: payload.variables ?? null,
            contextValue: await contextFactory(),
            rootValue: { execute, subscribe, socket, id } satisfies Enveloped,
          };
          const errors = validate(args.schema, args.document);
          if (errors.length) {
            release();
            return errors;
          }
          return args;
        } catch (error) {
          release();
          // A syntax error is the client's; anything else is ours and gets masked.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
      },
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors?.length && !result.extensions?.['http']) return undefined;
        const { errors, extensions, ...rest } = result;
        const formatted = { ...rest } as FormattedExecutionResult;
        if (errors?.length) formatted.errors = formatErrors(errors);
        const { http: _http, ...kept } = extensions ?? {};
        if (Object.keys(kept).length > 0) formatted.extensions = kept;
        return formatted;
      },
      onError: (_ctx, _id, _payload, errors) => formatErrors(errors),
      onComplete: (ctx, id) => {
        active.set(ctx, Math.max(0, (active.get(ctx) ?? 1) - 1));
        drain.ended(ctx.extra.socket, id);
      },
    },
    wss,
    websocket.keepAliveMs || undefined,
  );
  // graphql-ws prints a socket's 'error' (a client's oversized or malformed frame, which ws has
  // already answered with its close code) with console.error and ws's stack, once per frame: a
  // client's mistake, said here as one structured line. Registered after useServer's own
  // 'connection' listener, so its handler is there to replace.
  wss.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      logger.debug({ code: error.code ?? error.name }, 'WebSocket closed on a frame error');
      if (socket.readyState === socket.OPEN) socket.close(1011, 'Internal server error');
    });
  });
  return { wss, close: () => drain.close(wss), cutOff: () => drain.cutOff(wss) };
}

/** What the root value carries from onSubscribe to execution: the pipeline, and whom it is for. */
interface Enveloped {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
  socket: WebSocket;
  id: string;
}

/**
 * graphql-ws `next` frames for operation `id`, written on `socket` as they are: the payload is
 * the group's JSON. Nothing is written once the socket is closing; graphql-ws then ends the
 * operation, and its member with it.
 */
function directSink(socket: WebSocket, id: string): DirectSink {
  return {
    prefix: `{"id":${JSON.stringify(id)},"type":"next","payload":`,
    suffix: '}',
    send(frame, written) {
      if (socket.readyState !== socket.OPEN) return false;
      batchWrites(socket);
      socket.send(frame, written);
      return true;
    },
  };
}

/** `authorization` (or `Authorization`) of connection_init, else the upgrade request's header. */
function clientAuthorization(
  params: Record<string, unknown> | undefined,
  request: IncomingMessage,
): string | undefined {
  const fromParams = params?.['authorization'] ?? params?.['Authorization'];
  if (typeof fromParams === 'string' && fromParams.trim() !== '') return fromParams;
  const fromHeader = request.headers.authorization;
  return fromHeader && fromHeader.trim() !== '' ? fromHeader : undefined;
}
