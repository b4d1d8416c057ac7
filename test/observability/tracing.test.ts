import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { SIM_SYNCS } from '../../tools/simulator/index.js';
import { listen } from '../utils/net.js';
import { startTestApp } from '../utils/test-app.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

/** A stand-in OpenTelemetry collector: records the spans of every OTLP/HTTP JSON export. */
async function startCollector(): Promise<{ url: string; spans: OtlpSpan[] }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const parsed = JSON.parse(body) as {
        resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const resource of parsed.resourceSpans) {
        for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { url: (await listen(server)).url, spans };
}

describe('OpenTelemetry traces (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('exports an operation span under the caller traceparent, with the upstream call as its child', async () => {
    const otlp = await startCollector();
    const t = await startTestApp({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url });
    const response = await t.app.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${TRACE}-00f067aa0ba902b7-01`,
      },
      body: JSON.stringify({
        query: /* GraphQL */ `query Health { bulkSync(id: "${SIM_SYNCS.orders}") { id } }`,
      }),
    });
    expect(response.status).toBe(200);
    await t.close(); // flushes the exporter

    const operation = otlp.spans.find((s) => s.name === 'graphql.query Health');
    const upstream = otlp.spans.find((s) => s.name === 'GET /api/bulk/syncs/{id}/status');
    expect(operation?.traceId).toBe(TRACE);
    expect(operation?.parentSpanId).toBe('00f067aa0ba902b7');
    expect(upstream?.traceId).toBe(TRACE);
    expect(upstream?.parentSpanId).toBe(operation?.spanId);
  });
});
