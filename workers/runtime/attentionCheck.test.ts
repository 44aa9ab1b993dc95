import { describe, expect, it } from 'vitest';
import { nodeOrt } from '../../tools/testing/nodeOrt';
import { ATTENTION_TOLERANCE, measureAttentionErrorOn } from './attentionCheck';

describe('the attention check on onnxruntime-node (CPU)', () => {
  // The shipped graph's dims are symbolic: the same bytes must serve the default shape and others.
  it.each([
    { tokens: 64, headDim: 32 },
    { tokens: 7, headDim: 16 },
    { tokens: 100, headDim: 8 },
  ])('passes at $tokens tokens of head_dim $headDim', async (shape) => {
    const error = await measureAttentionErrorOn(nodeOrt, { backend: 'wasm' }, shape);
    expect(error).toBeLessThan(1e-5);
    expect(error).toBeLessThan(ATTENTION_TOLERANCE);
  });
});
