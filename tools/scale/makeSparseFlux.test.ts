import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSafetensors } from '../convert/node/nodeFiles';
import { CLIP_L_CONFIG, FLUX_DIT, scaleFluxConfigs, T5_XXL_CONFIG, writeSparseSafetensors } from './makeSparseFlux';

describe('scaleFluxConfigs', () => {
  it('gives the real shapes at 1 and keeps head sizes and the vocabulary when scaled', () => {
    expect(scaleFluxConfigs(1)).toEqual({ dit: FLUX_DIT, t5: T5_XXL_CONFIG, clip: CLIP_L_CONFIG });
    const { dit, t5, clip } = scaleFluxConfigs(1 / 8);
    expect(dit).toMatchObject({ numHeads: 3, hiddenSize: 384, depth: 2, depthSingleBlocks: 5, axesDim: [16, 56, 56] });
    expect(t5).toMatchObject({ num_heads: 8, d_model: 512, d_kv: 64, d_ff: 1280, num_layers: 3, vocab_size: 32128 });
    // T5's output is the DiT's context: the widths must still match.
    expect(dit.contextInDim).toBe(t5.d_model);
    expect(clip).toMatchObject({ hidden_size: 768, num_attention_heads: 12, num_hidden_layers: 2 });
    const tiny = scaleFluxConfigs(1e-3).dit;
    expect([tiny.numHeads, tiny.depth, tiny.depthSingleBlocks]).toEqual([1, 1, 1]);
    expect(() => scaleFluxConfigs(0)).toThrow(RangeError);
    expect(() => scaleFluxConfigs(1.5)).toThrow(RangeError);
  });

  it('scales depth alone when asked: the real widths in fewer blocks and layers', () => {
    const { dit, t5, clip } = scaleFluxConfigs(1, 0.1);
    expect(dit).toMatchObject({ numHeads: 24, hiddenSize: 3072, depth: 2, depthSingleBlocks: 4, contextInDim: 4096 });
    expect(t5).toMatchObject({ d_model: 4096, d_ff: 10240, num_layers: 2 });
    expect(clip).toMatchObject({ hidden_size: 768, num_hidden_layers: 1 });
    expect(() => scaleFluxConfigs(1, 0)).toThrow(/depth/);
  });
});

describe('writeSparseSafetensors', () => {
  it('writes holes that read as zeros, or random bf16 weights of a weight-like size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sparse-'));
    try {
      const shapes = new Map([
        ['a', [3, 5]],
        ['b', [64, 1100]],
      ]);
      for (const random of [false, true]) {
        const path = join(dir, `${random}.safetensors`);
        expect(writeSparseSafetensors(path, shapes, random)).toBe(15 + 64 * 1100);
        const file = await openSafetensors(path);
        for (const name of ['a', 'b']) {
          const values = await file.readFloat32(name);
          const magnitudes = values.map(Math.abs);
          if (!random) expect(magnitudes.every((v) => v === 0)).toBe(true);
          else {
            expect(magnitudes.every((v) => v >= 2 ** -6 && v < 2 ** -5)).toBe(true);
            expect(values.some((v) => v < 0) && values.some((v) => v > 0)).toBe(true);
            expect(new Set(values).size).toBeGreaterThan(values.length > 1000 ? 200 : 5);
          }
        }
        await file.close();
        expect(statSync(path).size).toBeGreaterThan(2 * 64 * 1100);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
