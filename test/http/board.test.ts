import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { boardDirectory, useBoard } from '../../src/http/board.js';
import { createLogger } from '../../src/observability/logger.js';
import { leftover } from '../utils/leftovers.js';
import { startTestApp } from '../utils/test-app.js';

const schema = createSchema({ typeDefs: 'type Query { ok: Boolean }' });

/** A built board in a temporary directory: a page with the placeholder, one script. */
function fakeBoard(): string {
  const dir = mkdtempSync(join(tmpdir(), 'board-'));
  leftover('temporary directory', () => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<meta name="board-max-ids" content="__MAX_IDS__">');
  writeFileSync(join(dir, 'assets', 'board-ABC.js'), 'console.log(1);'.repeat(50));
  return dir;
}

function yogaWith(directory: string) {
  const logs: string[] = [];
  const logger = createLogger('warn', { write: (line: string) => logs.push(line) });
  const yoga = createYoga({
    schema,
    plugins: [useBoard({ directory, maxIdsPerRequest: 7, logger })],
  });
  return { yoga, logs };
}

describe('the board endpoint', () => {
  it('serves the page with the id cap filled in, no-cache, and a CSP that keeps the page to this origin', async () => {
    const { yoga } = yogaWith(fakeBoard());
    const response = await yoga.fetch('http://gw/board');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('<meta name="board-max-ids" content="7">');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves hashed assets for ever, gzipped to a browser that accepts it', async () => {
    const { yoga } = yogaWith(fakeBoard());
    const response = await yoga.fetch('http://gw/board/assets/board-ABC.js', {
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(response.headers.get('vary')).toBe('Accept-Encoding');
    const body = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get('content-length'))).toBe(body.length);
    expect(gunzipSync(body).toString()).toBe('console.log(1);'.repeat(50));
  });

  it('sends the plain file to a client that does not take gzip, or refuses it with q=0', async () => {
    const { yoga } = yogaWith(fakeBoard());
    for (const accept of ['br', 'gzip;q=0', 'br, gzip;q=0.0']) {
      const response = await yoga.fetch('http://gw/board/assets/board-ABC.js', {
        headers: { 'accept-encoding': accept },
      });
      expect([response.headers.get('content-encoding'), await response.text()]).toEqual([
        null,
        'console.log(1);'.repeat(50),
      ]);
    }
  });

  it('answers 404 for a path it does not hold, 405 for other methods, and passes other paths on', async () => {
    const { yoga } = yogaWith(fakeBoard());
    expect((await yoga.fetch('http://gw/board/assets/../index.html')).status).toBe(404);
    expect((await yoga.fetch('http://gw/board/assets/missing.js')).status).toBe(404);
    const post = await yoga.fetch('http://gw/board', { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    const graphql = await yoga.fetch('http://gw/graphql?query={ok}');
    expect(await graphql.json()).toEqual({ data: { ok: null } });
  });

  it('says how to build it when enabled but not built', async () => {
    const { yoga, logs } = yogaWith(join(tmpdir(), 'no-board-here'));
    const response = await yoga.fetch('http://gw/board');
    expect([response.status, await response.text()]).toEqual([
      503,
      'The board is not built: run npm run build.\n',
    ]);
    expect(logs.map((line) => JSON.parse(line).msg)).toEqual([
      'BOARD_ENABLED but the board is not built: run npm run build',
    ]);
  });
});

describe('BOARD_ENABLED', () => {
  it('off (the default): /board is not served', async () => {
    const t = await startTestApp();
    expect((await t.app.yoga.fetch('http://gw/board')).status).toBe(404);
  });

  it('on: /board is the built board, which loads its hashed script and style', async () => {
    const t = await startTestApp({ BOARD_ENABLED: 'true', MAX_IDS_PER_REQUEST: '25' });
    const page = await (await t.app.yoga.fetch('http://gw/board')).text();
    const built = readFileSync(join(boardDirectory(), 'index.html'), 'utf8');
    expect(page).toBe(built.replace('__MAX_IDS__', '25'));
    const assets = [...page.matchAll(/(?:src|href)="(\/board\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets).toHaveLength(2);
    for (const asset of assets) {
      expect((await t.app.yoga.fetch(`http://gw${asset}`)).status).toBe(200);
    }
  });
});
