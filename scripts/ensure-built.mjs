// Builds what a command runs when it is missing or older than its sources, so `npm run demo`,
// `npm run simulator` and `npm run bench` work on a fresh clone without a separate build step.
//   node scripts/ensure-built.mjs gateway   dist/   (src/, tsconfig.build.json: what ships)
//   node scripts/ensure-built.mjs tools     build/  (src/ + tools/, tsconfig.tools.json: the
//                                                    simulator and the demo, never shipped)
//   node scripts/ensure-built.mjs board     dist/board/ (board/: the live status board)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const TARGETS = {
  gateway: { stamp: 'dist/server.js', sources: ['src'], project: 'tsconfig.build.json' },
  tools: {
    stamp: 'build/tools/demo.js',
    sources: ['src', 'tools'],
    project: 'tsconfig.tools.json',
  },
  board: {
    stamp: 'dist/board/index.html',
    sources: ['board'],
    command: ['scripts/build-board.mjs'],
  },
};

const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = join(dir, entry.name);
    const time = entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
    return Math.max(latest, time);
  }, 0);

for (const name of process.argv.slice(2)) {
  const target = TARGETS[name];
  if (!target) throw new Error(`unknown build target ${name}: one of ${Object.keys(TARGETS)}`);
  const sourcesChanged = Math.max(...target.sources.map(newest));
  if (existsSync(target.stamp) && statSync(target.stamp).mtimeMs >= sourcesChanged) continue;
  const args = target.command ?? ['node_modules/typescript/bin/tsc', '-p', target.project];
  process.stdout.write(`Building ${name} (${args.join(' ')})...\n`);
  execFileSync(process.execPath, args, { stdio: 'inherit' });
}
