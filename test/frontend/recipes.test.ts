import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../utils/processes.js';

// docs/frontend.md shows each recipe file of test/frontend/recipes/ verbatim, and no other
// TypeScript: what the page says is what the tests run.

const DOC = readFileSync(join(ROOT, 'docs', 'frontend.md'), 'utf8');
const DIR = join(ROOT, 'test', 'frontend', 'recipes');
const RECIPES = readdirSync(DIR)
  .filter((name) => name.endsWith('.ts'))
  .sort()
  .map((name) => ({ name, code: readFileSync(join(DIR, name), 'utf8') }));

/** The body of every ```ts block of the page, in order. */
const blocks = [...DOC.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]);

describe('docs/frontend.md', () => {
  it('shows every recipe file, once and verbatim', () => {
    expect(RECIPES.map(({ name }) => name)).toEqual([
      'apollo-cache.ts',
      'apollo-http.ts',
      'apollo-ws.ts',
      'codegen.ts',
      'urql-sse.ts',
      'urql-ws.ts',
    ]);
    for (const { name, code } of RECIPES) {
      expect(blocks.filter((block) => block === code).length, name).toBe(1);
    }
  });

  it('has no TypeScript block that is not a recipe file', () => {
    expect(blocks.length).toBe(RECIPES.length);
  });
});
