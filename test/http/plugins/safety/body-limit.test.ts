import { describe, expect, it } from 'vitest';
import { SIM_SYNCS } from '../../../../tools/simulator/index.js';
import { paddedBody } from '../../../utils/operations.js';
import { startTestApp } from '../../../utils/test-app.js';

// MAX_REQUEST_BYTES on in-process requests (yoga.fetch), whose length no HTTP parser checked;
// over a real socket: body-limit.e2e.test.ts.

const LIMIT = 2048;
const QUERY = `{ bulkSync(id: "${SIM_SYNCS.idle}") { id } }`;
const bodyOf = (bytes: number) => paddedBody(QUERY, bytes);

describe('request body limit (MAX_REQUEST_BYTES)', () => {
  it('counts the body of an in-process request (yoga.fetch), whose length no parser checked', async () => {
    const t = await startTestApp({ MAX_REQUEST_BYTES: String(LIMIT) });
    const body = bodyOf(LIMIT + 1);
    // A stream, so the Request carries no Content-Length of its own.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(body));
        controller.close();
      },
    });
    const response = await t.app.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      errors: [{ extensions: { code: 'BAD_USER_INPUT' } }],
    });
    expect(t.sim.statusCalls()).toBe(0);
  });

  it('refuses a declared Content-Length over the limit without reading the body', async () => {
    const t = await startTestApp({ MAX_REQUEST_BYTES: String(LIMIT) });
    let read = false;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          read = true;
          controller.enqueue(new TextEncoder().encode(bodyOf(LIMIT + 1)));
          controller.close();
        },
        // Pulled only when someone reads, not ahead of time.
      },
      { highWaterMark: 0 },
    );
    const response = await t.app.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(LIMIT + 1) },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(read).toBe(false);
    expect(t.sim.statusCalls()).toBe(0);
  });

  it('counts an in-process body whose Content-Length understates it', async () => {
    const t = await startTestApp({ MAX_REQUEST_BYTES: String(LIMIT) });
    const response = await t.app.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '10' },
      body: bodyOf(LIMIT + 1),
    });
    expect(response.status).toBe(413);
    expect(t.sim.statusCalls()).toBe(0);
  });

  it('answers 400 BAD_USER_INPUT to a Content-Length that is not one number', async () => {
    const t = await startTestApp({ MAX_REQUEST_BYTES: String(LIMIT) });
    const response = await t.app.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '1,1' },
      body: bodyOf(100),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      errors: [{ extensions: { code: 'BAD_USER_INPUT' } }],
    });
    expect(t.sim.statusCalls()).toBe(0);
  });
});
