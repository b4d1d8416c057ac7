// Bundles the live status board (board/) into dist/board/: index.html and hashed assets, which
// the gateway serves at /board (src/http/board.ts). Prints what a browser downloads, gzipped.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const OUT = 'dist/board';
rmSync(OUT, { recursive: true, force: true });
mkdirSync(join(OUT, 'assets'), { recursive: true });

const result = await build({
  entryPoints: ['board/src/main.tsx'],
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['chrome111', 'firefox111', 'safari16.4'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: 'board-[hash]',
  outdir: join(OUT, 'assets'),
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs);
const asset = (ext) => `/board/assets/${basename(outputs.find((path) => path.endsWith(ext)))}`;
const html = readFileSync('board/index.html', 'utf8')
  .replace('__CSS__', asset('.css'))
  .replace('__JS__', asset('.js'));
writeFileSync(join(OUT, 'index.html'), html);

let total = 0;
for (const path of [...outputs, join(OUT, 'index.html')]) {
  const size = gzipSync(readFileSync(path)).length;
  total += size;
  process.stdout.write(`board: ${path} ${(size / 1024).toFixed(1)} KB gzipped\n`);
}
process.stdout.write(`board: ${(total / 1024).toFixed(1)} KB gzipped in all\n`);
