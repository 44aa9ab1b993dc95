import { dirname, basename } from 'node:path';
import { expect, test } from '@playwright/test';
import { ensureTinyBundle } from '../tools/testing/tinyBundle';
import { createBundleServer } from '../tools/testing/bundleServer';
import { startTestServer, TEST_PAGE, type TestServer } from '../tools/testing/devServer';
import type { editTimes } from './pipeline/memoryPlan';
import { REPO_ROOT } from './models';

declare global {
  interface Window {
    memoryPlan: { editTimes: typeof editTimes };
  }
}

let server: TestServer;
let bundleName: string;

test.beforeAll(async () => {
  const dir = await ensureTinyBundle('fp32', 2);
  bundleName = basename(dir);
  server = await startTestServer(REPO_ROOT, createBundleServer(dirname(dir), '/test-bundles/'));
});

test.afterAll(async () => {
  await server?.close();
});

// Sessions per edit under every plan are proven on onnxruntime-node (tools/integration/memoryPlan.integration
// .test.ts); this is what only WebGPU shows: the storage-buffer cache mode, and the GPU buffers really live per phase
// (a createBuffer/destroy wrapper), the DiT's still there after an edit or not. One page, two budgets, the tiny bundle.
test('on WebGPU, the DiT stays in GPU memory across a variation when the DiT and AE fit, and is reopened otherwise', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await page.goto(server.origin + TEST_PAGE);
  await page.evaluate('import("/e2e/pipeline/memoryPlan.ts").then((m) => { window.memoryPlan = m; })');
  const url = `/test-bundles/${bundleName}/`;
  const run = (kind: 'dit-ae-resident' | 'per-phase', count: number) =>
    page.evaluate(([u, k, n]) => window.memoryPlan.editTimes(u, k, n), [url, kind, count] as const);

  const resident = await run('dit-ae-resident', 2);
  const perPhase = await run('per-phase', 1); // SwiftShader is slow: one edit shows the DiT released
  for (const r of [resident, perPhase]) {
    console.log(
      `${r.plan} (${r.mode}): ` +
        r.edits
          .map(
            (e, i) =>
              `edit ${i + 1}: ` +
              Object.entries(e.phases)
                .map(([p, m]) => `${p} ${m.sessionsCreated} opened, ${m.gpuBytes} B GPU peak`)
                .join(', ') +
              `; ${e.liveAfter} B live after`,
          )
          .join(' | ') +
        ` (DiT weights ${r.bytes.dit} B)`,
    );
  }
  const opened = (e: (typeof resident.edits)[number]) =>
    Object.values(e.phases).reduce((n, m) => n + m.sessionsCreated, 0);

  expect(resident.plan).toBe('dit-ae-resident');
  expect(resident.mode).toBe('simple');
  expect(opened(resident.edits[1]!)).toBe(0); // the variation: cached prompt and image, resident DiT and AE
  expect(resident.edits[1]!.liveAfter).toBeGreaterThanOrEqual(resident.bytes.dit); // the DiT's weights stay on the GPU
  expect(resident.edits[0]!.phases.denoising!.gpuBytes).toBeGreaterThanOrEqual(resident.bytes.dit);

  expect(perPhase.plan).toBe('per-phase');
  expect(perPhase.mode).toBe('lazyRelease');
  // The DiT is released for the decoder (the tiny AE decoder is bigger than its DiT), so the next edit reopens it
  // (counted on onnxruntime-node); with lazyRelease nothing else stays either: the decoder's weights and no more.
  expect(perPhase.edits[0]!.liveAfter).toBeLessThan(perPhase.bytes.dit + perPhase.bytes.aeDecoder);
  expect(perPhase.edits[0]!.liveAfter).toBeGreaterThanOrEqual(perPhase.bytes.aeDecoder);
});
