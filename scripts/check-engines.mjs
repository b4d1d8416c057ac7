// Walks the repository's node_modules and prints every installed package whose `engines.node`
// excludes the running Node (or `--node <version>`); exit code 1 when any does. Newer releases
// of some dependencies need Node 22: package.json pins or overrides them, and CI runs this.
//   node scripts/check-engines.mjs --node 20.20.0
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

const flag = process.argv.indexOf('--node');
const node = flag >= 0 ? (process.argv[flag + 1] ?? '') : process.versions.node;
if (!semver.valid(node)) throw new Error(`not a Node version: ${node}`);

/** @param {string} range */
const allows = (range) => semver.satisfies(node, range, { includePrerelease: true });

const root = new URL('../node_modules/', import.meta.url).pathname;
let packages = 0;
const bad = [];
/** @param {string} dir */
function walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.name.startsWith('@')) {
      walk(path);
      continue;
    }
    try {
      const pkg = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8'));
      packages++;
      const range = pkg.engines?.node;
      if (typeof range === 'string' && !allows(range)) {
        bad.push(`${pkg.name}@${pkg.version} engines.node "${range}" (${path.slice(root.length)})`);
      }
    } catch {}
    walk(join(path, 'node_modules'));
  }
}
walk(root);
console.log(`node ${node}: ${packages} packages checked, ${bad.length} exclude it`);
for (const line of bad) console.log(`  ${line}`);
process.exitCode = bad.length > 0 ? 1 : 0;
