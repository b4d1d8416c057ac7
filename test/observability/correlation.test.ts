import { describe, expect, it } from 'vitest';
import { correlationOf } from '../../src/observability/correlation.js';
import { startTestApp } from '../utils/test-app.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const headers = (h: Record<string, string>) => (name: string) => h[name];

describe('correlationOf', () => {
  it('takes a well-formed x-request-id and a valid traceparent', () => {
    expect(
      correlationOf(
        headers({ 'x-request-id': 'router-req-7', traceparent: `00-${TRACE}-${SPAN}-01` }),
      ),
    ).toEqual({ requestId: 'router-req-7', traceId: TRACE, parentSpanId: SPAN });
  });

  it('replaces a malformed request id with a UUID and ignores invalid traceparents', () => {
    for (const traceparent of [
      `00-${'0'.repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `ff-${TRACE}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}`,
      'garbage',
    ]) {
      const c = correlationOf(headers({ 'x-request-id': 'bad id with spaces', traceparent }));
      expect(c.requestId).toMatch(
        /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/,
      );
      expect(c.traceId).toBeUndefined();
    }
  });
});

describe('request correlation through the gateway', () => {
  it('echoes x-request-id, sends it upstream and puts it and the trace id in the log lines', async () => {
    const t = await startTestApp();
    const missing = '0a0a0a0a-0000-4000-8000-0000000000ff';
    const response = await t.app.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': 'router-req-42',
        traceparent: `00-${TRACE}-${SPAN}-01`,
      },
      body: JSON.stringify({ query: `{ bulkSync(id: "${missing}") { id } }` }),
    });
    expect(response.headers.get('x-request-id')).toBe('router-req-42');
    expect(
      ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]
        ?.extensions.code,
    ).toBe('NOT_FOUND');
    expect(t.sim.requests.map((r) => r.headers['x-request-id'])).toEqual(['router-req-42']);
    const line = t.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['msg'] === 'bulk sync unreadable');
    expect(line).toMatchObject({
      requestId: 'router-req-42',
      traceId: TRACE,
      parentSpanId: SPAN,
      syncId: missing,
    });
  });
});
