import type { Server as HttpServer } from 'node:http';
import { type AddressInfo, connect, createServer } from 'node:net';
import { leftover } from './leftovers.js';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (closed again, so a child process or a
 * private redis-server that must be told its port can take it).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether a new TCP connection to the port is refused (nothing listens, or it stopped accepting). */
export function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/**
 * Listens on `host:port` (port 0: a free one) with a server that answers nothing, to make a port
 * taken; closed with the leftovers. Resolves to the port.
 */
export async function occupyPort(host = '127.0.0.1', port = 0): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  leftover('port holder', () => new Promise((resolve) => server.close(resolve)));
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}

/**
 * Listens with an HTTP server on a free loopback port. Resolves to its base URL
 * (`http://127.0.0.1:<port>`) and its close (open connections included; also done with the
 * leftovers).
 */
export async function listen(
  server: HttpServer,
): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const close = leftover('HTTP server', () => {
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    return closed;
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close };
}
