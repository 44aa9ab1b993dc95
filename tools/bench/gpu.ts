/**
 * @file `npm run bench:gpu [-- --scale s] [--sizes 512,1024] [--modes …] [--runtime auto|chromium|node]
 * [--budget-seconds 600] [--out <dir>] [--torch-device cuda|cpu] [--keep-source]`: the real FLUX.1 Kontext [dev]
 * shapes on a real GPU, in one command that ends within its budget (10 minutes). In order: random-weight bundles
 * made in place (int4 with fp16 and with fp32 activations; gpuBundles.ts), the adapter Chromium sees, then per
 * bundle the engine's own sessions in Chromium from IndexedDB (gpuBrowser.ts), or on onnxruntime-node's WebGPU
 * EP from disk where Chromium sees no real GPU (gpuNodeRun.ts, a child process; gpuMeasure.ts either way), then PyTorch bf16 on the same shapes
 * where it has CUDA (training/bench_gpu.py). Each part gets a share of the time left and is skipped, saying why,
 * when too little is left; every result is written to `<out>/results.json` as it comes; a watchdog prints the
 * table and exits at the budget whatever is still running. Not part of CI.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { chromium, type BrowserContext } from '@playwright/test';
import { parseManifest } from '../../workers/bundle/manifest';
import { REPO_ROOT } from '../convert/paths';
import { scaleFluxConfigs } from '../scale/makeSparseFlux';
import { createBundleServer } from '../testing/bundleServer';
import { CHROMIUM_LAUNCH_OPTIONS, CHROMIUM_REAL_GPU_ARGS } from '../testing/chromium';
import { startTestServer, TEST_PAGE, type TestServer } from '../testing/devServer';
import type * as GpuPage from './gpuBrowser';
import { ensureGpuBundles } from './gpuBundles';
import { runRecordingChild } from './gpuChild';
import { sampleGpuMemory } from './gpuMemory';
import { allotSeconds, parseGpuBenchArgs, RESULT_PREFIX, type GpuBenchMode } from './gpuPlan';
import { describePart, formatAdapter, formatGpuTable, type GpuBenchResults } from './gpuReport';
import { runTorchBench } from './gpuTorch';

declare global {
  interface Window {
    gpuBench: typeof GpuPage;
  }
}

/** The VRAM budget the browser's memory plan is made for: every session resident on a datacentre GPU. */
const BROWSER_BUDGET = 64 * 1024 ** 3;

async function main(): Promise<void> {
  const options = parseGpuBenchArgs(process.argv.slice(2));
  const t0 = Date.now();
  const end = t0 + 1000 * options.budgetSeconds;
  const root = options.out ?? join(REPO_ROOT, '.cache/bench/gpu');
  mkdirSync(root, { recursive: true });
  const results: GpuBenchResults = {
    started: new Date(t0).toISOString(),
    options,
    runtime: { chosen: null, why: '', adapter: null },
    generateMs: 0,
    bundles: {},
    runs: {},
    torch: {},
    nodeGpuPeak: {},
  };
  const save = () => writeFileSync(join(root, 'results.json'), JSON.stringify(results, null, 1));
  const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s]`;
  const log = (line: string) => console.log(`${stamp()} ${line}`);
  const finish = () => {
    results.finished = new Date().toISOString();
    save();
    console.log(
      `\n${formatAdapter(results.runtime.adapter)}\n${formatGpuTable(results)}\n\nresults: ${relative(process.cwd(), join(root, 'results.json'))}`,
    );
  };
  // Whatever hangs, the command ends within its budget with what it has.
  setTimeout(() => {
    log('budget reached: stopping here');
    finish();
    process.exit(124);
  }, end - Date.now()).unref();

  log(
    `bench:gpu at scale ${options.scale}, sizes ${options.sizes.join(', ')}, ${availableParallelism()} cores, budget ${options.budgetSeconds} s`,
  );
  // Shares of the time left: making the bundles, each bundle's run, PyTorch.
  const weights = [5, ...options.modes.map(() => 2), 1];
  const deadlineFor = (part: number) => Date.now() + 1000 * allotSeconds((end - Date.now()) / 1000 - 10, weights, part);

  const made = await ensureGpuBundles(root, options.scale, options.modes, {
    deadline: deadlineFor(0),
    keepSource: options.keepSource,
    log,
  });
  results.generateMs = made.generateMs;
  results.bundles = made.bundles;
  for (const [mode, b] of Object.entries(made.bundles))
    log(
      `${mode}: ${b.dir ? `ready (${b.convertMs ? `converted in ${(b.convertMs / 1000).toFixed(0)} s` : 'reused'})` : b.reason}`,
    );
  save();

  const record = (mode: GpuBenchMode) => (key: string, value: unknown) => {
    (results.runs[mode] ??= {})[key] = value as never;
    log(`${mode} ${key}: ${describePart(value as never)}`);
    save();
  };

  const browser = await openBrowser(root).catch((e: unknown) => ({ error: (e as Error).message.split('\n')[0]! }));
  try {
    const adapter = 'error' in browser ? { reason: browser.error } : await browser.probe();
    results.runtime.adapter = adapter;
    const real = 'vendor' in adapter && !adapter.isFallbackAdapter;
    const chosen = options.runtime === 'auto' ? (real ? 'chromium' : 'node') : options.runtime;
    results.runtime.chosen = chosen;
    results.runtime.why =
      options.runtime !== 'auto'
        ? `--runtime ${options.runtime}`
        : real
          ? 'Chromium sees a GPU adapter'
          : `Chromium sees ${'reason' in adapter ? `no adapter (${adapter.reason})` : 'only a software adapter'}: onnxruntime-node's WebGPU EP`;
    log(`runtime: ${chosen} (${results.runtime.why})\n${formatAdapter(adapter)}`);
    save();
    if (chosen === 'node' && !('error' in browser)) await browser.close(); // its memory is the GPU runs' now

    for (const [i, mode] of options.modes.entries()) {
      const dir = made.bundles[mode]?.dir;
      if (!dir) continue;
      const deadline = deadlineFor(1 + i);
      if (chosen === 'chromium' && !('error' in browser))
        await browser.run(mode, dir, options.sizes, deadline, record(mode));
      else if (chosen === 'node') {
        // In a process of its own: a GPU kernel blocks its thread, and only another process can stop it in time.
        const memory: { sampler?: ReturnType<typeof sampleGpuMemory> } = {};
        const args = [join(REPO_ROOT, 'tools/bench/gpuNodeRun.ts'), dir, options.sizes.join(','), String(deadline)];
        await runRecordingChild(process.execPath, ['--import', 'tsx', ...args], {
          deadline: deadline + 5000,
          record: record(mode),
          onStart: (pid) => (memory.sampler = sampleGpuMemory(pid)),
        });
        results.nodeGpuPeak[mode] = (await memory.sampler?.stop()) ?? null;
      }
    }
  } finally {
    if (!('error' in browser)) await browser.close();
  }

  const firstBundle = Object.values(made.bundles).find((b) => b.dir)?.dir;
  const t5Length = firstBundle
    ? parseManifest(JSON.parse(readFileSync(join(firstBundle, 'manifest.json'), 'utf8'))).model.t5.maxLength
    : 512;
  const { dit, t5 } = scaleFluxConfigs(options.scale);
  await runTorchBench(
    { dit, t5, sizes: options.sizes, t5Length, device: options.torchDevice, deadline: end - 5000 },
    (key, value) => {
      results.torch[key] = value as never;
      log(`torch ${key}: ${describePart(value as never)}`);
      save();
    },
  );
  finish();
  process.exit(0);
}

/**
 * Chromium (with the real-GPU flags) on a page of the Vite test server, its profile on disk under `root` (a
 * full-size bundle is 10 GB of IndexedDB): probe() describes its adapter; run() stores a bundle and measures it.
 */
async function openBrowser(root: string) {
  const profile = join(root, 'chromium-profile');
  rmSync(profile, { recursive: true, force: true });
  const bundles = createBundleServer(root, '/bench-gpu/');
  const server: TestServer = await startTestServer(REPO_ROOT, bundles);
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      ...CHROMIUM_LAUNCH_OPTIONS,
      args: [...CHROMIUM_LAUNCH_OPTIONS.args, ...CHROMIUM_REAL_GPU_ARGS],
    });
  } catch (e) {
    await server.close();
    throw e;
  }
  const page = await context.newPage();
  let onResult: ((key: string, value: unknown) => void) | null = null;
  let closed = false;
  page.on('console', (m) => {
    const text = m.text();
    if (text.startsWith(RESULT_PREFIX)) {
      const { key, value } = JSON.parse(text.slice(RESULT_PREFIX.length)) as { key: string; value: unknown };
      onResult?.(key, value);
    } else if (m.type() === 'error') console.log(`  [browser] ${text.slice(0, 300)}`);
  });
  await page.goto(server.origin + TEST_PAGE);
  await page.evaluate('import("/tools/bench/gpuBrowser.ts").then((m) => { window.gpuBench = m; })');
  return {
    probe: () => page.evaluate(() => window.gpuBench.probeAdapter()),
    async run(
      mode: string,
      dir: string,
      sizes: number[],
      deadline: number,
      record: (key: string, value: unknown) => void,
    ) {
      let done = false;
      onResult = (key, value) => done || record(key, value);
      const url = `${server.origin}/bench-gpu/${relative(root, dir)}/`;
      const work = page
        .evaluate(([u, s, d, b]) => window.gpuBench.runBundle(u, s, d, b), [
          url,
          sizes,
          deadline,
          BROWSER_BUDGET,
        ] as const)
        .catch((e: unknown) => done || record('error', (e as Error).message.split('\n')[0]));
      // A kernel that outruns the deadline cannot be interrupted from here: the next bundle goes on without it.
      const late = new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()) + 5000, 'late'));
      if ((await Promise.race([work, late])) === 'late') record('stopped', `${mode} ran past its share of the budget`);
      done = true; // what the page still says after this (e.g. 'page closed') is not a result
      onResult = null;
    },
    async close() {
      if (closed) return;
      closed = true;
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
