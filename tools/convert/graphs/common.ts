/**
 * @file Graph-building helpers shared by the T5, CLIP and autoencoder converters: the Linear layer
 * behind the bundle's weight format, norms (RMS, GroupNorm decomposed for the WebGPU EP), activations,
 * multi-head attention with plain MatMul/Softmax, and a row-chunked embedding lookup. Pure TypeScript.
 */
import { attrFloat, MS_DOMAIN, type GraphBuilder } from '../onnx/GraphBuilder';
import { addInt4Rows, addLinearFromRows, type LinearWeights, type RowReader } from '../onnx/linear';
import { convertFloat32ToHalf } from '../quantize/fp16';
import type { ConvertOptions, WeightFormat } from './types';

/** ONNX TensorProto data types used as Cast's `to`. */
export const ONNX_FLOAT = 1;

/** fp16's lowest finite value: a mask that stays finite even if scores ever run in fp16 (WGSL may drop infinities). */
export const MASK_VALUE = -65504;

/**
 * Adds a Linear layer stored in the bundle's weight format (fp32 MatMul, fp16, int4 MatMulNBits), its weight
 * read through `readRows` (int4 streams it a slab at a time). The one place the text encoders reach the Linear
 * implementation.
 */
export function addLinearLayer(
  b: GraphBuilder,
  x: string,
  p: Omit<LinearWeights, 'weight'> & { readRows: RowReader },
  options: Pick<ConvertOptions, 'weights' | 'blockSize' | 'accuracyLevel'>,
): Promise<string> {
  return addLinearFromRows(b, x, p, options.weights, options.blockSize ?? 32, options.accuracyLevel);
}

/** Adds an int64 1-D constant (shapes, axes) and returns its name. */
export function addInt64s(b: GraphBuilder, values: readonly number[], prefix = 'shape'): string {
  return b.addInitializer(
    prefix,
    BigInt64Array.from(values, (v) => BigInt(v)),
    [values.length],
  );
}

/** Adds a float32 scalar constant (rank 0). */
export function addFloatScalar(b: GraphBuilder, value: number, prefix = 'const'): string {
  return b.addInitializer(prefix, new Float32Array([value]), []);
}

/**
 * Adds a float weight that is not a Linear layer (conv kernels, embedding tables): stored as float16
 * when the bundle's format is fp16 and cast up in the graph, else float32 (int4 is for Linear layers only).
 */
export function addFloatWeight(
  b: GraphBuilder,
  name: string,
  data: Float32Array,
  dims: readonly number[],
  format: WeightFormat,
): string {
  // Mixed graphs store it in the scope's own float type (GraphBuilder): no Cast of a weight to fold at load.
  if (format !== 'fp16' || b.mixed) return b.addInitializer(name, data, dims);
  const half = b.addInitializer(name, convertFloat32ToHalf(data), dims, 'float16');
  return b.addOp('Cast', [half], { to: ONNX_FLOAT });
}

/** Adds T5's RMS norm: `w · x / sqrt(mean(x²) + eps)` over the last axis, no mean subtraction, no bias. */
export function addRmsNorm(
  b: GraphBuilder,
  x: string,
  p: { weight: Float32Array; epsilon: number; name: string },
): string {
  return b.inFloat32(() => addRmsNormFp32(b, x, p)); // statistics and scale in fp32, as HF's T5LayerNorm
}

function addRmsNormFp32(
  b: GraphBuilder,
  x: string,
  p: { weight: Float32Array; epsilon: number; name: string },
): string {
  // Pow → ReduceMean → Add → Sqrt → Div → Mul is the pattern ORT fuses into SimplifiedLayerNormalization.
  const square = b.addOp('Pow', [x, addFloatScalar(b, 2, 'two')]);
  const meanSquare = b.addOp('ReduceMean', [square, addInt64s(b, [-1], 'axes')], { keepdims: 1 });
  const rms = b.addOp('Sqrt', [b.addOp('Add', [meanSquare, addFloatScalar(b, p.epsilon, 'eps')])]);
  const normed = b.addOp('Div', [x, rms]);
  return b.addOp('Mul', [normed, b.addInitializer(`${p.name}.weight`, p.weight, [p.weight.length])]);
}

/** Adds gelu_new / GELU with the tanh approximation: `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`. */
export function addGeluTanh(b: GraphBuilder, x: string): string {
  const cube = b.addOp('Mul', [b.addOp('Mul', [x, x]), x]);
  const inner = b.addOp('Add', [x, b.addOp('Mul', [cube, addFloatScalar(b, 0.044715, 'gelu_coef')])]);
  const t = b.addOp('Tanh', [b.addOp('Mul', [inner, addFloatScalar(b, Math.sqrt(2 / Math.PI), 'gelu_sqrt_2_pi')])]);
  const half = b.addOp('Mul', [x, addFloatScalar(b, 0.5, 'half')]);
  return b.addOp('Mul', [half, b.addOp('Add', [t, addFloatScalar(b, 1, 'one')])]);
}

/** Adds CLIP's quick_gelu: `x · sigmoid(1.702·x)`. */
export function addQuickGelu(b: GraphBuilder, x: string): string {
  return b.addOp('Mul', [x, b.addOp('Sigmoid', [b.addOp('Mul', [x, addFloatScalar(b, 1.702, 'quick_gelu_coef')])])]);
}

/**
 * Adds swish / SiLU: `x · sigmoid(x)`, in fp32 in mixed graphs: it follows an fp32 norm, so the activation is
 * rounded to fp16 once (where the next conv reads it) instead of after Sigmoid and again after Mul.
 */
export function addSwish(b: GraphBuilder, x: string): string {
  return b.inFloat32(() => b.addOp('Mul', [x, b.addOp('Sigmoid', [x])]));
}

/**
 * Adds GroupNorm on an NCHW tensor without the GroupNormalization op (the WebGPU EP lacks it):
 * Reshape [N, G, C/G·H·W] → InstanceNormalization → Reshape back → per-channel Mul/Add.
 */
export function addGroupNorm(
  b: GraphBuilder,
  x: string,
  p: { groups: number; weight: Float32Array; bias: Float32Array; epsilon: number; name: string },
): string {
  return b.inFloat32(() => addGroupNormFp32(b, x, p)); // statistics and affine in fp32 in mixed graphs
}

function addGroupNormFp32(
  b: GraphBuilder,
  x: string,
  p: { groups: number; weight: Float32Array; bias: Float32Array; epsilon: number; name: string },
): string {
  const channels = p.weight.length;
  if (channels % p.groups !== 0)
    throw new Error(`${p.name}: ${channels} channels are not divisible by ${p.groups} groups`);
  const grouped = b.addOp('Reshape', [x, addInt64s(b, [0, p.groups, -1], 'group_shape')]);
  const ones = b.addInitializer(`${p.name}.group_scale`, new Float32Array(p.groups).fill(1), [p.groups]);
  const zeros = b.addInitializer(`${p.name}.group_bias`, new Float32Array(p.groups), [p.groups]);
  const normed = b.addOp('InstanceNormalization', [grouped, ones, zeros], { epsilon: attrFloat(p.epsilon) });
  const restored = b.addOp('Reshape', [normed, b.addOp('Shape', [x])]);
  const gamma = b.addInitializer(`${p.name}.weight`, p.weight, [channels, 1, 1]);
  const beta = b.addInitializer(`${p.name}.bias`, p.bias, [channels, 1, 1]);
  return b.addOp('Add', [b.addOp('Mul', [restored, gamma]), beta]);
}

/** Options of {@link addMultiHeadAttention}. */
export interface AttentionOptions {
  heads: number;
  headDim: number;
  /** Multiplies q before the scores (CLIP: 1/√d); omitted = no scaling (T5). */
  scale?: number;
  /** Added to the [1, H, L, L] scores before softmax ([L, L] or [H, L, L] broadcast): T5's bias, CLIP's causal mask. */
  scoreBias?: string;
}

/**
 * Adds softmax(q·kᵀ + bias)·v over `heads` heads for q, k, v [1, L, H·D], with plain MatMul/Softmax
 * (every EP has them; L ≤ 512 keeps the [1, H, L, L] scores small). Returns [1, L, H·D].
 */
export function addMultiHeadAttention(b: GraphBuilder, q: string, k: string, v: string, o: AttentionOptions): string {
  const split = addInt64s(b, [0, 0, o.heads, o.headDim], 'heads_shape');
  const toHeads = (x: string, perm: number[]): string =>
    b.addOp('Transpose', [b.addOp('Reshape', [x, split])], { perm });
  const qScaled = o.scale === undefined ? q : b.addOp('Mul', [q, addFloatScalar(b, o.scale, 'attn_scale')]);
  const qh = toHeads(qScaled, [0, 2, 1, 3]); // [1, H, L, D]
  const kt = toHeads(k, [0, 2, 3, 1]); // [1, H, D, L]
  const vh = toHeads(v, [0, 2, 1, 3]); // [1, H, L, D]
  // Scores, bias and softmax in fp32 in mixed graphs (T5's unscaled scores are large); probs·v in the scope's type.
  const probs = b.inFloat32(() => {
    let scores = b.addOp('MatMul', [qh, kt]); // [1, H, L, L]
    if (o.scoreBias) scores = b.addOp('Add', [scores, o.scoreBias]);
    return b.addOp('Softmax', [scores], { axis: -1 });
  });
  const out = b.addOp('Transpose', [b.addOp('MatMul', [probs, vh])], { perm: [0, 2, 1, 3] }); // [1, L, H, D]
  return b.addOp('Reshape', [out, addInt64s(b, [0, 0, o.heads * o.headDim], 'merge_shape')]);
}

/**
 * Adds `table[ids]` for int32 ids [1, L] and a [rows, cols] table → [1, L, cols] float32. In int4 bundles the
 * table is stored blockwise int4 like MatMulNBits weights, quantized a slab of rows at a time (addInt4Rows), and
 * read with com.microsoft GatherBlockQuantized (CPU, WASM and WebGPU kernels): T5-XXL's table shrinks from 526 MB
 * to 82 MB and never exists whole as float32. A float table over `maxChunkBytes` (T5-XXL's fp32 one is over the
 * 512 MB shard cap) is split into row chunks, each gathered with out-of-range ids masked to zero and summed, so
 * no tensor exceeds the cap.
 */
export async function addEmbeddingLookup(
  b: GraphBuilder,
  ids: string,
  p: {
    readRows: RowReader;
    rows: number;
    cols: number;
    name: string;
    format: WeightFormat;
    maxChunkBytes: number;
    blockSize?: number;
  },
): Promise<string> {
  const blockSize = p.blockSize ?? 32;
  if (p.format === 'int4' && p.cols % blockSize === 0) {
    const q = await addInt4Rows(
      b,
      p.readRows,
      { n: p.rows, k: p.cols, blockSize },
      { prefix: p.name, dims: [p.rows, p.cols / 2] },
      { prefix: `${p.name}.scales`, dims: [p.rows, p.cols / blockSize] },
    );
    return b.addOp(
      'GatherBlockQuantized',
      [q.packed, ids, q.scales],
      { gather_axis: 0, quantize_axis: 1, block_size: blockSize, bits: 4 },
      MS_DOMAIN,
    );
  }
  const table = await p.readRows(0, p.rows);
  // A mixed graph stores the table in the scope's type (GraphBuilder) and gathers it without a Cast.
  const half = p.format === 'fp16' && !b.mixed;
  const elemBytes = p.format === 'fp16' ? 2 : 4;
  const rowsPerChunk = Math.max(1, Math.floor(p.maxChunkBytes / (p.cols * elemBytes)));
  const chunkTable = (start: number, count: number): string => {
    const data = table.subarray(start * p.cols, (start + count) * p.cols);
    const stored = half
      ? b.addInitializer(p.name, convertFloat32ToHalf(data), [count, p.cols], 'float16')
      : b.addInitializer(p.name, data, [count, p.cols]);
    return stored;
  };
  const finish = (x: string): string => (half ? b.addOp('Cast', [x], { to: ONNX_FLOAT }) : x);
  if (p.rows <= rowsPerChunk) return finish(b.addOp('Gather', [chunkTable(0, p.rows), ids], { axis: 0 }));
  let sum = '';
  const zeroId = b.addInitializer('zero_id', new Int32Array([0]), []);
  for (let start = 0; start < p.rows; start += rowsPerChunk) {
    const count = Math.min(rowsPerChunk, p.rows - start);
    const local = b.addOp('Sub', [ids, b.addInitializer('chunk_start', new Int32Array([start]), [])]);
    const inChunk = b.addOp('And', [
      b.addOp('GreaterOrEqual', [local, zeroId]),
      b.addOp('Less', [local, b.addInitializer('chunk_rows', new Int32Array([count]), [])]),
    ]);
    const safe = b.addOp('Where', [inChunk, local, zeroId]);
    const rows = b.addOp('Gather', [chunkTable(start, count), safe], { axis: 0 }); // [1, L, cols]
    const keep = b.addOp('Unsqueeze', [inChunk, addInt64s(b, [-1], 'axes')]);
    const zero = half ? b.addInitializer('zero_half', new Uint16Array(1), [], 'float16') : addFloatScalar(b, 0, 'zero');
    const masked = b.addOp('Where', [keep, rows, zero]);
    sum = sum === '' ? masked : b.addOp('Add', [sum, masked]);
  }
  return finish(sum);
}
