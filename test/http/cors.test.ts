import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { originAllowed, webSocketOriginAllowed } from '../../src/http/cors.js';
import { startTestApp } from '../utils/test-app.js';

// CORS_ORIGINS with a port wildcard (`http://localhost:*`): how config reads it, what matches it,
// and the headers yoga then sends. The demo's own list: test/demo-config.test.ts.

/** Every header yoga's CORS answer allows, in the order cors.ts lists them. */
const ALLOWED_HEADERS =
  'authorization, content-type, x-request-id, traceparent, x-graphql-yoga-csrf, apollo-require-preflight, graphql-preflight';

const LOCAL = 'http://localhost:*,http://127.0.0.1:*,http://[::1]:*';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

/** The CORS headers of a response, by name. */
function corsHeaders(response: Response): Record<string, string> {
  return Object.fromEntries(
    [...response.headers].filter(([name]) => name.toLowerCase().startsWith('access-control-')),
  );
}

describe('CORS_ORIGINS with any port', () => {
  it('reads scheme://host:* for a host name, an IPv4 and an IPv6 address, spelled as URL.origin does', () => {
    const config = loadConfig({
      CORS_ORIGINS: 'http://localhost:*, HTTP://127.0.0.1:*,http://[::1]:*,https://app.example',
    });
    expect(config.env).toBe('production');
    expect(config.safety.corsOrigins).toEqual([
      'http://localhost:*',
      'http://127.0.0.1:*',
      'http://[::1]:*',
      'https://app.example',
    ]);
  });

  it('refuses a port wildcard on anything but a bare scheme and host', () => {
    expect(
      problems({
        CORS_ORIGINS:
          'http://localhost:3000:*,http://localhost/:*,http://*:*,localhost:*,ftp://localhost:*,http://u:secret@localhost:*,http://localhost:*/app',
      }),
    ).toEqual([
      'CORS_ORIGINS: each must be *, an origin like https://app.example:8443 or one on any port like http://localhost:*, not "http://localhost:3000:*", "http://localhost/:*", "http://*:*", "localhost:*", "ftp://localhost:*", "http://…@localhost:*", "http://localhost:*/app"',
    ]);
  });
});

describe('originAllowed', () => {
  const listed = ['http://localhost:*', 'http://[::1]:*', 'https://app.example'];
  it.each([
    ['http://localhost:5173', true],
    ['http://localhost:3000', true],
    ['http://localhost', true],
    ['http://[::1]:5173', true],
    ['https://app.example', true],
    ['https://localhost:5173', false],
    ['http://127.0.0.1:5173', false],
    ['http://localhost.evil.example:5173', false],
    ['http://evil.example:5173', false],
    ['https://app.example:8443', false],
    ['http://localhost:5173/', false],
    ['null', false],
    ['', false],
  ])('%s: %s', (origin, allowed) => {
    expect(originAllowed(origin, listed)).toBe(allowed);
  });

  it('* allows any origin; a list without a wildcard only its own', () => {
    expect(originAllowed('http://evil.example', ['*'])).toBe(true);
    expect(originAllowed('http://localhost:5173', ['http://localhost:3000'])).toBe(false);
  });

  it('decides which browser pages may open a WebSocket too', () => {
    const upgrade = (origin: string) =>
      ({ headers: { origin, host: 'gateway.internal:4000' } }) as unknown as IncomingMessage;
    expect(webSocketOriginAllowed(upgrade('http://localhost:5173'), LOCAL.split(','))).toBe(true);
    expect(webSocketOriginAllowed(upgrade('http://[::1]:8080'), LOCAL.split(','))).toBe(true);
    expect(webSocketOriginAllowed(upgrade('http://evil.example:5173'), LOCAL.split(','))).toBe(
      false,
    );
  });
});

describe('CORS headers with CORS_ORIGINS=http://localhost:*,… (production mode)', () => {
  const preflight = (origin: string): RequestInit => ({
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    },
  });

  it('a preflight from a local dev server: 204, its origin echoed, the headers it asked allowed', async () => {
    const t = await startTestApp({ CORS_ORIGINS: LOCAL });
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000', 'http://[::1]:8080']) {
      const response = await t.app.yoga.fetch('http://localhost:4000/graphql', preflight(origin));
      expect(response.status).toBe(204);
      expect(corsHeaders(response)).toEqual({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-expose-headers': 'x-request-id',
        'access-control-max-age': '600',
      });
      expect(response.headers.get('vary')).toBe('Origin');
    }
    expect(t.sim.requests).toEqual([]);
  });

  it('another origin gets no CORS headers: a preflight is 204 without them, a POST is answered without them', async () => {
    const t = await startTestApp({ CORS_ORIGINS: LOCAL });
    for (const origin of ['http://evil.example:5173', 'https://localhost:5173']) {
      const response = await t.app.yoga.fetch('http://localhost:4000/graphql', preflight(origin));
      expect(response.status).toBe(204);
      expect(corsHeaders(response)).toEqual({});
      const post = await t.app.yoga.fetch('http://localhost:4000/graphql', {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(post.status).toBe(200);
      expect(corsHeaders(post)).toEqual({});
    }
  });
});
