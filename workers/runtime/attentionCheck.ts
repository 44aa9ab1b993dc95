/**
 * @file A known-answer test of onnxruntime's fused attention on a WebGPU device: with the 'subgroups'
 * feature its flash-attention path returned wrong numbers on SwiftShader (6e-2 off at 32+ tokens), so the
 * engine runs this once per device and drops subgroups when it fails — a slower kernel, never wrong output.
 */
import { EngineError } from '../api/errors';
import { GraphBuilder, MS_DOMAIN, attrFloat } from '../onnx/GraphBuilder';
import { serializeModel } from '../onnx/serialize';
import { requestGpu, type GpuHandle } from './gpu';
import type { Ort } from './ort';

const TOKENS = 64;
const HEADS = 2;
const HEAD_DIM = 32;

/** A one-node MultiHeadAttention graph: q, k, v [1, 64, 64] → [1, 64, 64]. */
function buildModel(): Uint8Array {
  const b = new GraphBuilder();
  const dims = [1, TOKENS, HEADS * HEAD_DIM];
  const q = b.addInput('q', 'float', dims),
    k = b.addInput('k', 'float', dims),
    v = b.addInput('v', 'float', dims);
  const y = b.addNode('MultiHeadAttention', [q, k, v], {
    domain: MS_DOMAIN,
    attrs: { num_heads: HEADS, scale: attrFloat(1 / Math.sqrt(HEAD_DIM)) },
  })[0]!;
  b.addOutput(y, 'y', 'float', dims);
  return serializeModel(b, { graphName: 'attention_check' }).model;
}

/** softmax(q kᵀ/√d) v per head, in float64. */
function referenceAttention(q: Float32Array, k: Float32Array, v: Float32Array): Float32Array {
  const width = HEADS * HEAD_DIM;
  const out = new Float32Array(q.length);
  const scores = new Float64Array(TOKENS);
  for (let h = 0; h < HEADS; h++) {
    for (let i = 0; i < TOKENS; i++) {
      let max = -Infinity;
      for (let j = 0; j < TOKENS; j++) {
        let dot = 0;
        for (let d = 0; d < HEAD_DIM; d++) dot += q[i * width + h * HEAD_DIM + d]! * k[j * width + h * HEAD_DIM + d]!;
        scores[j] = dot / Math.sqrt(HEAD_DIM);
        max = Math.max(max, scores[j]!);
      }
      let sum = 0;
      for (let j = 0; j < TOKENS; j++) sum += scores[j] = Math.exp(scores[j]! - max);
      for (let d = 0; d < HEAD_DIM; d++) {
        let acc = 0;
        for (let j = 0; j < TOKENS; j++) acc += scores[j]! * v[j * width + h * HEAD_DIM + d]!;
        out[i * width + h * HEAD_DIM + d] = acc / sum;
      }
    }
  }
  return out;
}

/** Deterministic, varied inputs (large enough scores that a wrong softmax shows). */
function makeInput(seed: number): Float32Array {
  return Float32Array.from(
    { length: TOKENS * HEADS * HEAD_DIM },
    (_, i) => 2 * Math.sin(i * 0.731 + seed * 1.37) + Math.cos(i * 0.117 * seed),
  );
}

/** Runs the check on `device`; returns the largest absolute error against the reference. */
export async function measureAttentionError(ort: Ort, device: GPUDevice): Promise<number> {
  const session = await ort.InferenceSession.create(buildModel(), { executionProviders: [{ name: 'webgpu', device }] });
  try {
    const q = makeInput(1),
      k = makeInput(2),
      v = makeInput(3);
    const dims = [1, TOKENS, HEADS * HEAD_DIM];
    const out = await session.run({
      q: new ort.Tensor('float32', q, dims),
      k: new ort.Tensor('float32', k, dims),
      v: new ort.Tensor('float32', v, dims),
    });
    if (!out.y) throw new EngineError('runtime', 'the attention check returned no output "y"');
    const got = (await out.y.getData()) as Float32Array;
    const want = referenceAttention(q, k, v);
    let error = 0;
    for (let i = 0; i < want.length; i++) error = Math.max(error, Math.abs(got[i]! - want[i]!));
    return Number.isFinite(error) ? error : Infinity;
  } finally {
    await session.release();
  }
}

/** Errors above this mean a broken kernel, not float rounding (fp32 attention lands near 1e-6). */
export const ATTENTION_TOLERANCE = 1e-3;

/** A device with 'subgroups' if its fused attention passes the known-answer check, else one without. */
export async function requestCheckedGpu(gpu: GPU | undefined, ort: Ort): Promise<GpuHandle | { reason: string }> {
  const first = await requestGpu(gpu, { subgroups: true });
  if (!('device' in first) || !first.info.subgroups) return first;
  let error: number;
  try {
    error = await measureAttentionError(ort, first.device);
  } catch (e) {
    error = Infinity;
    console.warn('attention check failed to run', e);
  }
  if (error <= ATTENTION_TOLERANCE)
    return {
      ...first,
      info: { ...first.info, attentionCheck: `subgroup attention passed (max error ${error.toExponential(1)})` },
    };
  first.device.destroy();
  const second = await requestGpu(gpu, { subgroups: false });
  if (!('device' in second)) return second;
  const note = `subgroup attention failed its check (max error ${Number.isFinite(error) ? error.toExponential(1) : 'n/a'}), so it is off`;
  return { ...second, info: { ...second.info, attentionCheck: note } };
}
