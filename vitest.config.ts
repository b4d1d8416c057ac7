import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Upstream call counts are asserted exactly, so each file gets its own process state.
    pool: 'forks',
  },
});
