import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node loads graphql 16 as CommonJS for every importer; Vite would pick its .mjs build for our
    // own files, and two graphql copies in one schema fail ("Cannot use GraphQLScalarType from
    // another module"). Pin the one Node uses.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Every gateway log line of the whole run is scanned for credentials once all files ran.
    globalSetup: ['./vitest.global-setup.ts'],
    setupFiles: ['./test/utils/log-capture-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Upstream call counts are asserted exactly, so each file gets its own process state.
    pool: 'forks',
  },
});
