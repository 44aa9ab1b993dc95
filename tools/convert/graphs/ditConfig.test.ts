import { describe, expect, it } from 'vitest';
import type { DitConfig } from '../../../workers/bundle/manifest';
import { openSafetensors, type TensorInfo, type TensorSource } from '../node/nodeFiles';
import { checkDitTensors, countParameters, DitCheckpointError, getDitTensorShapes, inferDitConfig } from './ditConfig';
import { planDitSegments } from './ditSegments';
import { TINY_DIT_CHECKPOINT } from './ditTesting';

/** FLUX.1 Kontext [dev] (docs/kontext-spec.md §2.1). */
const FLUX_CONFIG: DitConfig = {
  hiddenSize: 3072,
  numHeads: 24,
  depth: 19,
  depthSingleBlocks: 38,
  axesDim: [16, 56, 56],
  theta: 10_000,
  inChannels: 64,
  contextInDim: 4096,
  vecInDim: 768,
  mlpRatio: 4,
  guidanceEmbed: true,
};

/** A header-only TensorSource over a shape plan (no data), as a checkpoint without metadata looks. */
function makeHeaderSource(shapes: ReadonlyMap<string, number[]>, metadata: Record<string, string> = {}): TensorSource {
  const infos = new Map<string, TensorInfo>(
    [...shapes].map(([name, shape]) => [
      name,
      { name, dtype: 'BF16', shape, file: 'fake.safetensors', byteOffset: 0, byteLength: 0 },
    ]),
  );
  const noData = (): never => {
    throw new Error('header-only source');
  };
  return {
    path: 'fake.safetensors',
    metadata,
    listTensors: () => [...infos.values()],
    hasTensor: (name) => infos.has(name),
    getTensorInfo: (name) => infos.get(name) ?? noData(),
    readBytes: noData,
    readFloat32: noData,
    readInt32: noData,
    close: async () => {},
  };
}

describe('getDitTensorShapes', () => {
  it('gives the FLUX.1 Kontext [dev] checkpoint: 780 tensors (20 + 19·24 + 38·8), 11,901,408,320 parameters', () => {
    const shapes = getDitTensorShapes(FLUX_CONFIG);
    expect(shapes.size).toBe(780);
    expect(shapes.size).toBe(20 + 19 * 24 + 38 * 8);
    expect([...shapes.keys()].filter((n) => !n.includes('_blocks.')).length).toBe(20);
    expect([...shapes.keys()].filter((n) => n.startsWith('double_blocks.7.')).length).toBe(24);
    expect([...shapes.keys()].filter((n) => n.startsWith('single_blocks.37.')).length).toBe(8);
    expect(countParameters(shapes)).toBe(11_901_408_320);
    // Spot checks against the §8 table.
    expect(shapes.get('single_blocks.0.linear1.weight')).toEqual([21504, 3072]);
    expect(shapes.get('single_blocks.0.linear2.weight')).toEqual([3072, 15360]);
    expect(shapes.get('double_blocks.18.txt_mod.lin.weight')).toEqual([18432, 3072]);
    expect(shapes.get('final_layer.adaLN_modulation.1.weight')).toEqual([6144, 3072]);
    expect(shapes.get('double_blocks.0.img_attn.norm.key_norm.scale')).toEqual([128]);
  });

  it('drops guidance_in when the model is not guidance-distilled', () => {
    const shapes = getDitTensorShapes({ ...FLUX_CONFIG, guidanceEmbed: false });
    expect(shapes.size).toBe(776);
    expect([...shapes.keys()].some((n) => n.startsWith('guidance_in.'))).toBe(false);
  });
});

describe('inferDitConfig', () => {
  it('reads the FLUX config from shapes alone (no metadata: theta 10000, axes_dim [16, 56, 56])', () => {
    const src = makeHeaderSource(getDitTensorShapes(FLUX_CONFIG));
    expect(inferDitConfig(src)).toEqual(FLUX_CONFIG);
    expect(() => checkDitTensors(src, FLUX_CONFIG)).not.toThrow();
  });

  it('takes axes_dim and theta from __metadata__.config of the tiny checkpoint', async () => {
    const src = await openSafetensors(TINY_DIT_CHECKPOINT);
    try {
      expect(inferDitConfig(src)).toEqual({
        hiddenSize: 64,
        numHeads: 2,
        depth: 2,
        depthSingleBlocks: 2,
        axesDim: [8, 12, 12],
        theta: 10_000,
        inChannels: 64,
        contextInDim: 32,
        vecInDim: 32,
        mlpRatio: 4,
        guidanceEmbed: true,
      });
    } finally {
      await src.close();
    }
  });

  it('refuses a head dim without an even FLUX-style RoPE split unless axesDim is given', () => {
    const config: DitConfig = {
      ...FLUX_CONFIG,
      hiddenSize: 96,
      numHeads: 4,
      depth: 1,
      depthSingleBlocks: 1,
      axesDim: [4, 10, 10],
    };
    const src = makeHeaderSource(getDitTensorShapes(config));
    expect(() => inferDitConfig(src)).toThrow(/fake\.safetensors: .*head dim 24 .*configOverride/);
    expect(inferDitConfig(src, { axesDim: [4, 10, 10] })).toEqual(config);
    expect(() => inferDitConfig(src, { axesDim: [4, 10, 12] })).toThrow(/sums to 26, not the head dim 24/);
  });

  it('refuses metadata that disagrees with the tensors, and a checkpoint that is not a DiT', () => {
    const shapes = getDitTensorShapes({ ...FLUX_CONFIG, depth: 1, depthSingleBlocks: 1 });
    const src = makeHeaderSource(shapes, { config: JSON.stringify({ hidden_size: 4096, axes_dim: [16, 56, 56] }) });
    expect(() => inferDitConfig(src)).toThrow(DitCheckpointError);
    expect(() => inferDitConfig(src)).toThrow(/hidden_size is 4096 but the tensors give 3072/);
    expect(() => inferDitConfig(makeHeaderSource(new Map([['encoder.weight', [3, 3]]])))).toThrow(
      /missing tensor 'img_in.weight'/,
    );
  });
});

describe('planDitSegments', () => {
  it('cuts the FLUX chain into contiguous, non-empty, parameter-balanced segments', () => {
    const shapes = getDitTensorShapes(FLUX_CONFIG);
    for (let count = 1; count <= 8; count++) {
      const plans = planDitSegments(FLUX_CONFIG, count);
      expect(plans.length).toBe(count);
      let next = 0;
      const sizes = plans.map((p) => {
        const start = p.double[0] < p.double[1] ? p.double[0] : 19 + p.single[0];
        const end = p.single[1] > p.single[0] ? 19 + p.single[1] : p.double[1];
        expect(start).toBe(next);
        expect(end).toBeGreaterThan(start);
        next = end;
        const inSegment = (name: string): boolean => {
          const m = /^(double|single)_blocks\.(\d+)\./.exec(name);
          if (!m) return name.startsWith('final_layer.') ? p.index === count - 1 : p.index === 0;
          const chain = Number(m[2]) + (m[1] === 'single' ? 19 : 0);
          return chain >= start && chain < end;
        };
        return countParameters(new Map([...shapes].filter(([n]) => inSegment(n))));
      });
      expect(next).toBe(19 + 38);
      const worst = Math.max(...sizes) / (11_901_408_320 / count);
      expect(worst).toBeLessThan(1.15);
    }
  });

  it('refuses a segment count outside 1 … number of blocks', () => {
    expect(() => planDitSegments(FLUX_CONFIG, 0)).toThrow(RangeError);
    expect(() => planDitSegments(FLUX_CONFIG, 58)).toThrow(/1 to 57/);
    expect(
      planDitSegments(FLUX_CONFIG, 57).every((p) => p.double[1] - p.double[0] + p.single[1] - p.single[0] === 1),
    ).toBe(true);
  });

  it('lays a first-block-cache DiT out as the first double block, the rest in K segments, the final layer', () => {
    const plans = planDitSegments(FLUX_CONFIG, 4, true);
    expect(plans.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(plans[0]).toMatchObject({ double: [0, 1], single: [0, 0] });
    expect(plans[5]).toMatchObject({ double: [19, 19], single: [38, 38] }); // no blocks: the final layer alone
    let next = 1; // the middle segments cover blocks 1 … 56 of the chain, contiguous and non-empty
    for (const p of plans.slice(1, -1)) {
      const start = p.double[0] < p.double[1] ? p.double[0] : 19 + p.single[0];
      const end = p.single[1] > p.single[0] ? 19 + p.single[1] : p.double[1];
      expect(start).toBe(next);
      expect(end).toBeGreaterThan(start);
      next = end;
    }
    expect(next).toBe(19 + 38);
    expect(() => planDitSegments(FLUX_CONFIG, 57, true)).toThrow(/1 to 56 \(the DiT's block count after the first\)/);
  });
});
