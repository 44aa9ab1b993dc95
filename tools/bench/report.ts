/**
 * @file What `npm run bench` prints: threads on both sides, the per-component table with GFLOP/s, the bare-MatMul
 * ceilings, the built app's timings, and issue #14's bars with PASS/FAIL.
 */
import { formatBytes } from '../../workers/api/bytes';
import type { AppTiming } from './appTiming';
import { median } from './settle';
import type { WasmCompileTime } from './wasmCompileTrace';
import { ceilingFlops, type CeilingResult, type CeilingShape } from './ceiling';
import { COMPONENTS, type BenchResult, type Component } from './editBench';
import type { EditProfile } from './opProfile';
import type { WebGpuEditCounts } from './browserHarness';

interface Side extends BenchResult {
  threads: number;
}

export interface BenchReport {
  /** null when dist/ is missing or --no-app was given. */
  app: AppTiming | null;
  web: Side & { build: string; crossOriginIsolated: boolean; cores: number };
  node: Side;
  /** onnxruntime-node's profile of the edit: FLOPs, time per op type, the MatMul work replayed below. */
  profile: EditProfile;
  /** The large-shape chain (ceilingGraph.ts). */
  ceiling: { web: CeilingResult; node: CeilingResult; shape: CeilingShape };
  /** Each component's own MatMul/Conv runs replayed at their shapes, one call (replayGraph.ts). */
  sameShapes: { web: Partial<Record<Component, CeilingResult>>; node: Partial<Record<Component, CeilingResult>> };
  gpu: WebGpuEditCounts | null;
  /** node on one thread, with CPU times: the edit and each component's same-shapes replay. */
  oneThread: { edit: BenchResult; sameShapes: Partial<Record<Component, CeilingResult>> };
  loadAtEnd: string;
}

/** node at one thread: the CPU time of each component's same-shapes MatMul work per edit (replay × calls). */
function getOneThreadWork(r: BenchReport): string {
  return COMPONENTS.filter((c) => r.oneThread.sameShapes[c]?.cpuMs !== undefined)
    .map((c) => `${LABELS[c]} ${ms(r.oneThread.sameShapes[c]!.cpuMs! * r.profile.calls[c])}`)
    .join(', ');
}

const LABELS: Record<Component, string> = {
  text: 'text encoders',
  aeEncode: 'AE encode',
  dit: 'DiT steps',
  aeDecode: 'AE decode',
};

const ms = (v: number) => `${v.toFixed(1)} ms`;
const gflops = (flops: number, t: number) => (t > 0 ? `${(flops / t / 1e6).toFixed(1)}` : '–');
const bar = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/** MatMul-like ops: the ones whose FLOPs are counted (flops.ts). */
const MATMUL_OPS = new Set(['MatMul', 'FusedMatMul', 'Gemm', 'MatMulNBits', 'Conv', 'FusedConv']);

/** node's time per op type and component (warm, per edit), largest first, and the MatMul-like share. */
function printOpTable(profile: EditProfile): void {
  const ops = new Map<string, number>();
  for (const c of COMPONENTS)
    for (const [op, t] of Object.entries(profile.ops[c])) ops.set(op, (ops.get(op) ?? 0) + t.ms);
  const order = [...ops].sort((a, b) => b[1] - a[1]).map(([op]) => op);
  const cell = (c: Component, op: string) => {
    const t = profile.ops[c][op];
    return t ? `${t.ms.toFixed(2)} ms / ${Math.round(t.runs)}` : '';
  };
  const rows = [['op type (node, ms / kernel runs per edit)', ...COMPONENTS.map((c) => LABELS[c])]];
  for (const op of order) rows.push([op, ...COMPONENTS.map((c) => cell(c, op))]);
  const sum = (c: Component, keep: (op: string) => boolean) =>
    Object.entries(profile.ops[c]).reduce((s, [op, t]) => (keep(op) ? { ms: s.ms + t.ms, runs: s.runs + t.runs } : s), {
      ms: 0,
      runs: 0,
    });
  for (const [label, keep] of [
    ['MatMul-like (MatMul, Gemm, NBits, Conv)', (op: string) => MATMUL_OPS.has(op)],
    ['everything else', (op: string) => !MATMUL_OPS.has(op)],
  ] as const) {
    rows.push([
      label,
      ...COMPONENTS.map((c) => {
        const part = sum(c, keep);
        const all = sum(c, () => true).ms;
        return `${part.ms.toFixed(2)} ms / ${Math.round(part.runs)} (${all > 0 ? ((100 * part.ms) / all).toFixed(0) : 0} %)`;
      }),
    ]);
  }
  printTable(rows);
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)) + 2);
  for (const row of rows)
    console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(''));
}

/** Per component: its same-shapes MatMul time per edit (one replay × calls) and that time's share of its own time. */
function getSameShapeShares(r: BenchReport, side: 'web' | 'node') {
  const timed = side === 'web' ? r.web : r.node;
  const rows = COMPONENTS.map((c) => {
    const replay = r.sameShapes[side][c];
    const ms = replay ? replay.ms * r.profile.calls[c] : 0;
    return { c, ms, gflops: replay?.gflops ?? 0, share: ms / timed.components[c] };
  });
  const total = rows.reduce((s, x) => s + x.ms, 0);
  return { rows, total, share: total / timed.perEditMs };
}

export function printReport(r: BenchReport): void {
  const { web, node } = r;
  const flops = r.profile.flops;
  console.log(
    `browser: onnxruntime-web ${web.build} build, WASM EP in a Worker, ort.env.wasm.numThreads = ${web.threads} as applied, crossOriginIsolated ${web.crossOriginIsolated}, hardwareConcurrency ${web.cores}`,
  );
  console.log(
    `node: onnxruntime-node CPU EP, intraOpNumThreads = ${node.threads} (set explicitly), interOpNumThreads = 1`,
  );
  const rows: string[][] = [['', 'browser', 'node', 'MFLOP', 'browser GFLOP/s', 'node GFLOP/s']];
  const glue = (s: Side) => s.perEditMs - COMPONENTS.reduce((sum, c) => sum + s.components[c], 0);
  for (const c of COMPONENTS) {
    const label = c === 'dit' ? `${LABELS[c]} (${web.ditCalls} calls)` : LABELS[c];
    rows.push([
      label,
      ms(web.components[c]),
      ms(node.components[c]),
      (flops[c] / 1e6).toFixed(1),
      gflops(flops[c], web.components[c]),
      gflops(flops[c], node.components[c]),
    ]);
  }
  const total = COMPONENTS.reduce((s, c) => s + flops[c], 0);
  rows.push(['glue', ms(glue(web)), ms(glue(node)), '', '', '']);
  rows.push([
    'edit',
    ms(web.perEditMs),
    ms(node.perEditMs),
    (total / 1e6).toFixed(1),
    gflops(total, web.perEditMs),
    gflops(total, node.perEditMs),
  ]);
  const cpu = (v: number | null) => (v === null ? '–' : ms(v));
  rows.push(['edit, CPU time', cpu(web.cpuPerEditMs), cpu(node.cpuPerEditMs), '', '', '']);
  rows.push(['first edit', ms(web.firstEditMs), ms(node.firstEditMs), '', '', '']);
  rows.push([
    'edits run',
    `${web.edits}${web.settled ? '' : ' (unsettled)'}`,
    `${node.edits}${node.settled ? '' : ' (unsettled)'}`,
    '',
    '',
    '',
  ]);
  printTable(rows);
  const { shape } = r.ceiling;
  console.log(
    `large-shape MatMul ceiling (${shape.pairs} pairs of [${shape.rows}×${shape.hidden}]·[${shape.hidden}×${shape.inner}] and back, ${(ceilingFlops(shape) / 1e6).toFixed(1)} MFLOP a run): browser ${r.ceiling.web.gflops.toFixed(1)} GFLOP/s${r.ceiling.web.settled ? '' : ' (unsettled)'}, node ${r.ceiling.node.gflops.toFixed(1)} GFLOP/s${r.ceiling.node.settled ? '' : ' (unsettled)'}`,
  );
  console.log(
    "same-shapes MatMul ceiling (each component's own MatMul/Conv runs at their shapes, nothing else, × calls per edit):",
  );
  const sides = { web: getSameShapeShares(r, 'web'), node: getSameShapeShares(r, 'node') };
  const shareRows = [['', 'browser ms', 'GFLOP/s', 'of its time', 'node ms', 'GFLOP/s', 'of its time']];
  for (const [i, c] of COMPONENTS.entries()) {
    const [w, n] = [sides.web.rows[i]!, sides.node.rows[i]!];
    const pct = (x: number) => `${(100 * x).toFixed(0)} %`;
    shareRows.push([
      LABELS[c],
      ms(w.ms),
      w.gflops.toFixed(1),
      pct(w.share),
      ms(n.ms),
      n.gflops.toFixed(1),
      pct(n.share),
    ]);
  }
  const totalFlops = COMPONENTS.reduce((s, c) => s + flops[c], 0);
  shareRows.push([
    'edit',
    ms(sides.web.total),
    (totalFlops / sides.web.total / 1e6).toFixed(1),
    `${(100 * sides.web.share).toFixed(0)} %`,
    ms(sides.node.total),
    (totalFlops / sides.node.total / 1e6).toFixed(1),
    `${(100 * sides.node.share).toFixed(0)} %`,
  ]);
  printTable(shareRows);
  printOpTable(r.profile);
  if (r.gpu) {
    console.log(
      `WebGPU readbacks per step: ${(r.gpu.inStep / r.gpu.steps).toFixed(2)} (${r.gpu.inStep} in ${r.gpu.steps} steps; ${r.gpu.other} outside steps)`,
    );
    const phases = Object.entries(r.gpu.phases).map(
      ([phase, m]) =>
        `${phase} ${formatBytes(m.gpuBytes ?? 0)} live (weights ${formatBytes(m.sessionBytes)}, ${m.sessionsCreated} sessions opened)`,
    );
    console.log(
      `WebGPU memory, first edit (plan ${r.gpu.plan}, storage buffer cache ${r.gpu.storageBufferCacheMode}): peak ${phases.join('; ')}`,
    );
  }
  console.log(`load average at the end: ${r.loadAtEnd}`);

  const ratio = web.perEditMs / node.perEditMs;
  const cpuRatio = web.cpuPerEditMs && node.cpuPerEditMs ? web.cpuPerEditMs / node.cpuPerEditMs : null;
  const share = sides.web.share; // the same-shapes ceiling: the edit's own MatMul work at full speed
  const largeShare = total / web.perEditMs / 1e6 / r.ceiling.web.gflops;
  const glueShare = glue(web) / web.perEditMs;
  console.log('bars (issue #14):');
  console.log(
    `  ${bar(ratio <= 2.3)}  browser per edit ≤ 2.3× node: ${ratio.toFixed(2)}× (CPU time, all threads with their spin-waits: ${cpuRatio === null ? '–' : `${cpuRatio.toFixed(2)}×`})`,
  );
  console.log(
    `  ${bar(share >= 0.85)}  browser edit ≥ 85 % of its MatMul ceiling (same shapes): ${(100 * share).toFixed(0)} % (of the large-shape ceiling: ${(100 * largeShare).toFixed(0)} %)`,
  );
  const oneEdit = r.oneThread.edit.cpuPerEditMs;
  if (oneEdit !== null)
    console.log(
      `  (node on 1 thread, CPU time, little moved by load: the edit ${ms(oneEdit)} (wall ${ms(r.oneThread.edit.perEditMs)}); its same-shapes MatMul/Conv work: ${getOneThreadWork(r)}; node's AE replays pay NCHWc conversions the real graphs do not)`,
    );
  console.log(
    `  ${bar(glueShare <= 0.05)}  glue ≤ 5 % (browser): ${(100 * glueShare).toFixed(1)} % (node ${((100 * glue(node)) / node.perEditMs).toFixed(1)} %)`,
  );
  const app = r.app;
  if (!app) {
    console.log(
      '  n/a   cached embedded bundle ready ≤ 1.5 s after page load: no built app (npx vite build), or --no-app',
    );
    console.log('  n/a   first edit after ready ≤ 1.5× the tenth: no built app (npx vite build), or --no-app');
    return;
  }
  const [first, tenth] = [app.editMs[0]!, app.editMs[app.editMs.length - 1]!];
  console.log("app load with the bundle stored (ms from navigation start; the engine worker's spans):");
  for (const s of app.timeline)
    console.log(
      `  ${s.name.padEnd(36)} ${s.start.toFixed(0).padStart(6)} → ${s.end.toFixed(0).padStart(6)}  (${(s.end - s.start).toFixed(0)} ms)`,
    );
  console.log(`  badge ready (sessions warmed up)     ${app.readyMs.toFixed(0).padStart(6)}`);
  const compile = (c: WasmCompileTime) =>
    `Liftoff ${ms(c.liftoffMs)}, TurboFan ${ms(c.turbofanMs)} (thread time), code cache ${c.cacheHit ? 'hit' : 'miss'}`;
  console.log(
    `V8 compiling WebAssembly, reload to ready (a traced load before this one): ${compile(app.compile.load)}`,
  );
  console.log(`app (dist/, vite preview): edits through the UI ${app.editMs.map((t) => Math.round(t)).join(', ')} ms`);
  console.log(
    `  each input encoded ahead, while the prompt is written, in ${app.encodeAheadMs.map((t) => Math.round(t)).join(', ')} ms`,
  );
  const loads = [app.readyMs, ...app.readyAgainMs];
  const ready = median(loads);
  console.log(
    `  ${bar(ready <= 1500)}  cached embedded bundle ready ≤ 1.5 s after page load: ${ms(ready)} (median of ${loads.map((t) => Math.round(t)).join(', ')} ms: the load above, then fresh browsers)`,
  );
  console.log(
    `  ${bar(first <= 1.5 * tenth)}  first edit after ready ≤ 1.5× the tenth: ${ms(first)} / ${ms(tenth)} = ${(first / tenth).toFixed(2)}×`,
  );
}
