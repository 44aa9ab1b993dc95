import { describe, expect, it } from 'vitest';
import { ATTENTION_GRAPH, ATTENTION_GRAPH_HEADS } from '../../../workers/runtime/attentionGraph';
import { assertOnnxModel } from '../../../workers/bundle/onnxInspect';
import { ATTENTION_CHECK_HEADS, buildAttentionCheckGraph, REGENERATE_COMMAND } from './attentionGraph';

describe('the attention-check graph the worker ships', () => {
  it(`is byte for byte what the builder makes (else run \`${REGENERATE_COMMAND}\`)`, () => {
    const built = buildAttentionCheckGraph();
    assertOnnxModel(built, 'attention_check');
    // Arrays, not Uint8Arrays: a mismatch then shows the first differing byte instead of two blobs.
    expect(Array.from(ATTENTION_GRAPH)).toEqual(Array.from(built));
    expect(ATTENTION_GRAPH_HEADS).toBe(ATTENTION_CHECK_HEADS);
  });
});
