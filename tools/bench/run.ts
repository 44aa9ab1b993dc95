/**
 * @file `npm run bench [-- --bundle <dir>] [--edits N]`: per-step and per-edit time of the same bundle in
 * headless Chromium on onnxruntime-web's WASM EP and in onnxruntime-node (CPU), side by side, the pipeline's
 * own share of an edit, and WebGPU readbacks per step. The browser/node ratio is the last line.
 * Default bundle: the embedded kontext-micro (public/bundles/kontext-micro), else the tiny test bundle.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { chromium } from '@playwright/test';
import { parseManifest } from '../../workers/bundle/manifest';
import { hashImage } from '../../workers/runtime/hashImage';
import { createBundleServer } from '../testing/bundleServer';
import { CHROMIUM_LAUNCH_OPTIONS } from '../testing/chromium';
import { startTestServer, TEST_PAGE } from '../testing/devServer';
import { openFolderPipeline } from '../testing/folderEngine';
import { REPO_ROOT } from '../convert/paths';
import { nodeOrt } from '../testing/nodeOrt';
import { ensureTinyBundle } from '../testing/tinyBundle';
import { benchEdits, type BenchResult } from './editBench';
import type { benchWasm, countWebGpuReadbacks } from './browserHarness';

declare global {
  interface Window {
    bench: { benchWasm: typeof benchWasm; countWebGpuReadbacks: typeof countWebGpuReadbacks };
  }
}

const EMBEDDED = join(REPO_ROOT, 'public/bundles/kontext-micro');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function benchNode(dir: string, edits: number): Promise<BenchResult> {
  nodeOrt.env.wasm.numThreads = 1;
  const { manifest, tokenizers, models } = openFolderPipeline(dir, nodeOrt);
  const result = await benchEdits(manifest, tokenizers, models, edits, hashImage);
  await models.release();
  return result;
}

async function main(): Promise<void> {
  const edits = Number(arg('--edits') ?? 3);
  const dir =
    arg('--bundle') ?? (existsSync(join(EMBEDDED, 'manifest.json')) ? EMBEDDED : await ensureTinyBundle('fp32', 1));
  const manifest = parseManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  console.log(
    `bundle: ${manifest.name} (${dir}), ${manifest.sampling.defaultSteps} steps × ${manifest.sampling.defaultAverage} averaged runs at ${manifest.sampling.resolutions[0]!.join('×')}, ${edits} edits after a warm-up`,
  );

  const node = await benchNode(dir, edits);
  const server = await startTestServer(REPO_ROOT, createBundleServer(dirname(dir), '/bench-bundles/'));
  const browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
  try {
    const page = await browser.newPage();
    await page.goto(server.origin + TEST_PAGE);
    await page.evaluate('import("/tools/bench/browserHarness.ts").then((m) => { window.bench = m; })');
    const url = `${server.origin}/bench-bundles/${basename(dir)}/`;
    const wasm = await page.evaluate(([u, n]) => window.bench.benchWasm(u, n), [url, edits] as const);
    const gpu = await page.evaluate((u) => window.bench.countWebGpuReadbacks(u), url);

    const ms = (v: number) => `${v.toFixed(1)} ms`.padStart(11);
    const pct = (v: number) => `${(100 * v).toFixed(1)} %`.padStart(11);
    console.log(['', 'browser WASM', 'node CPU'].map((c) => c.padStart(14)).join(''));
    console.log(`${'per step'.padStart(14)}${ms(wasm.perStepMs).padStart(14)}${ms(node.perStepMs).padStart(14)}`);
    console.log(`${'per edit'.padStart(14)}${ms(wasm.perEditMs).padStart(14)}${ms(node.perEditMs).padStart(14)}`);
    console.log(
      `${'pipeline share'.padStart(14)}${pct(wasm.pipelineShare).padStart(14)}${pct(node.pipelineShare).padStart(14)}`,
    );
    console.log(`browser WASM threads: ${wasm.threads}; node CPU threads: 1`);
    console.log(
      `WebGPU readbacks per step: ${(gpu.inStep / gpu.steps).toFixed(2)} (${gpu.inStep} in ${gpu.steps} steps; ${gpu.other} outside steps)`,
    );
    console.log(`browser/node time ratio per edit: ${(wasm.perEditMs / node.perEditMs).toFixed(2)}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
