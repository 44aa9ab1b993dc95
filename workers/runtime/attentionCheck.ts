/**
 * @file A known-answer test of onnxruntime's fused attention on a WebGPU device: with the 'subgroups'
 * feature its flash-attention path returned wrong numbers on SwiftShader (6e-2 off at 32+ tokens, 0.048 at
 * head_dim 128 and 2,100 tokens), so the engine runs this at each bundle's shape, once per adapter, before it asks
 * for subgroups (attentionGate.ts) — a slower kernel when it fails, never wrong output.
 */
import { EngineError } from '../api/errors';
import { ATTENTION_GRAPH, ATTENTION_GRAPH_HEADS } from './attentionGraph';
import type { Ort, RuntimeTarget } from './ort';

/** Tokens and per-head width the check runs at (the graph's dims are symbolic, so any size works). */
export interface AttentionShape {
  tokens: number;
  headDim: number;
}

/** 64 tokens of 2 × 32: a quick default for tests; the engine checks each bundle's own shape (attentionGate.ts). */
const CHECK_SHAPE: AttentionShape = { tokens: 64, headDim: 32 };

/** Query rows compared with the reference at most; a shorter sequence is compared whole. */
const CHECKED_ROWS = 256;

/**
 * The query rows the reference is computed for: all of a short sequence; of a long one the first and last 64 (a
 * kernel's first and ragged last tiles) and an even spread between, so the float64 reference costs rows × tokens,
 * not tokens² (at the DiT's 8,704 tokens it ran for minutes on a GPU machine's CPU while the GPU idled).
 */
export function getCheckedRows(tokens: number): number[] {
  if (tokens <= CHECKED_ROWS) return Array.from({ length: tokens }, (_, i) => i);
  const edge = 64;
  const inner = CHECKED_ROWS - 2 * edge;
  const step = (tokens - 2 * edge) / inner;
  return [
    ...Array.from({ length: edge }, (_, i) => i),
    ...Array.from({ length: inner }, (_, i) => edge + Math.floor(i * step)),
    ...Array.from({ length: edge }, (_, i) => tokens - edge + i),
  ];
}

/** softmax(q kᵀ/√d) v per head, in float64, for the query `rows` (the other rows stay 0). */
function referenceAttention(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  shape: AttentionShape,
  rows: readonly number[],
): Float32Array {
  const { tokens, headDim } = shape;
  const width = ATTENTION_GRAPH_HEADS * headDim;
  const out = new Float32Array(q.length);
  const scores = new Float64Array(tokens);
  for (let h = 0; h < ATTENTION_GRAPH_HEADS; h++) {
    for (const i of rows) {
      let max = -Infinity;
      for (let j = 0; j < tokens; j++) {
        let dot = 0;
        for (let d = 0; d < headDim; d++) dot += q[i * width + h * headDim + d]! * k[j * width + h * headDim + d]!;
        scores[j] = dot / Math.sqrt(headDim);
        max = Math.max(max, scores[j]!);
      }
      let sum = 0;
      for (let j = 0; j < tokens; j++) sum += scores[j] = Math.exp(scores[j]! - max);
      for (let d = 0; d < headDim; d++) {
        let acc = 0;
        for (let j = 0; j < tokens; j++) acc += scores[j]! * v[j * width + h * headDim + d]!;
        out[i * width + h * headDim + d] = acc / sum;
      }
    }
  }
  return out;
}

/** Deterministic, varied inputs (large enough scores that a wrong softmax shows). */
function makeInput(seed: number, shape: AttentionShape): Float32Array {
  return Float32Array.from(
    { length: shape.tokens * ATTENTION_GRAPH_HEADS * shape.headDim },
    (_, i) => 2 * Math.sin(i * 0.731 + seed * 1.37) + Math.cos(i * 0.117 * seed),
  );
}

/**
 * Runs the check graph on `target` at `shape`; returns the largest absolute error against the reference over the
 * checked rows (getCheckedRows).
 * The engine runs it on a WebGPU device (measureAttentionError); Node tests on the CPU EP, at several shapes
 * (tools/convert/onnx/attentionGraph.test.ts).
 */
export async function measureAttentionErrorOn(
  ort: Ort,
  target: RuntimeTarget,
  shape: AttentionShape = CHECK_SHAPE,
): Promise<number> {
  const executionProviders =
    target.backend === 'webgpu' ? [{ name: 'webgpu' as const, device: target.device }] : ['wasm'];
  const session = await ort.InferenceSession.create(ATTENTION_GRAPH, { executionProviders });
  try {
    const q = makeInput(1, shape),
      k = makeInput(2, shape),
      v = makeInput(3, shape);
    const dims = [1, shape.tokens, ATTENTION_GRAPH_HEADS * shape.headDim];
    const out = await session.run({
      q: new ort.Tensor('float32', q, dims),
      k: new ort.Tensor('float32', k, dims),
      v: new ort.Tensor('float32', v, dims),
    });
    if (!out.y) throw new EngineError('runtime', 'the attention check returned no output "y"');
    const got = (await out.y.getData()) as Float32Array;
    const rows = getCheckedRows(shape.tokens);
    const want = referenceAttention(q, k, v, shape, rows);
    const width = ATTENTION_GRAPH_HEADS * shape.headDim;
    let error = 0;
    for (const row of rows)
      for (let i = row * width; i < (row + 1) * width; i++) error = Math.max(error, Math.abs(got[i]! - want[i]!));
    return Number.isFinite(error) ? error : Infinity;
  } finally {
    await session.release();
  }
}

/** Runs the check on `device` (at the small default shape unless given); returns the largest absolute error. */
export function measureAttentionError(ort: Ort, device: GPUDevice, shape?: AttentionShape): Promise<number> {
  return measureAttentionErrorOn(ort, { backend: 'webgpu', device }, shape);
}

/** Errors above this mean a broken kernel, not float rounding (fp32 attention lands near 1e-6). */
export const ATTENTION_TOLERANCE = 1e-3;
