// The live status board at /board (BOARD_ENABLED): the page `npm run build` bundled into
// dist/board (board/ holds its source). Read once at start, kept gzipped in memory: a few
// files, a few tens of KB, and no static-file library to trust with path handling.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../observability/logger.js';

interface File {
  body: Uint8Array<ArrayBuffer>;
  gzipped: Uint8Array<ArrayBuffer>;
  type: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/**
 * The page may talk to this gateway only (connect-src 'self' covers its WebSocket too), and run
 * only its own script and style: a key typed into it can go nowhere else.
 */
const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** dist/board of this package, wherever the running code was built to (dist/, build/, src/). */
export function boardDirectory(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'board');
}

// Plain Uint8Arrays, which a Response takes as they are: no copy per request.
const file = (body: Buffer, type: string): File => ({
  body: new Uint8Array(body),
  gzipped: new Uint8Array(gzipSync(body)),
  type,
});

/** Whether the client takes gzip: named, and not with q=0. */
const takesGzip = (acceptEncoding: string | null) =>
  /(?:^|,)\s*gzip\s*(?:$|,|;\s*q=(?!0(?:\.0*)?\s*(?:$|,)))/i.test(acceptEncoding ?? '');

/** The built board's files by URL path, or undefined when it was not built. */
function loadBoard(directory: string, maxIdsPerRequest: number): Map<string, File> | undefined {
  const index = join(directory, 'index.html');
  if (!existsSync(index)) return undefined;
  const files = new Map<string, File>();
  const html = readFileSync(index, 'utf8').replace('__MAX_IDS__', String(maxIdsPerRequest));
  files.set('/board', file(Buffer.from(html), TYPES['.html'] as string));
  for (const name of readdirSync(join(directory, 'assets'))) {
    const type = TYPES[name.slice(name.lastIndexOf('.'))];
    if (type)
      files.set(`/board/assets/${name}`, file(readFileSync(join(directory, 'assets', name)), type));
  }
  return files;
}

/** Serves GET/HEAD /board and its assets; every other request passes on to GraphQL. */
export function useBoard(options: {
  directory: string;
  maxIdsPerRequest: number;
  logger: Logger;
}): Plugin {
  const files = loadBoard(options.directory, options.maxIdsPerRequest);
  if (!files) options.logger.warn('BOARD_ENABLED but the board is not built: run npm run build');
  return {
    onRequest({ request, url, endResponse }) {
      const path = url.pathname === '/board/' ? '/board' : url.pathname;
      if (path !== '/board' && !path.startsWith('/board/')) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }));
        return;
      }
      if (!files) {
        endResponse(new Response('The board is not built: run npm run build.\n', { status: 503 }));
        return;
      }
      const found = files.get(path);
      if (!found) {
        endResponse(new Response('Not found\n', { status: 404 }));
        return;
      }
      const gzip = takesGzip(request.headers.get('accept-encoding'));
      const headers = new Headers({
        'content-type': found.type,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        vary: 'Accept-Encoding',
        // Assets are named by their hash: cached for ever. The page is checked each time.
        'cache-control': path === '/board' ? 'no-cache' : 'public, max-age=31536000, immutable',
      });
      if (path === '/board') headers.set('content-security-policy', PAGE_POLICY);
      if (gzip) headers.set('content-encoding', 'gzip');
      const body = gzip ? found.gzipped : found.body;
      headers.set('content-length', String(body.length));
      endResponse(new Response(request.method === 'HEAD' ? null : body, { headers }));
    },
  };
}
