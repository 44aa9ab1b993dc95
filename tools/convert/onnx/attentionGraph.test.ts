import { describe, expect, it } from 'vitest';
import { assertOnnxModel } from '../../../workers/bundle/onnxInspect';
import { ATTENTION_TOLERANCE, measureAttentionErrorOn } from '../../../workers/runtime/attentionCheck';
import { ATTENTION_GRAPH, ATTENTION_GRAPH_HEADS } from '../../../workers/runtime/attentionGraph';
import { nodeOrt } from '../../testing/nodeOrt';
import { ATTENTION_CHECK_HEADS, buildAttentionCheckGraph, REGENERATE_COMMAND } from './attentionGraph';

describe('the attention-check graph the worker ships', () => {
  it(`is byte for byte what the builder makes (else run \`${REGENERATE_COMMAND}\`)`, () => {
    const built = buildAttentionCheckGraph();
    assertOnnxModel(built, 'attention_check');
    // Arrays, not Uint8Arrays: a mismatch then shows the first differing byte instead of two blobs.
    expect(Array.from(ATTENTION_GRAPH)).toEqual(Array.from(built));
    expect(ATTENTION_GRAPH_HEADS).toBe(ATTENTION_CHECK_HEADS);
  });

  // Its dims are symbolic: the same bytes must pass the worker's check at the default shape and at others.
  it.each([
    { tokens: 64, headDim: 32 },
    { tokens: 7, headDim: 16 },
    { tokens: 100, headDim: 8 },
  ])('passes the check on onnxruntime-node (CPU) at $tokens tokens of head_dim $headDim', async (shape) => {
    const error = await measureAttentionErrorOn(nodeOrt, { backend: 'wasm' }, shape);
    expect(error).toBeLessThan(1e-5); // fp32 rounding, far inside ATTENTION_TOLERANCE
    expect(error).toBeLessThan(ATTENTION_TOLERANCE);
  });
});
