import type { Writable } from 'node:stream';

/** The connection under each WebSocket, as the upgrade handed it to ws. */
const connections = new WeakMap<object, Writable>();
const held = new Set<Writable>();
let releasing = false;

/** Notes the connection `socket` runs on (ws's own stays private). */
export function noteConnection(socket: object, connection: Writable): void {
  connections.set(socket, connection);
}

/**
 * Holds what is written to `socket`'s connection until this turn of the event loop ends, so
 * that the frames of a fan-out to one connection leave in one write (each frame is otherwise a
 * system call of its own: in a fan-out to 20,000 subscriptions, most of the gateway's time).
 * Written by hand: ws corks the connection only around each frame.
 */
export function batchWrites(socket: object): void {
  const connection = connections.get(socket);
  if (!connection || held.has(connection)) return;
  connection.cork();
  held.add(connection);
  if (releasing) return;
  releasing = true;
  setImmediate(release);
}

function release(): void {
  releasing = false;
  for (const connection of held) connection.uncork();
  held.clear();
}
