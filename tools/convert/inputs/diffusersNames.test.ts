import { describe, expect, it } from 'vitest';
import { FLUX_DIT } from '../../scale/makeSparseFlux';
import { FLUX_AE, getAeTensorShapes } from '../graphs/autoencoderConfig';
import { getDitTensorShapes } from '../graphs/ditConfig';
import type { TensorSource } from '../safetensors';
import { makeDerivedSource } from './derivedSource';
import { planDiffusersDit, planDiffusersVae } from './diffusersNames';
import { convertAeToDiffusers, convertDitToDiffusers, type RawTensors } from './layoutTesting';
import { makeRenamedSource } from './renamedSource';

/** Header-only tensors (no data) of a shape plan. */
const makeRaw = (shapes: ReadonlyMap<string, readonly number[]>): RawTensors =>
  Object.fromEntries([...shapes].map(([n, s]) => [n, { dtype: 'BF16', shape: [...s], data: new Uint8Array(0) }]));

function makeSource(raw: RawTensors): TensorSource {
  const tensors = Object.entries(raw).map(([name, t]) => ({
    info: { name, shape: t.shape, dtype: t.dtype, file: 'x', byteOffset: 0, byteLength: 0 },
    read: async () => t.data,
  }));
  return makeDerivedSource('x', {}, tensors, async () => {});
}

const listShapes = (src: TensorSource) => new Map(src.listTensors().map((t) => [t.name, t.shape]));

describe('diffusers names at FLUX.1 size', () => {
  it("map FluxTransformer2DModel's 19 double and 38 single blocks back onto every BFL tensor and shape", () => {
    const bfl = getDitTensorShapes(FLUX_DIT);
    const diffusers = makeSource(convertDitToDiffusers(makeRaw(bfl)));
    expect(diffusers.hasTensor('single_transformer_blocks.37.proj_mlp.weight')).toBe(true);
    const mapped = makeRenamedSource(diffusers, planDiffusersDit(diffusers.listTensors().map((t) => t.name)));
    expect(listShapes(mapped)).toEqual(bfl);
  });

  it("map AutoencoderKL's names (up blocks from the bottom, Linear attention) back onto the BFL autoencoder", () => {
    const bfl = getAeTensorShapes(FLUX_AE);
    const diffusers = makeSource(convertAeToDiffusers(makeRaw(bfl)));
    expect(diffusers.getTensorInfo('decoder.mid_block.attentions.0.to_q.weight').shape).toEqual([512, 512]);
    const mapped = makeRenamedSource(diffusers, planDiffusersVae(diffusers.listTensors()));
    expect(listShapes(mapped)).toEqual(bfl);
  });
});
