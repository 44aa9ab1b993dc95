import { dirname, basename } from 'node:path';
import { expect, test } from '@playwright/test';
import { ensureTinyBundle } from '../tools/testing/tinyBundle';
import { createBundleServer, type BundleServer } from '../tools/testing/bundleServer';
import { startTestServer, TEST_PAGE, type TestServer } from '../tools/testing/devServer';
import { parseManifest } from '../workers/bundle/manifest';
import { chooseTiling, getAePeakBytes } from '../workers/kontext/tiles';
import type { decodeCountingBuffers } from './pipeline/aeBuffers';
import { REPO_ROOT } from './models';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

declare global {
  interface Window {
    aeBuffers: { decodeCountingBuffers: typeof decodeCountingBuffers };
  }
}

let server: TestServer;
let bundleName: string;
let bundleDir: string;

test.beforeAll(async () => {
  bundleDir = await ensureTinyBundle('fp32', 2);
  bundleName = basename(bundleDir);
  const bundles: BundleServer = createBundleServer(dirname(bundleDir), '/test-bundles/');
  server = await startTestServer(REPO_ROOT, bundles);
});

test.afterAll(async () => {
  await server?.close();
});

// The tiny AE's widths ([32, 32, 32, 64, 64]) at a 128×64 decode, then as three 64² tiles: small enough for
// SwiftShader, and the same arithmetic as FLUX's at 1024² (whose 1 GiB peak and 256 MiB tiles are unit-tested in
// tiles.test.ts). Sides stay powers of two: onnxruntime rounds buffer sizes up to its cache buckets. The tiled
// decode runs the bundle's staged decoder (stagedDecode.ts), so it also equals the whole decode on WebGPU.
test("the AE decode's largest GPU buffer, counted by a createBuffer wrapper, stays within the planner's bound, tiled and not", async ({
  page,
}) => {
  test.setTimeout(480_000);
  const ae = parseManifest(JSON.parse(readFileSync(join(bundleDir, 'manifest.json'), 'utf8'))).model.ae;
  const shape = { channels: ae.channels!, attentionChunks: ae.attentionChunks! };
  const [h, w] = [16, 8];
  const wholeBound = getAePeakBytes(shape, h, w);
  const budget = getAePeakBytes(shape, 8, 8); // the smallest tile the planner makes
  expect(chooseTiling(shape, h, w, budget)).not.toBeNull();
  await page.goto(server.origin + TEST_PAGE);
  await page.evaluate('import("/e2e/pipeline/aeBuffers.ts").then((m) => { window.aeBuffers = m; })');
  const url = `/test-bundles/${bundleName}/`;
  const whole = await page.evaluate(([u, a, b]) => window.aeBuffers.decodeCountingBuffers(u, a, b), [
    url,
    h,
    w,
  ] as const);
  const tiled = await page.evaluate(([u, a, b, c]) => window.aeBuffers.decodeCountingBuffers(u, a, b, c), [
    url,
    h,
    w,
    budget,
  ] as const);
  let diff = 0;
  const unit = (v: number) => Math.min(1, Math.max(0, (v + 1) / 2));
  for (let i = 0; i < whole.decoded.length; i++)
    diff = Math.max(diff, Math.abs(unit(whole.decoded[i]!) - unit(tiled.decoded[i]!)));
  console.log(
    `AE decode ${h * 8}×${w * 8}: largest buffer whole ${whole.maxBuffer} B of ${whole.buffers} (bound ${wholeBound}), ` +
      `tiled ${tiled.maxBuffer} B of ${tiled.buffers} (budget ${budget}); max |tiled − whole| on [0,1] ${diff.toExponential(3)}`,
  );
  expect(whole.buffers).toBeGreaterThan(0); // the wrapper saw onnxruntime's allocations
  expect(whole.maxBuffer).toBeLessThanOrEqual(wholeBound);
  expect(whole.maxBuffer).toBeGreaterThanOrEqual(wholeBound / 2); // the bound is close, not loose
  expect(tiled.maxBuffer).toBeLessThanOrEqual(budget);
  expect(diff).toBeLessThanOrEqual(1e-3); // issue #12 item 4's bar (blended tiles were ~0.1 off)
});
