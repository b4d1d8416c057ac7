import { createHash } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type ExecutionArgs,
  type FormattedExecutionResult,
  GraphQLError,
  type GraphQLFormattedError,
  getOperationAST,
} from 'graphql';
import type { OperationResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { Config } from './config.js';
import type { Context } from './context.js';
import type { Logger } from './logger.js';
import { PERSISTED_REFUSALS } from './plugins/safety.js';
import { clientError, ErrorCode } from './schema/errors.js';
import { createWebSocketDrain } from './websocket-drain.js';

/** What the WebSocket path hands yoga's context factory instead of a fetch `Request`. */
export interface WebSocketContext {
  /** The client credential by the runtime-contract rules for WebSocket, if the client sent one. */
  clientAuthorization: string | undefined;
  req: IncomingMessage;
}

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
  });
  const upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Each socket holds memory and may hold subscriptions: a bound, as for every other resource.
    // ws adds a socket to `clients` within handleUpgrade, so a burst cannot overshoot it.
    if (wss.clients.size >= websocket.maxConnections) {
      onRefused();
      socket.end(REFUSED);
      return;
    }
    if (!originAllowed(request)) {
      socket.end(FORBIDDEN_ORIGIN);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  // Browsers send Origin with every WebSocket and apply no CORS to it: a page on any site could
  // open one and read with the service credential. The origins CORS_ORIGINS lists may, and so
  // may the gateway's own host (its GraphiQL; most WebSocket libraries send the host they dial
  // as Origin), as the client addressed it: Host, or X-Forwarded-Host behind a proxy. A page
  // cannot set either header on a WebSocket. Clients that send no Origin are no browser.
  const { corsOrigins } = config.safety;
  const originAllowed = (request: IncomingMessage) => {
    const { origin, host } = request.headers;
    if (origin === undefined || corsOrigins.includes('*') || corsOrigins.includes(origin)) {
      return true;
    }
    const forwarded = request.headers['x-forwarded-host'];
    const hosts = [host, ...(typeof forwarded === 'string' ? forwarded.split(',') : [])];
    return hosts.some((candidate) => sameHost(origin, candidate?.trim()));
  };
  server.on('upgrade', upgrade);
  wss.once('close', () => server.off('upgrade', upgrade));
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
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
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
        let query = false;
        const release = () => {
          active.set(ctx, Math.max(0, (active.get(ctx) ?? 1) - 1));
          if (query) drain.ended(socket, id);
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
          query = getOperationAST(document, operationName)?.operation === 'query';
          if (query) drain.started(socket, id);
          const args: ExecutionArgs = {
            schema,
            operationName,
            document,
            variableValues: payload.variables ?? null,
            contextValue: await contextFactory(),
            rootValue: { execute, subscribe } satisfies Enveloped,
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

/**
 * Whether the Origin `origin` names `host` (a Host header value), read with the origin's scheme
 * so that `https://h` and `h:443`, or letters in another case, compare equal.
 */
function sameHost(origin: string, host: string | undefined): boolean {
  if (!host || !URL.canParse(origin)) return false;
  const { protocol, host: originHost } = new URL(origin);
  const addressed = `${protocol}//${host}`;
  return URL.canParse(addressed) && new URL(addressed).host === originHost;
}

/** A whole HTTP response, written on the socket of an upgrade that is refused. */
const refusal = (status: string, body: string, headers = '') =>
  `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\n${headers}` +
  `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const FORBIDDEN_ORIGIN = refusal(
  '403 Forbidden',
  'This origin may not open WebSockets here: list it in CORS_ORIGINS.',
);
const REFUSED = refusal(
  '503 Service Unavailable',
  'Too many WebSocket connections; retry later.',
  'Retry-After: 5\r\n',
);
interface Enveloped {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
}

/**
 * The allow-listed document a subscribe message names (`extensions.persistedQuery.sha256Hash`),
 * or why it is refused, in the words of the HTTP refusals. graphql-ws requires a `query` string:
 * empty, or the listed document itself (Apollo's GraphQLWsLink always sends it); a document of
 * the client's own is refused, as over HTTP.
 */
function persistedQuery(
  operations: Map<string, string>,
  payload: { query: string; extensions?: Record<string, unknown> | null | undefined },
): { query: string } | { refused: string } {
  const persistedQuery = payload.extensions?.['persistedQuery'] as
    | { sha256Hash?: unknown }
    | undefined;
  const hash = persistedQuery?.sha256Hash;
  const own = payload.query !== '' && createHash('sha256').update(payload.query).digest('hex');
  if (own && own !== hash) return { refused: PERSISTED_REFUSALS.onlyPersisted };
  if (typeof hash !== 'string') return { refused: PERSISTED_REFUSALS.noHash };
  const query = operations.get(hash);
  return query === undefined ? { refused: PERSISTED_REFUSALS.notListed } : { query };
}

/**
 * Errors as JSON, without the hints yoga's HTTP layer reads and strips from its own responses
 * (`extensions.http`: a status and headers; `unexpected`): over WebSocket nothing strips them.
 */
function formatErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
  return errors.map((error) => {
    const formatted = error.toJSON();
    if (!formatted.extensions) return formatted;
    const { http: _http, unexpected: _unexpected, ...extensions } = formatted.extensions;
    if (Object.keys(extensions).length > 0) return { ...formatted, extensions };
    const { extensions: _all, ...rest } = formatted;
    return rest;
  });
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
