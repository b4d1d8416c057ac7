import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { webSocketOriginAllowed } from '../cors.js';
import { noteConnection } from './batching.js';

/**
 * Hands the HTTP server's upgrades to `wss`, refusing those over the connection cap (503 with
 * Retry-After) and those from a browser page of a foreign origin (403). Returns the detach
 * function.
 */
export function acceptUpgrades(
  server: Server,
  wss: WebSocketServer,
  { maxConnections, corsOrigins, onRefused }: UpgradeOptions,
): () => void {
  const upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Each socket holds memory and may hold subscriptions: a bound, as for every other resource.
    // ws adds a socket to `clients` within handleUpgrade, so a burst cannot overshoot it.
    if (wss.clients.size >= maxConnections) {
      onRefused();
      socket.end(REFUSED);
      return;
    }
    if (!webSocketOriginAllowed(request, corsOrigins)) {
      socket.end(FORBIDDEN_ORIGIN);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      noteConnection(ws, socket);
      wss.emit('connection', ws, request);
    });
  };
  server.on('upgrade', upgrade);
  return () => server.off('upgrade', upgrade);
}

export interface UpgradeOptions {
  /** WS_MAX_CONNECTIONS. */
  maxConnections: number;
  /** CORS_ORIGINS: the browser origins that may open a WebSocket besides the gateway's own. */
  corsOrigins: string[];
  /** Told of each upgrade refused for the cap. */
  onRefused: () => void;
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
