/**
 * @file A MatMul ceiling on a runtime: a graph of nothing but multiply-adds (ceilingGraph.ts's large-shape chain, or
 * replayGraph.ts's same-shapes replay of a component) timed until it settles, on the same onnxruntime module and
 * thread settings as the edits. Pure TypeScript: runs in Node and in the bench's worker.
 */
import type { Ort } from '../../workers/runtime/ort';
import { settle, type SettleOptions } from './settle';

/** rows × hidden input; each of `pairs` blocks multiplies by hidden × inner, then inner × hidden. */
export interface CeilingShape {
  rows: number;
  hidden: number;
  inner: number;
  pairs: number;
}

export const ceilingFlops = (s: CeilingShape) => s.pairs * 2 * (2 * s.rows * s.hidden * s.inner);

/** What to time: the graph, its inputs (filled with 0.5) and the FLOPs of one run. */
export interface CeilingGraph {
  model: Uint8Array;
  inputs: { name: string; dims: number[] }[];
  flops: number;
}

export interface CeilingResult {
  /** Median of the settled window, ms per run. */
  ms: number;
  /** CPU time per run over the settled window, ms, when a CPU clock was given. */
  cpuMs?: number;
  gflops: number;
  settled: boolean;
}

/** Times one run of `graph` (median of the settled window) and returns GFLOP/s. */
export async function measureCeiling(
  ort: Ort,
  graph: CeilingGraph,
  options: SettleOptions,
  executionProviders: string[],
  cpu?: () => Promise<number>,
): Promise<CeilingResult> {
  const session = await ort.InferenceSession.create(graph.model, { executionProviders, graphOptimizationLevel: 'all' });
  const feeds = Object.fromEntries(
    graph.inputs.map(({ name, dims }) => [
      name,
      new ort.Tensor('float32', new Float32Array(dims.reduce((s, d) => s * d, 1)).fill(0.5), dims),
    ]),
  );
  try {
    const cpuAt: number[] = [];
    const run = await settle(async () => {
      if (cpu) cpuAt.push(await cpu());
      const t0 = performance.now();
      await session.run(feeds);
      return performance.now() - t0;
    }, options);
    const result: CeilingResult = { ms: run.median, gflops: graph.flops / run.median / 1e6, settled: run.settled };
    if (!cpu) return result;
    cpuAt.push(await cpu());
    const n = Math.min(options.window, run.times.length);
    return { ...result, cpuMs: (cpuAt.at(-1)! - cpuAt.at(-1 - n)!) / n };
  } finally {
    await session.release();
  }
}
