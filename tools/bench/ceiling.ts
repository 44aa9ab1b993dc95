/**
 * @file The bare-MatMul ceiling on a runtime: ceilingGraph.ts's chain timed until it settles, on the same
 * onnxruntime module and thread settings as the edits. Pure TypeScript: runs in Node and in the bench's worker.
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

/** Times one run of the chain (median of the settled window) and returns GFLOP/s. */
export async function measureCeiling(
  ort: Ort,
  graph: Uint8Array,
  shape: CeilingShape,
  options: SettleOptions,
  executionProviders: string[],
): Promise<{ ms: number; gflops: number; settled: boolean }> {
  const session = await ort.InferenceSession.create(graph, { executionProviders, graphOptimizationLevel: 'all' });
  const x = new ort.Tensor('float32', new Float32Array(shape.rows * shape.hidden).fill(0.5), [
    shape.rows,
    shape.hidden,
  ]);
  try {
    const run = await settle(async () => {
      const t0 = performance.now();
      await session.run({ x });
      return performance.now() - t0;
    }, options);
    return { ms: run.median, gflops: ceilingFlops(shape) / run.median / 1e6, settled: run.settled };
  } finally {
    await session.release();
  }
}
