/**
 * @file Single-head attention over a symbolic number of tokens without the [L, L] score matrix: the queries are
 * split into a fixed number of chunks and each chunk takes its softmax over all keys, so the result is exact
 * (every query row sees the same MatMul, scale and Softmax as in the full matrix) while the largest score buffer
 * is ⌈L / chunks⌉ × L. The AE mid-block needs it: its full matrix is 1 GiB at 1024² (over many GPUs' buffer limit).
 * Why not MultiHeadAttention: the WebGPU EP avoids the matrix only on its flash path, which needs `subgroups`
 * (off when the known-answer check fails, and SwiftShader's was wrong) and may not take head_dim 512.
 */
import type { GraphBuilder } from '../onnx/GraphBuilder';
import { addFloatScalar, addInt64s } from './common';

/**
 * Query chunks of the AE mid-block attention: 16 keeps one chunk's scores at 64 MiB at 1024² (16,384 tokens),
 * while a small latent (the goldens' 24 tokens) only pads to 32 rows. Written to the manifest (ae.attention_chunks)
 * so the engine's tile planner counts the same buffers.
 */
export const AE_ATTENTION_CHUNKS = 16;

/**
 * softmax(q·k·scale)·v for q [1, L, C], k [1, C, L], v [1, L, C] with L symbolic; returns [1, L, C].
 * q is zero-padded to a multiple of `chunks` rows (padding rows are sliced off again), reshaped to
 * [chunks, m, C] and sliced chunk by chunk (no n-way Split: see addConcatTree), so every chunk is non-empty at
 * any L ≥ 1 and no node sees a zero-sized tensor.
 */
export function addChunkedAttention(
  b: GraphBuilder,
  q: string,
  k: string,
  v: string,
  o: { scale: number; chunks: number },
): string {
  const n = o.chunks;
  const tokens = b.addOp('Shape', [q], { start: 1, end: 2 }); // [L]
  const chunkCount = addInt64s(b, [n], 'attn_chunks');
  const padRows = b.addOp('Mod', [b.addOp('Sub', [chunkCount, b.addOp('Mod', [tokens, chunkCount])]), chunkCount]);
  const pads = b.addOp(
    'Concat',
    [addInt64s(b, [0, 0, 0, 0], 'attn_pad_begin'), padRows, addInt64s(b, [0], 'attn_pad_end')],
    {
      axis: 0,
    },
  );
  const padded = b.addOp('Pad', [q, pads]); // [1, n·m, C], zero rows at the end
  const rows = b.addOp('Reshape', [padded, addInt64s(b, [n, -1, 0], 'attn_chunk_shape')]); // [n, m, C]
  const scale = addFloatScalar(b, o.scale, 'attn_scale');
  const axis0 = addInt64s(b, [0], 'attn_chunk_axis');
  const parts = Array.from({ length: n }, (_, i) => {
    const chunk = b.addOp('Slice', [rows, addInt64s(b, [i], 'attn_from'), addInt64s(b, [i + 1], 'attn_to'), axis0]);
    const scores = b.addOp('Mul', [b.addOp('MatMul', [chunk, k]), scale]); // [1, m, L]
    return b.addOp('MatMul', [b.addOp('Softmax', [scores], { axis: -1 }), v]); // [1, m, C]
  });
  const joined = addConcatTree(b, parts, 1); // [1, n·m, C]
  return b.addOp('Slice', [joined, addInt64s(b, [0], 'attn_begin'), tokens, addInt64s(b, [1], 'attn_axis')]);
}

/**
 * Concat of many tensors as a tree of Concats of at most CONCAT_FAN_IN inputs: onnxruntime's WebGPU kernels bind
 * every input and output as a storage buffer, and a 16-way Split or Concat (17 buffers) failed on SwiftShader's
 * limit of 10 per shader stage ("Too many storage buffers in shader").
 */
const CONCAT_FAN_IN = 4;
function addConcatTree(b: GraphBuilder, parts: readonly string[], axis: number): string {
  if (parts.length <= CONCAT_FAN_IN) return parts.length === 1 ? parts[0]! : b.addOp('Concat', [...parts], { axis });
  const groups: string[] = [];
  for (let i = 0; i < parts.length; i += CONCAT_FAN_IN)
    groups.push(addConcatTree(b, parts.slice(i, i + CONCAT_FAN_IN), axis));
  return addConcatTree(b, groups, axis);
}
