import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';

/** The headers a browser must add to a "simple" request (GET, form or text POST) to pass CSRF checks. */
export const CSRF_HEADERS = [
  'x-graphql-yoga-csrf',
  'apollo-require-preflight',
  'graphql-preflight',
];

/**
 * yoga's CORS options. No CORS headers at all unless origins are listed: browsers on other sites
 * then can't read. An origin outside the list gets none either: whatwg-node would answer it (for
 * a list of two or more) with `Access-Control-Allow-Origin: null`, which pages of the opaque
 * origin (a sandboxed iframe, a data: URL) match. A listed origin, or one on a host listed with
 * any port (`http://localhost:*`), is echoed back.
 */
export function corsOptions(origins: string[]) {
  if (origins.length === 0) return false;
  const options = {
    origin: origins.includes('*') ? '*' : origins,
    methods: ['GET', 'POST'],
    allowedHeaders: [
      'authorization',
      'content-type',
      'x-request-id',
      'traceparent',
      ...CSRF_HEADERS,
    ],
    exposedHeaders: ['x-request-id'],
    credentials: false,
    maxAge: 600,
  };
  if (origins.includes('*')) return options;
  return (request: Request) => {
    const origin = request.headers.get('origin');
    return origin !== null && originAllowed(origin, origins) && { ...options, origin };
  };
}

/**
 * Whether CORS_ORIGINS allows the browser Origin `origin`: `*`, the origin itself, or its scheme
 * and host with `:*` (any port, none included). Config has spelled each entry as `URL.origin`
 * does, so the comparisons are exact.
 */
export function originAllowed(origin: string, corsOrigins: readonly string[]): boolean {
  if (corsOrigins.includes('*') || corsOrigins.includes(origin)) return true;
  if (!corsOrigins.some((entry) => entry.endsWith(':*')) || !URL.canParse(origin)) return false;
  const url = new URL(origin);
  return url.origin === origin && corsOrigins.includes(`${url.protocol}//${url.hostname}:*`);
}

/** Whether a response depends on the caller's Origin: specific origins are listed. */
export const varyByOrigin = (origins: string[]) => origins.length > 0 && !origins.includes('*');

/**
 * `Vary: Origin` on every response, not only those that carry CORS headers: otherwise a shared
 * cache could hand a listed origin a copy made for another origin, without them.
 */
export function useVaryOrigin(): Plugin {
  return {
    onResponse({ response }) {
      const vary = response.headers.get('vary');
      if (
        !vary
          ?.toLowerCase()
          .split(/\s*,\s*/)
          .includes('origin')
      ) {
        response.headers.append('vary', 'Origin');
      }
    },
  };
}

/**
 * Whether a browser page may open a WebSocket here. Browsers send Origin with every WebSocket and
 * apply no CORS to it: a page on any site could open one and read with the service credential.
 * The origins CORS_ORIGINS allows may (`originAllowed`), and so may the gateway's own host (its
 * GraphiQL; most WebSocket libraries send the host they dial as Origin), as the client addressed
 * it: Host, or X-Forwarded-Host behind a proxy. A page cannot set either header on a WebSocket.
 * Clients that send no Origin are no browser.
 */
export function webSocketOriginAllowed(request: IncomingMessage, corsOrigins: string[]): boolean {
  const { origin, host } = request.headers;
  if (origin === undefined || originAllowed(origin, corsOrigins)) {
    return true;
  }
  const forwarded = request.headers['x-forwarded-host'];
  const hosts = [host, ...(typeof forwarded === 'string' ? forwarded.split(',') : [])];
  return hosts.some((candidate) => sameHost(origin, candidate?.trim()));
}

/**
 * Whether the Origin `origin` names `host` (a Host header value), read with the origin's scheme
 * so that `https://h` and `h:443`, or letters in another case, compare equal.
 */
function sameHost(origin: string, host: string | undefined): boolean {
  if (!host || !URL.canParse(origin)) return false;
  const { protocol, host: originHost } = new URL(origin);
  const addressed = `${protocol}//${host}`;
  return URL.canParse(addressed) && new URL(addressed).host === originHost;
}
