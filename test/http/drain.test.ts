import { Agent, createServer, request, type ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { drainable } from '../../src/http/drain.js';
import { leftover } from '../utils/leftovers.js';
import { listen } from '../utils/net.js';
import { until } from '../utils/wait.js';

// A server whose responses the test ends by hand, and a keep-alive client. Node's Agent keeps an
// idle socket for ever, so a connection that closes was closed by the server.

interface Answer {
  connection: string | undefined;
  body: string;
}

async function serve() {
  const responses: ServerResponse[] = [];
  const http = drainable((req, res) => {
    responses.push(res);
    // `/stream` begins at once, as an SSE stream does; anything else waits to be answered.
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('first\n');
    }
  });
  const { url } = await listen(createServer(http.listener));
  const { port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  leftover('HTTP agent', () => agent.destroy());
  let closedSockets = 0;
  const seen = new WeakSet<object>();
  const get = (path: string) => {
    let body = '';
    const answer = new Promise<Answer>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', path, agent });
      req.on('socket', (socket) => {
        if (seen.has(socket)) return;
        seen.add(socket);
        socket.on('close', () => closedSockets++);
      });
      req.on('error', reject);
      req.on('response', (res) => {
        res.on('data', (chunk: Buffer) => (body += chunk));
        res.on('end', () => resolve({ connection: res.headers.connection, body }));
      });
      req.end();
    });
    return { answer, received: () => body };
  };
  return { http, responses, get, closedSockets: () => closedSockets };
}

describe('drainable', () => {
  it('keeps connections alive until drain()', async () => {
    const { responses, get, closedSockets } = await serve();
    const { answer } = get('/a');
    await until(() => responses.length === 1);
    responses[0]?.end('a');
    expect(await answer).toEqual({ connection: 'keep-alive', body: 'a' });
    expect(closedSockets()).toBe(0);
  });

  it('a response not begun at drain() says Connection: close, and its connection closes', async () => {
    const { http, responses, get, closedSockets } = await serve();
    const { answer } = get('/slow');
    await until(() => responses.length === 1);
    http.drain();
    responses[0]?.end('late');
    expect(await answer).toEqual({ connection: 'close', body: 'late' });
    await until(() => closedSockets() === 1);
  });

  it('the connection of a response already begun (a stream) closes once it ends', async () => {
    const { http, responses, get, closedSockets } = await serve();
    const { answer, received } = get('/stream');
    await until(() => received() === 'first\n');
    http.drain();
    responses[0]?.end('last\n');
    expect(await answer).toEqual({ connection: 'keep-alive', body: 'first\nlast\n' });
    await until(() => closedSockets() === 1);
  });

  it('a request on a kept-alive connection after drain() is answered with Connection: close', async () => {
    const { http, responses, get, closedSockets } = await serve();
    const first = get('/one');
    await until(() => responses.length === 1);
    responses[0]?.end('one');
    expect(await first.answer).toEqual({ connection: 'keep-alive', body: 'one' });
    http.drain();
    // maxSockets 1: the same, idle socket carries the second request.
    const second = get('/two');
    await until(() => responses.length === 2);
    responses[1]?.end('two');
    expect(await second.answer).toEqual({ connection: 'close', body: 'two' });
    await until(() => closedSockets() === 1);
  });
});
