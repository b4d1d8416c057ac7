import type { Context as SocketContext } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';

const GOING_AWAY = 'Server shutting down';

/**
 * The queries and mutations in flight on each WebSocket, so that a stop closes each socket with
 * 1001 (going away) once they are answered, as HTTP requests in flight are answered; subscriptions do
 * not wait.
 */
export function createWebSocketDrain() {
  const queries = new WeakMap<WebSocket, Set<string>>();
  const contexts = new WeakMap<WebSocket, SocketContext>();
  const closing = new WeakSet<WebSocket>();
  const busy = (socket: WebSocket) => (queries.get(socket)?.size ?? 0) > 0;
  return {
    /** Whether the stop has asked this socket to close. */
    closing: (socket: WebSocket) => closing.has(socket),
    connected(socket: WebSocket, context: SocketContext): void {
      contexts.set(socket, context);
    },
    started(socket: WebSocket, id: string): void {
      let running = queries.get(socket);
      if (!running) {
        running = new Set();
        queries.set(socket, running);
      }
      running.add(id);
    },
    /** The operation `id` is over: answered, refused or cancelled. */
    ended(socket: WebSocket, id: string): void {
      if (!queries.get(socket)?.delete(id) || busy(socket) || !closing.has(socket)) return;
      // graphql-ws sends the operation's last message after its hook returns: the close follows it.
      setImmediate(() => socket.close(1001, GOING_AWAY));
    },
    /**
     * Closes every idle socket now and every other once its operations are answered; stops
     * accepting upgrades; resolves once all are closed. The subscriptions of a socket that waits
     * end at once without `complete` (graphql-ws sends none for an id it no longer holds, as
     * when a client completes one): `complete` is final to a client, while after the 1001 it
     * subscribes again elsewhere. So the stop need not wait for sockets to end every watch.
     */
    close(wss: WebSocketServer): Promise<void> {
      for (const socket of wss.clients) {
        closing.add(socket);
        if (!busy(socket)) {
          socket.close(1001, GOING_AWAY);
          continue;
        }
        const subscriptions: Record<string, unknown> = contexts.get(socket)?.subscriptions ?? {};
        const running = queries.get(socket);
        for (const [id, subscription] of Object.entries(subscriptions)) {
          if (running?.has(id) || !subscription) continue;
          delete subscriptions[id];
          void (subscription as AsyncGenerator).return?.(undefined);
        }
      }
      return new Promise((resolve) => wss.close(() => resolve()));
    },
    /** At the stop's deadline: 1001 even for a socket whose query is still running. */
    cutOff(wss: WebSocketServer): void {
      for (const socket of wss.clients) {
        // One that already had its 1001 and never answered is cut.
        if (socket.readyState === socket.OPEN) socket.close(1001, GOING_AWAY);
        else socket.terminate();
      }
    },
    /** Closes one socket now: it sent an operation after the stop began. */
    closeNow(socket: WebSocket): void {
      socket.close(1001, GOING_AWAY);
    },
  };
}
