import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Tests that run onnxruntime-node, build graphs or bundles with the converter, or read the third-party data in
 * ../shared/vendor-data are `*.integration.test.ts` (`npm run test:integration`); the worker's live in
 * tools/integration/, since workers/ never imports tools/. Everything else is a unit test (`npm run test:unit`):
 * pure and fast, in Node (workers/, tools/ and src/editor are pure TypeScript by design).
 */
const INTEGRATION = '**/*.integration.test.ts';

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['workers/**/*.test.ts', 'tools/**/*.test.ts', 'src/**/*.test.ts'],
          exclude: [...configDefaults.exclude, INTEGRATION],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [INTEGRATION],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
