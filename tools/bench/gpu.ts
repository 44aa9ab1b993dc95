/**
 * @file `npm run bench:gpu [-- --scale s] [--depth d] [--sizes 512,1024] [--modes …] [--runtime auto|chromium|node]
 * [--budget-seconds 600] [--out <dir>] [--torch-device cuda|cpu] [--keep-source]`: the real FLUX.1 Kontext [dev]
 * shapes on a real GPU, in one command that ends within its budget (10 minutes). In order: random-weight bundles
 * made in place (int4 with fp16 and with fp32 activations; gpuBundles.ts), the adapter Chromium sees, then per
 * bundle the engine's own sessions in Chromium from IndexedDB (gpuBrowser.ts), or on onnxruntime-node's WebGPU
 * EP from disk where Chromium sees no real GPU (gpuNodeRun.ts, a child process; gpuMeasure.ts either way), then PyTorch bf16 on the same shapes
 * where it has CUDA (training/bench_gpu.py). Each part gets a share of the time left and is skipped, saying why,
 * when too little is left; every result is written to `<out>/results.json` as it comes; a watchdog prints the
 * table and exits at the budget whatever is still running. Not part of CI.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { parseManifest } from '../../workers/bundle/manifest';
import { REPO_ROOT } from '../convert/paths';
import { scaleFluxConfigs } from '../scale/makeSparseFlux';
import { ensureGpuBundles } from './gpuBundles';
import { runRecordingChild } from './gpuChild';
import { sampleGpuMemory } from './gpuMemory';
import { allotSeconds, parseGpuBenchArgs, type GpuBenchMode } from './gpuPlan';
import { describePart, formatAdapter, formatGpuTable, type GpuBenchResults } from './gpuReport';
import { runTorchBench } from './gpuTorch';

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
    `bench:gpu at scale ${options.scale}, depth ${options.depth}, sizes ${options.sizes.join(', ')}, ${availableParallelism()} cores, budget ${options.budgetSeconds} s`,
  );
  // Shares of the time left: making the bundles, each bundle's run, PyTorch.
  const weights = [5, ...options.modes.map(() => 2), 1];
  const deadlineFor = (part: number) => Date.now() + 1000 * allotSeconds((end - Date.now()) / 1000 - 10, weights, part);

  const made = await ensureGpuBundles(root, options, options.modes, {
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

  // --runtime node needs no browser (nor Playwright and Vite installed: a bare GPU machine may have only Node).
  const browser =
    options.runtime === 'node'
      ? { error: 'not asked for: --runtime node' }
      : await import('./gpuBrowserHost')
          .then((host) => host.openBrowser(root))
          .catch((e: unknown) => ({ error: (e as Error).message.split('\n')[0]! }));
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
  const { dit, t5 } = scaleFluxConfigs(options.scale, options.depth);
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

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
