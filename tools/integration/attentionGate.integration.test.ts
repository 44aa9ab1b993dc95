import { describe, expect, it } from 'vitest';
import { nodeOrt } from '../testing/nodeOrt';
import { measureAttentionErrorOn, type AttentionShape } from '../../workers/runtime/attentionCheck';
import { checkBundleAttention, createMemoryVerdicts, describeVerdict } from '../../workers/runtime/attentionGate';

const adapter = {
  info: { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader Device' },
  ortVersion: '1.23.0',
};
/** kontext-micro's DiT (head_dim 192 / 6 = 32) and FLUX.1's (3072 / 24 = 128). */
const micro = { hiddenSize: 192, numHeads: 6 };
const flux = { hiddenSize: 3072, numHeads: 24 };

/** The real check on onnxruntime-node's CPU EP, recording every shape it is asked for. */
function recordingCheck(): { shapes: AttentionShape[]; measure: (s: AttentionShape) => Promise<number> } {
  const shapes: AttentionShape[] = [];
  return {
    shapes,
    measure: (s) => {
      shapes.push(s);
      return measureAttentionErrorOn(nodeOrt, { backend: 'wasm' }, s);
    },
  };
}

describe('checkBundleAttention', () => {
  it("runs the check at the bundle's head_dim and 2,048 tokens once, then reuses the stored verdict", async () => {
    const store = createMemoryVerdicts();
    const check = recordingCheck();
    const first = await checkBundleAttention(micro, adapter, store, check.measure);
    expect(check.shapes).toEqual([{ tokens: 2048, headDim: 32 }]);
    expect(first).toMatchObject({ passed: true, cached: false });
    expect(first.error).toBeLessThan(1e-5); // fp32 on the CPU EP
    const again = await checkBundleAttention(micro, adapter, store, check.measure);
    expect(check.shapes).toHaveLength(1);
    expect(again).toEqual({ ...first, cached: true });
    expect(describeVerdict(again, again.shape)).toMatch(/passed at 2048 tokens, head_dim 32/);
  }, 60_000);

  it('checks again for another head_dim, another adapter or another onnxruntime', async () => {
    const store = createMemoryVerdicts();
    const shapes: AttentionShape[] = [];
    const measure = async (s: AttentionShape) => (shapes.push(s), 0);
    await checkBundleAttention(micro, adapter, store, measure);
    await checkBundleAttention(flux, adapter, store, measure);
    await checkBundleAttention(micro, { ...adapter, info: { ...adapter.info, vendor: 'nvidia' } }, store, measure);
    await checkBundleAttention(micro, { ...adapter, ortVersion: '1.24.0' }, store, measure);
    await checkBundleAttention(flux, adapter, store, measure);
    expect(shapes.map((s) => s.headDim)).toEqual([32, 128, 32, 32]);
    expect(shapes.every((s) => s.tokens >= 2048)).toBe(true);
  });

  it('stores a failed or crashed check as failed, so subgroups stay off without rerunning it', async () => {
    const store = createMemoryVerdicts();
    const wrong = await checkBundleAttention(flux, adapter, store, async () => 0.048);
    expect(wrong).toMatchObject({ passed: false, cached: false });
    expect(describeVerdict(wrong, wrong.shape)).toMatch(/failed its check at 2048 tokens, head_dim 128 .*4\.8e-2/);
    let runs = 0;
    const crash = async () => {
      runs++;
      throw new Error('device lost');
    };
    expect(await checkBundleAttention(micro, adapter, store, crash)).toMatchObject({ passed: false, error: Infinity });
    expect(await checkBundleAttention(micro, adapter, store, crash)).toMatchObject({ passed: false, cached: true });
    expect(runs).toBe(1);
  });
});
