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
    // Every gateway log line of the whole run, both projects, is scanned for credentials once
    // all files ran.
    globalSetup: ['./vitest.global-setup.ts'],
    // Drains the leftovers list after every test and file, and hands the file's log lines on.
    setupFiles: ['./test/utils/setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Upstream call counts are asserted exactly, so each file gets its own process state.
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          // Operations through yoga.fetch (no gateway port) and pure modules: nothing to install.
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.e2e.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          // A listening gateway, real WebSocket and SSE clients, child processes, Redis, routers.
          name: 'e2e',
          include: ['test/**/*.e2e.test.ts'],
        },
      },
    ],
  },
});
