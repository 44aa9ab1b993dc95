import { defineConfig } from 'vitest/config';

// Unit tests run in Node: workers/, tools/ and src/editor are pure TypeScript by design.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['workers/**/*.test.ts', 'tools/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
