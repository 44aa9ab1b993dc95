import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { countNodeFlops } from './flops';
import type { KernelRun } from './opProfile';
import { buildReplayGraph } from './replayGraph';

// Kernel runs as onnxruntime's profile records them: a MatMul's constant weight is not listed, a Conv's is.
const RUNS: KernelRun[] = [
  { op: 'MatMul', inputs: [[1, 52, 192]], outputs: [[1, 52, 768]] },
  { op: 'MatMul', inputs: [[1, 52, 192]], outputs: [[1, 52, 768]] },
  { op: 'Gemm', inputs: [[1, 192], [576]], outputs: [[1, 576]] },
  { op: 'MatMulNBits', inputs: [[1, 52, 192]], outputs: [[1, 52, 64]] },
  { op: 'FusedConv', inputs: [[1, 16, 32, 32], [32, 16, 3, 3], [32]], outputs: [[1, 32, 16, 16]] },
  {
    op: 'Conv',
    inputs: [
      [1, 16, 32, 32],
      [16, 1, 3, 3],
    ],
    outputs: [[1, 16, 32, 32]],
  },
  {
    op: 'Add',
    inputs: [
      [1, 52, 192],
      [1, 52, 192],
    ],
    outputs: [[1, 52, 192]],
  },
];

describe('the same-shapes MatMul replay', () => {
  it('runs every FLOP-bearing kernel at its shapes, and nothing else, on onnxruntime-node', async () => {
    const graph = buildReplayGraph(RUNS)!;
    expect(graph.flops).toBe(RUNS.reduce((s, r) => s + countNodeFlops(r.op, r.inputs, r.outputs), 0));
    expect(graph.inputs.map((i) => i.dims)).toEqual([
      [1, 52, 192],
      [1, 192],
      [1, 16, 32, 32],
    ]);
    const session = await ort.InferenceSession.create(graph.model, { graphOptimizationLevel: 'disabled' });
    const feeds = Object.fromEntries(
      graph.inputs.map(({ name, dims }) => [
        name,
        new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.5), dims),
      ]),
    );
    const out = await session.run(feeds);
    // One output per distinct output shape (same-shape results are summed), each finite.
    expect(Object.values(out).map((t) => t.dims)).toEqual([
      [1, 52, 768],
      [1, 576],
      [1, 52, 64],
      [1, 32, 16, 16],
      [1, 16, 32, 32],
    ]);
    for (const t of Object.values(out)) expect((t.data as Float32Array).every(Number.isFinite)).toBe(true);
    await session.release();
  });

  it('is null when no run carries FLOPs', () => {
    expect(buildReplayGraph([RUNS[6]!])).toBeNull();
  });
});
