import { dirname, basename, join } from 'node:path';
import { expect, test } from '@playwright/test';
import { openSafetensors } from '../tools/convert/node/nodeFiles';
import { getRelativeError } from '../tools/testing/numerics';
import { ensureTinyBundle, TINY_GOLDENS_DIR } from '../tools/testing/tinyBundle';
import { createBundleServer, type BundleServer } from '../tools/testing/bundleServer';
import { startTestServer, TEST_PAGE, type TestServer } from '../tools/testing/devServer';
import type { checkAttention, GoldenInputs, runDitGolden, runGolden } from './pipeline/harness';
import { REPO_ROOT } from './models';

declare global {
  interface Window {
    pipelineHarness: {
      runGolden: typeof runGolden;
      runDitGolden: typeof runDitGolden;
      checkAttention: typeof checkAttention;
    };
  }
}

let server: TestServer;
let bundles: BundleServer;
let bundleName: string;

test.beforeAll(async () => {
  const dir = await ensureTinyBundle('fp32', 2);
  bundleName = basename(dir);
  bundles = createBundleServer(dirname(dir), '/test-bundles/');
  server = await startTestServer(REPO_ROOT, bundles);
});

test.afterAll(async () => {
  await server?.close();
});

test('the sampler on the WebGPU EP matches the PyTorch golden with no readback inside a step', async ({ page }) => {
  test.setTimeout(300_000);
  const src = await openSafetensors(join(TINY_GOLDENS_DIR, 'pipeline.safetensors'));
  const f = async (name: string) => Array.from(await src.readFloat32(name));
  const [guidance] = await f('guidance');
  if (guidance === undefined) throw new Error("pipeline.safetensors' guidance is empty");
  const inputs: GoldenInputs = {
    t5Ids: Array.from(await src.readInt32('t5_input_ids')),
    clipIds: Array.from(await src.readInt32('clip_input_ids')),
    ref1: await f('reference_image_1'),
    ref2: await f('reference_image_2'),
    mask: await f('mask'),
    noise: await f('noise'),
    guidance,
    steps: 4,
  };
  const golden = await src.readFloat32('latents');
  await src.close();

  await page.goto(server.origin + TEST_PAGE);
  await page.evaluate('import("/e2e/pipeline/harness.ts").then((m) => { window.pipelineHarness = m; })');
  const out = await page.evaluate(([url, g]) => window.pipelineHarness.runGolden(url, g), [
    `${server.origin}/test-bundles/${bundleName}/`,
    inputs,
  ] as const);

  const error = getRelativeError(out.latents, golden);
  console.log(
    `WebGPU final latents vs PyTorch: relative error ${error.toExponential(2)}; readbacks in steps ${out.readbacksInSteps}, previews ${out.previewReadbacks}, result ${out.otherReadbacks}`,
  );
  expect(out.deviceLoop).toBe(true);
  expect(out.stepsSeen).toBe(4);
  expect(error).toBeLessThanOrEqual(1e-3);
  expect(out.readbacksInSteps).toBe(0);
  expect(out.previewReadbacks).toBe(0);
  expect(out.otherReadbacks).toBe(1); // the final latents only
});

test('the fused-attention check catches a wrong kernel, and attention without subgroups passes it', async ({
  page,
}) => {
  await page.goto(server.origin + TEST_PAGE);
  await page.evaluate('import("/e2e/pipeline/harness.ts").then((m) => { window.pipelineHarness = m; })');
  const result = await page.evaluate(() => window.pipelineHarness.checkAttention());
  console.log(`attention check: with subgroups ${result.withSubgroups ?? 'n/a'}, without ${result.without}`);
  expect(result.without).toBeLessThan(1e-3);
  // On SwiftShader the subgroup (flash) path is wrong; the check must see it, or the adapter lacks subgroups.
  if (result.subgroupsAvailable) expect(result.withSubgroups).toBeGreaterThan(1e-3);
});

test('the converted DiT alone on the WebGPU EP matches the PyTorch golden', async ({ page }) => {
  const src = await openSafetensors(join(TINY_GOLDENS_DIR, 'dit.safetensors'));
  const names = [
    'hidden_states',
    'encoder_hidden_states',
    'pooled_projections',
    'timestep',
    'img_ids',
    'txt_ids',
    'guidance',
  ];
  const inputs: Record<string, number[]> = {};
  for (const name of names) inputs[name] = Array.from(await src.readFloat32(name));
  const golden = await src.readFloat32('velocity');
  await src.close();
  await page.goto(server.origin + TEST_PAGE);
  await page.evaluate('import("/e2e/pipeline/harness.ts").then((m) => { window.pipelineHarness = m; })');
  const velocity = await page.evaluate(([url, g]) => window.pipelineHarness.runDitGolden(url, g), [
    `${server.origin}/test-bundles/${bundleName}/`,
    inputs,
  ] as const);
  const error = getRelativeError(velocity, golden);
  console.log(`WebGPU DiT velocity vs PyTorch: relative error ${error.toExponential(2)}`);
  expect(error).toBeLessThanOrEqual(1e-4);
});
