import { availableParallelism } from 'node:os';
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
          // One module graph per worker instead of one per file: 10 s of CPU instead of 36 s (measured on this 2-core
          // box). So a unit test leaves no state behind: fake timers are restored, no vi.mock, no stubbed globals.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [INTEGRATION],
          // Vitest's default keeps a core for its own process (cores − 1: one worker here), which idles while the
          // workers convert and run graphs: every core halves the project's wall time on this 2-core box
          // (fresh clone, calm: 112 s → 69 s).
          maxWorkers: availableParallelism(),
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
