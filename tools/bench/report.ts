/**
 * @file What `npm run bench` prints: threads on both sides, the per-component table with GFLOP/s, the bare-MatMul
 * ceilings, the built app's timings, and issue #14's bars with PASS/FAIL.
 */
import type { AppTiming } from './appTiming';
import { ceilingFlops, type CeilingShape } from './ceiling';
import { COMPONENTS, type BenchResult, type Component, type ComponentTimes } from './editBench';

interface Side extends BenchResult {
  threads: number;
}

export interface BenchReport {
  /** null when dist/ is missing or --no-app was given. */
  app: AppTiming | null;
  web: Side & { build: string; crossOriginIsolated: boolean; cores: number };
  node: Side;
  /** FLOPs of one edit by component (onnxruntime-node's profile). */
  flops: ComponentTimes;
  ceiling: {
    web: { gflops: number; settled: boolean };
    node: { gflops: number; settled: boolean };
    shape: CeilingShape;
  };
  gpu: { steps: number; inStep: number; other: number } | null;
  loadAtEnd: string;
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

export function printReport(r: BenchReport): void {
  const { web, node, flops } = r;
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
  rows.push(['first edit', ms(web.firstEditMs), ms(node.firstEditMs), '', '', '']);
  rows.push([
    'edits run',
    `${web.edits}${web.settled ? '' : ' (unsettled)'}`,
    `${node.edits}${node.settled ? '' : ' (unsettled)'}`,
    '',
    '',
    '',
  ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)) + 2);
  for (const row of rows)
    console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(''));
  const { shape } = r.ceiling;
  console.log(
    `bare MatMul ceiling (${shape.pairs} pairs of [${shape.rows}×${shape.hidden}]·[${shape.hidden}×${shape.inner}] and back, ${(ceilingFlops(shape) / 1e6).toFixed(1)} MFLOP a run): browser ${r.ceiling.web.gflops.toFixed(1)} GFLOP/s${r.ceiling.web.settled ? '' : ' (unsettled)'}, node ${r.ceiling.node.gflops.toFixed(1)} GFLOP/s${r.ceiling.node.settled ? '' : ' (unsettled)'}`,
  );
  if (r.gpu)
    console.log(
      `WebGPU readbacks per step: ${(r.gpu.inStep / r.gpu.steps).toFixed(2)} (${r.gpu.inStep} in ${r.gpu.steps} steps; ${r.gpu.other} outside steps)`,
    );
  console.log(`load average at the end: ${r.loadAtEnd}`);

  const ratio = web.perEditMs / node.perEditMs;
  const share = total / web.perEditMs / 1e6 / r.ceiling.web.gflops;
  const glueShare = glue(web) / web.perEditMs;
  console.log('bars (issue #14):');
  console.log(`  ${bar(ratio <= 2.3)}  browser per edit ≤ 2.3× node: ${ratio.toFixed(2)}×`);
  console.log(`  ${bar(share >= 0.85)}  browser edit ≥ 85 % of its MatMul ceiling: ${(100 * share).toFixed(0)} %`);
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
  console.log(`app (dist/, vite preview): edits through the UI ${app.editMs.map((t) => Math.round(t)).join(', ')} ms`);
  console.log(
    `  ${bar(app.readyMs <= 1500)}  cached embedded bundle ready ≤ 1.5 s after page load: ${ms(app.readyMs)}`,
  );
  console.log(
    `  ${bar(first <= 1.5 * tenth)}  first edit after ready ≤ 1.5× the tenth: ${ms(first)} / ${ms(tenth)} = ${(first / tenth).toFixed(2)}×`,
  );
}
