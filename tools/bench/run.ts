/**
 * @file `npm run bench [-- --bundle <dir>] [--window K] [--tolerance X] [--max-edits N] [--max-seconds S]
 * [--no-webgpu] [--no-app]`: the same bundle's edit in Chromium (the app's onnxruntime-web build and WASM thread count, in a
 * Worker) and in onnxruntime-node (every core, set explicitly), each repeated until the last K edits spread by less
 * than X; a per-component table, FLOPs counted from a profiled edit, GFLOP/s against a bare-MatMul ceiling of the
 * DiT's shape measured in the same run on the same runtime and threads, the built app's ready time and its first ten
 * edits through the UI (appTiming.ts; needs dist/), and the bars of issue #14 with PASS/FAIL.
 * Default bundle: the embedded kontext-micro (public/bundles/kontext-micro), else the tiny test bundle.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { chromium } from '@playwright/test';
import { parseManifest } from '../../workers/bundle/manifest';
import { hashImage } from '../../workers/runtime/hashImage';
import { REPO_ROOT } from '../convert/paths';
import { createBundleServer } from '../testing/bundleServer';
import { CHROMIUM_LAUNCH_OPTIONS } from '../testing/chromium';
import { startTestServer, TEST_PAGE } from '../testing/devServer';
import { openFolderPipeline } from '../testing/folderEngine';
import { nodeOrtWith } from '../testing/nodeOrt';
import { ensureTinyBundle } from '../testing/tinyBundle';
import { measureApp } from './appTiming';
import type * as Harness from './browserHarness';
import { measureCeiling, type CeilingGraph, type CeilingResult } from './ceiling';
import { buildCeilingGraph, getCeilingShape } from './ceilingGraph';
import { benchEdits, COMPONENTS, type Component } from './editBench';
import { profileEdits } from './opProfile';
import { buildReplayGraph } from './replayGraph';
import { printReport } from './report';
import type { SettleOptions } from './settle';

declare global {
  interface Window {
    bench: typeof Harness;
  }
}

const EMBEDDED = join(REPO_ROOT, 'public/bundles/kontext-micro');
const CEILING_DIR = join(REPO_ROOT, '.cache/bench/ceiling');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The per-component same-shapes ceilings out of all measured ones. */
const pick = (all: Record<string, CeilingResult>): Partial<Record<Component, CeilingResult>> =>
  Object.fromEntries(COMPONENTS.filter((c) => all[c]).map((c) => [c, all[c]!]));

/** The edit, the ceilings and WebGPU's readbacks in Chromium: the app's onnxruntime-web build in a Worker. */
async function measureInBrowser(
  dir: string,
  graphs: Record<string, CeilingGraph>,
  settle: SettleOptions,
  ceilingSettle: SettleOptions,
) {
  const bundles = createBundleServer(dirname(dir), '/bench-bundles/');
  const ceilingFiles = createBundleServer(CEILING_DIR, '/bench-ceiling/');
  const server = await startTestServer(REPO_ROOT, {
    ...bundles,
    handle: (req, res) => bundles.handle(req, res) || ceilingFiles.handle(req, res),
  });
  const browser = await chromium.launch(CHROMIUM_LAUNCH_OPTIONS);
  try {
    const page = await browser.newPage();
    // The renderers' CPU time (the bench worker and its WASM threads live in the page's renderer), 10 ms steps.
    const cdp = await browser.newBrowserCDPSession();
    await page.exposeFunction('benchCpuMs', async () => {
      const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as {
        processInfo: { type: string; cpuTime: number }[];
      };
      return 1000 * processInfo.filter((p) => p.type === 'renderer').reduce((s, p) => s + p.cpuTime, 0);
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') console.log(`  [browser ${m.type()}] ${m.text()}`);
    });
    await page.goto(server.origin + TEST_PAGE);
    await page.evaluate('import("/tools/bench/browserHarness.ts").then((m) => { window.bench = m; })');
    const url = `${server.origin}/bench-bundles/${basename(dir)}/`;
    const web = await page.evaluate(([u, o]) => window.bench.benchWasm(u, o), [url, settle] as const);
    const webCeilings: Record<string, CeilingResult> = {};
    for (const [name, { inputs, flops }] of Object.entries(graphs))
      webCeilings[name] = await page.evaluate(([u, g, o]) => window.bench.worker.ceiling(u, g, o), [
        `${server.origin}/bench-ceiling/ceiling/${name}.onnx`,
        { inputs, flops },
        ceilingSettle,
      ] as const);
    // A WebGPU failure (e.g. a software adapter's limits) must not cost the CPU figures measured before it.
    const gpu = process.argv.includes('--no-webgpu')
      ? null
      : await page
          .evaluate((u) => window.bench.countWebGpuReadbacks(u), url)
          .catch((e: unknown) => {
            console.log(`WebGPU readbacks not counted: ${(e as Error).message.split('\n')[0]}`);
            return null;
          });
    return { web, webCeilings, gpu };
  } finally {
    await browser.close();
    await server.close();
  }
}

async function main(): Promise<void> {
  const dir =
    arg('--bundle') ?? (existsSync(join(EMBEDDED, 'manifest.json')) ? EMBEDDED : await ensureTinyBundle('fp32', 1));
  const manifest = parseManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  const settle: SettleOptions = {
    window: Number(arg('--window') ?? 5),
    tolerance: Number(arg('--tolerance') ?? 0.05),
    maxRuns: Number(arg('--max-edits') ?? 60),
    maxMs: 1000 * Number(arg('--max-seconds') ?? 120),
  };
  // A MatMul run takes milliseconds: more of them, less wall time.
  const ceilingSettle: SettleOptions = { ...settle, maxRuns: 400, maxMs: Math.min(settle.maxMs, 30_000) };
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(
    `bundle: ${manifest.name} (${dir}), ${manifest.sampling.defaultSteps} steps × ${manifest.sampling.defaultAverage} averaged runs at ${manifest.sampling.resolutions[0]!.join('×')}`,
  );
  console.log(
    `machine: ${availableParallelism()} cores, load average ${load()} (1/5/15 min) at the start; edits repeat until the last ${settle.window} spread < ${(100 * settle.tolerance).toFixed(0)} % (at most ${settle.maxRuns} edits / ${settle.maxMs / 1000} s per side)`,
  );

  // Node: onnxruntime-node on every core, set explicitly (its default thread pool is not what it prints).
  const nodeThreads = availableParallelism();
  const nodeRuntime = nodeOrtWith({ intraOpNumThreads: nodeThreads, interOpNumThreads: 1 });
  const pipeline = openFolderPipeline(dir, nodeRuntime);
  // Every thread of this process: onnxruntime-node's pool runs inside it (its spin-waits count too).
  const nodeCpu = async () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const node = await benchEdits({ ...pipeline, hashImage }, settle, nodeCpu);
  await pipeline.models.release();
  // Profiled on the same thread count as the timed edits: the per-op split is the node side's.
  const profile = await profileEdits(nodeRuntime, (ort) => ({ ...openFolderPipeline(dir, ort), hashImage }));
  const shape = getCeilingShape(manifest);
  // The large-shape chain, and each component's own MatMul/Conv runs replayed at their shapes (replayGraph.ts).
  const graphs: Record<string, CeilingGraph> = { matmul: buildCeilingGraph(shape) };
  for (const c of COMPONENTS) {
    const replay = buildReplayGraph(profile.work[c]);
    if (replay) graphs[c] = replay;
  }
  mkdirSync(join(CEILING_DIR, 'ceiling'), { recursive: true });
  for (const [name, g] of Object.entries(graphs)) writeFileSync(join(CEILING_DIR, 'ceiling', `${name}.onnx`), g.model);
  const nodeCeilings: Record<string, CeilingResult> = {};
  for (const [name, g] of Object.entries(graphs))
    nodeCeilings[name] = await measureCeiling(nodeRuntime, g, ceilingSettle, ['wasm']);
  // Load-robust figures: node on one thread (no pool, so no spin-waits), the CPU time of the edit and of each
  // component's same-shapes MatMul work. A busy machine stretches wall times, much less the CPU time of one thread.
  const single = nodeOrtWith({ intraOpNumThreads: 1, interOpNumThreads: 1 });
  const singlePipeline = openFolderPipeline(dir, single);
  const oneThread = await benchEdits({ ...singlePipeline, hashImage }, { ...settle, maxRuns: 20 }, nodeCpu);
  await singlePipeline.models.release();
  const oneThreadCeilings: Record<string, CeilingResult> = {};
  for (const c of COMPONENTS)
    if (graphs[c]) oneThreadCeilings[c] = await measureCeiling(single, graphs[c], ceilingSettle, ['wasm'], nodeCpu);

  const { web, webCeilings, gpu } = await measureInBrowser(dir, graphs, settle, ceilingSettle);
  // The app's own browsers come after this one is closed: its page, worker and sessions would share the cores.
  const app = process.argv.includes('--no-app') ? null : await measureApp();
  printReport({
    app,
    web,
    node: { ...node, threads: nodeThreads },
    profile,
    ceiling: { web: webCeilings.matmul!, node: nodeCeilings.matmul!, shape },
    sameShapes: {
      web: pick(webCeilings),
      node: pick(nodeCeilings),
    },
    gpu,
    oneThread: { edit: oneThread, sameShapes: pick(oneThreadCeilings) },
    loadAtEnd: load(),
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
