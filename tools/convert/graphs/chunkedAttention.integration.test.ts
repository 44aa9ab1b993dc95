import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../onnx/GraphBuilder';
import { serializeModel } from '../onnx/serialize';
import { getMaxAbsDiff, makeRandomFloats, makeRng } from '../testing';
import { addChunkedAttention } from './chunkedAttention';

const CHANNELS = 8;

/** The graph q [1, L, C], k [1, C, L], v [1, L, C] → y [1, L, C] with L symbolic. */
function buildGraph(chunks: number): Uint8Array {
  const b = new GraphBuilder();
  const q = b.addInput('q', 'float', [1, 'L', CHANNELS]);
  const k = b.addInput('k', 'float', [1, CHANNELS, 'L']);
  const v = b.addInput('v', 'float', [1, 'L', CHANNELS]);
  b.addOutput(addChunkedAttention(b, q, k, v, { scale: CHANNELS ** -0.5, chunks }), 'y', 'float', [1, 'L', CHANNELS]);
  return serializeModel(b, { graphName: 'chunked_attention' }).model;
}

/** softmax(q·k/√C)·v in float64, the full [L, L] way. */
function reference(q: Float32Array, k: Float32Array, v: Float32Array, tokens: number): Float32Array {
  const out = new Float32Array(tokens * CHANNELS);
  for (let i = 0; i < tokens; i++) {
    const scores = Array.from({ length: tokens }, (_, j) => {
      let dot = 0;
      for (let c = 0; c < CHANNELS; c++) dot += q[i * CHANNELS + c]! * k[c * tokens + j]!;
      return dot * CHANNELS ** -0.5;
    });
    const max = Math.max(...scores);
    const e = scores.map((s) => Math.exp(s - max));
    const sum = e.reduce((a, x) => a + x, 0);
    for (let c = 0; c < CHANNELS; c++)
      out[i * CHANNELS + c] = e.reduce((a, x, j) => a + x * v[j * CHANNELS + c]!, 0) / sum;
  }
  return out;
}

describe('addChunkedAttention (query chunks, each softmax over every key)', () => {
  // Fewer tokens than chunks, not a multiple of the chunk count, exactly a multiple, one token.
  it.each([1, 5, 16, 37, 100])(
    'equals full attention at %i tokens with 16 chunks (onnxruntime-node)',
    async (tokens) => {
      const rng = makeRng(tokens);
      const q = makeRandomFloats(rng, tokens * CHANNELS, 2);
      const k = makeRandomFloats(rng, tokens * CHANNELS, 2);
      const v = makeRandomFloats(rng, tokens * CHANNELS);
      const session = await ort.InferenceSession.create(buildGraph(16));
      try {
        const out = await session.run({
          q: new ort.Tensor('float32', q, [1, tokens, CHANNELS]),
          k: new ort.Tensor('float32', k, [1, CHANNELS, tokens]),
          v: new ort.Tensor('float32', v, [1, tokens, CHANNELS]),
        });
        expect(out.y!.dims).toEqual([1, tokens, CHANNELS]);
        expect(getMaxAbsDiff(out.y!.data as Float32Array, reference(q, k, v, tokens))).toBeLessThan(1e-5);
      } finally {
        await session.release();
      }
    },
  );
});
