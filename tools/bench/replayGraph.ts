/**
 * @file The same-shapes MatMul ceiling's graph: every FLOP-bearing kernel run of one call of a component (MatMul,
 * FusedMatMul, Gemm, MatMulNBits, Conv, FusedConv, from opProfile.ts) as a plain node of the same op kind at the same
 * M, K, N (Conv: the same input, weight and output shapes), with constant weights, so timing it says how fast this
 * runtime does exactly that multiply-add work with nothing around it. Each distinct activation shape is one graph
 * input; outputs of one shape are summed with Adds (one M×N add per node: under 1 % of its multiply-adds) so every
 * node stays live. Fused activations and transposes are left out: only the multiply-adds are replayed.
 */
import { GraphBuilder, MS_DOMAIN } from '../convert/onnx/GraphBuilder';
import { serializeModel } from '../convert/onnx/serialize';
import { countNodeFlops, type Shape } from './flops';
import type { KernelRun } from './opProfile';

export interface ReplayGraph {
  model: Uint8Array;
  /** The graph's inputs, each fed once per run. */
  inputs: { name: string; dims: number[] }[];
  /** Multiply-adds × 2 of one run (countNodeFlops over the replayed runs). */
  flops: number;
}

/** A node to replay: its op, the activation's shape, the weight's shape, attributes, the output's shape. */
interface Planned {
  op: string;
  domain?: string;
  a: Shape;
  weights: { dims: Shape; type: 'float' | 'uint8' }[];
  attrs: Record<string, number | number[]>;
  out: Shape;
}

/** M, K, N of a MatMul-like run, the same reading of transposes as countNodeFlops. */
function getMkn(a: Shape, out: Shape): { m: number; k: number; n: number } {
  const m = out.length >= 2 ? out[out.length - 2]! : 1;
  const transposed = a.length >= 2 && a[a.length - 1] === m && a[a.length - 2] !== m;
  return { m, k: transposed ? a[a.length - 2]! : a[a.length - 1]!, n: out[out.length - 1]! };
}

/** MatMulNBits' block size when the profile does not show the packed weight: the converter's default (--block). */
const DEFAULT_BLOCK = 32;

function plan(run: KernelRun): Planned | null {
  // The profile lists the inputs that are not initializers: a Conv's weight is there (after onnxruntime's layout
  // transform), a MatMul's constant weight is not, so its K comes from A and its N from the output.
  const [a, b] = run.inputs;
  const out = run.outputs[0];
  if (!a || !out || countNodeFlops(run.op, run.inputs, run.outputs) === 0) return null;
  if (run.op === 'Conv' || run.op === 'FusedConv') {
    if (!b) return null;
    const [, c, h, w] = a as [number, number, number, number];
    const [, , kh, kw] = b as [number, number, number, number];
    const [, , oh, ow] = out as [number, number, number, number];
    const stride = (i: number, o: number) => (o < i ? Math.floor(i / o) : 1);
    const [sh, sw] = [stride(h, oh), stride(w, ow)];
    const pad = (i: number, o: number, k: number, s: number) => Math.max(0, (o - 1) * s + k - i);
    const [ph, pw] = [pad(h, oh, kh, sh), pad(w, ow, kw, sw)];
    const attrs = {
      group: c / b[1]!,
      strides: [sh, sw],
      pads: [Math.floor(ph / 2), Math.floor(pw / 2), ph - Math.floor(ph / 2), pw - Math.floor(pw / 2)],
    };
    return { op: 'Conv', a, weights: [{ dims: b, type: 'float' }], attrs, out };
  }
  const { m, k, n } = getMkn(a, out);
  const batch = out.slice(0, -2);
  if (run.op === 'MatMulNBits') {
    const block = b?.length === 3 ? 2 * b[2]! : DEFAULT_BLOCK;
    const blocks = k / block;
    const weights = [
      { dims: [n, blocks, block / 2], type: 'uint8' as const },
      { dims: [n * blocks], type: 'float' as const },
    ];
    return {
      op: 'MatMulNBits',
      domain: MS_DOMAIN,
      a: [...batch, m, k],
      weights,
      attrs: { K: k, N: n, bits: 4, block_size: block },
      out,
    };
  }
  // MatMul, FusedMatMul, Gemm: a plain MatMul on a constant [K, N]; batch axes when B was a batched activation.
  const bDims = b && b.length > 2 ? [...batch, k, n] : [k, n];
  return { op: 'MatMul', a: [...batch, m, k], weights: [{ dims: bDims, type: 'float' }], attrs: {}, out };
}

/** Builds the replay of `runs` (one call's FLOP-bearing kernel runs); null when there are none. */
export function buildReplayGraph(runs: KernelRun[]): ReplayGraph | null {
  const planned = runs.map(plan).filter((p): p is Planned => p !== null);
  if (planned.length === 0) return null;
  const b = new GraphBuilder();
  const inputs = new Map<string, string>();
  const sums = new Map<string, string>();
  // Distinct weights per node (32-bit LCG in exact integer arithmetic): equal initializers would let onnxruntime
  // share them and merge the MatMuls that read the same input, replaying less work than the component does.
  let seed = 1;
  const random = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  for (const p of planned) {
    const key = p.a.join('x');
    if (!inputs.has(key)) inputs.set(key, b.addInput(`x${inputs.size}`, 'float', p.a));
    const weights = p.weights.map(({ dims, type }) => {
      const count = dims.reduce((s, d) => s * d, 1);
      const data =
        type === 'uint8'
          ? Uint8Array.from({ length: count }, () => Math.floor((random() + 0.5) * 256))
          : Float32Array.from({ length: count }, () => random() / Math.sqrt(dims[dims.length - 2] ?? 1));
      return b.addInitializer('w', data, dims);
    });
    const y = b.addOp(p.op, [inputs.get(key)!, ...weights], p.attrs, p.domain);
    const outKey = p.out.join('x');
    const sum = sums.get(outKey);
    sums.set(outKey, sum ? b.addOp('Add', [sum, y]) : y);
  }
  let i = 0;
  for (const [key, value] of sums) b.addOutput(value, `y${i++}`, 'float', key.split('x').map(Number));
  const model = serializeModel(b, { graphName: 'matmul_replay', externalThresholdBytes: Infinity }).model;
  return {
    model,
    inputs: [...inputs].map(([key], j) => ({ name: `x${j}`, dims: key.split('x').map(Number) })),
    flops: runs.reduce((s, r) => s + countNodeFlops(r.op, r.inputs, r.outputs), 0),
  };
}
