import { describe, expect, it } from 'vitest';
import { assertOnnxModel } from '../../../workers/bundle/onnxInspect';
import { ATTENTION_TOLERANCE, getCheckedRows, measureAttentionErrorOn } from '../../../workers/runtime/attentionCheck';
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
    { tokens: 700, headDim: 8 }, // checked on 256 of its rows
  ])('passes the check on onnxruntime-node (CPU) at $tokens tokens of head_dim $headDim', async (shape) => {
    const error = await measureAttentionErrorOn(nodeOrt, { backend: 'wasm' }, shape);
    expect(error).toBeLessThan(1e-5); // fp32 rounding, far inside ATTENTION_TOLERANCE
    expect(error).toBeLessThan(ATTENTION_TOLERANCE);
  });
});

describe('the rows the check compares', () => {
  it('are all rows of a short sequence, and of a long one both ends and an even spread, each once', () => {
    expect(getCheckedRows(5)).toEqual([0, 1, 2, 3, 4]);
    for (const tokens of [257, 2100, 8704]) {
      const rows = getCheckedRows(tokens);
      expect(rows).toHaveLength(256);
      expect(new Set(rows).size).toBe(256);
      expect(rows).toEqual([...rows].sort((a, b) => a - b));
      expect(rows.slice(0, 64)).toEqual(Array.from({ length: 64 }, (_, i) => i));
      expect(rows.at(-1)).toBe(tokens - 1);
      // No gap between checked rows wider than one step of the even spread.
      const gaps = rows.slice(1).map((r, i) => r - rows[i]!);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(Math.ceil((tokens - 128) / 128));
    }
  });
});
