import type { WebSocket, WebSocketServer } from 'ws';

const GOING_AWAY = 'Server shutting down';

/**
 * The queries in flight on each WebSocket, so that a stop closes each socket with 1001 (going
 * away) once its queries are answered, as HTTP requests in flight are answered; subscriptions do
 * not wait.
 */
export function createWebSocketDrain() {
  const queries = new WeakMap<WebSocket, Set<string>>();
  const closing = new WeakSet<WebSocket>();
  const busy = (socket: WebSocket) => (queries.get(socket)?.size ?? 0) > 0;
  return {
    /** Whether the stop has asked this socket to close. */
    closing: (socket: WebSocket) => closing.has(socket),
    started(socket: WebSocket, id: string): void {
      let running = queries.get(socket);
      if (!running) {
        running = new Set();
        queries.set(socket, running);
      }
      running.add(id);
    },
    /** The query `id` is over: answered, refused or cancelled. */
    ended(socket: WebSocket, id: string): void {
      if (!queries.get(socket)?.delete(id) || busy(socket) || !closing.has(socket)) return;
      // graphql-ws sends the query's last message after its hook returns: the close follows it.
      setImmediate(() => socket.close(1001, GOING_AWAY));
    },
    /** Closes every socket once idle and stops accepting upgrades; resolves once all are closed. */
    close(wss: WebSocketServer): Promise<void> {
      for (const socket of wss.clients) {
        closing.add(socket);
        if (!busy(socket)) socket.close(1001, GOING_AWAY);
      }
      return new Promise((resolve) => wss.close(() => resolve()));
    },
    /** Closes one socket now: it sent an operation after the stop began. */
    closeNow(socket: WebSocket): void {
      socket.close(1001, GOING_AWAY);
    },
  };
}
