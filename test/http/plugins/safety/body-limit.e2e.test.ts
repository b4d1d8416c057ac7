import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SIM_SYNCS } from '../../../../tools/simulator/index.js';
import { leftover } from '../../../utils/leftovers.js';
import { paddedBody } from '../../../utils/operations.js';
import { startTestApp } from '../../../utils/test-app.js';

const LIMIT = 2048;
const QUERY = `{ bulkSync(id: "${SIM_SYNCS.idle}") { id } }`;
const bodyOf = (bytes: number) => paddedBody(QUERY, bytes);

interface Answer {
  status: number;
  codes: (string | undefined)[];
  data: unknown;
}

/** POSTs over a real socket, with Content-Length or chunked (no Content-Length). */
function post(base: string, body: string, framing: 'content-length' | 'chunked'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(framing === 'content-length'
          ? { 'content-length': Buffer.byteLength(body) }
          : { 'transfer-encoding': 'chunked' }),
      },
    });
    req.on('response', async (res) => {
      let text = '';
      for await (const chunk of res) text += chunk;
      const json = JSON.parse(text) as {
        data?: unknown;
        errors?: { extensions?: { code?: string } }[];
      };
      resolve({
        status: res.statusCode ?? 0,
        codes: (json.errors ?? []).map((e) => e.extensions?.code),
        data: json.data,
      });
    });
    req.on('error', reject);
    // Several writes, so a chunked body really arrives in pieces.
    for (let at = 0; at < body.length; at += 500) req.write(body.slice(at, at + 500));
    req.end();
  });
}

describe('request body limit (MAX_REQUEST_BYTES)', () => {
  for (const framing of ['content-length', 'chunked'] as const) {
    it(`serves a body of exactly the limit, sent with ${framing}`, async () => {
      const t = await startTestApp({ MAX_REQUEST_BYTES: String(LIMIT) });
      const base = await t.app.start();
      const answer = await post(base, bodyOf(LIMIT), framing);
      expect(answer).toEqual({
        status: 200,
        codes: [],
        data: { bulkSync: { id: SIM_SYNCS.idle } },
      });
      expect(t.sim.statusCalls()).toBe(1);
    });

    it(`refuses one byte more with 413, sent with ${framing}, and calls nothing upstream`, async () => {
      const t = await startTestApp({ MAX_REQUEST_BYTES: String(LIMIT) });
      const base = await t.app.start();
      const answer = await post(base, bodyOf(LIMIT + 1), framing);
      expect(answer.status).toBe(413);
      expect(answer.codes).toEqual(['BAD_USER_INPUT']);
      expect(t.sim.statusCalls()).toBe(0);
      // Still serving on the same gateway.
      expect((await post(base, bodyOf(100), framing)).status).toBe(200);
    });
  }

  // The header check relies on Node's strict parser refusing ambiguous framing; pin that here.
  for (const [name, framing] of [
    [
      'both Content-Length and Transfer-Encoding',
      'Content-Length: 10\r\nTransfer-Encoding: chunked',
    ],
    ['two Content-Lengths', 'Content-Length: 10\r\nContent-Length: 5000'],
  ] as const) {
    it(`refuses a request with ${name} at the socket (400) and calls nothing upstream`, async () => {
      const t = await startTestApp({ MAX_REQUEST_BYTES: String(LIMIT) });
      const { port } = new URL(await t.app.start());
      const socket = connect(Number(port), '127.0.0.1');
      leftover('socket', () => socket.destroy());
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${framing}\r\n\r\n${bodyOf(LIMIT + 1)}`,
      );
      let reply = '';
      for await (const chunk of socket) reply += chunk;
      expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
      expect(t.sim.statusCalls()).toBe(0);
    });
  }
});
