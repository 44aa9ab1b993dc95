import { describe, expect, it } from 'vitest';
import {
  concatTokens,
  getLatentGeometry,
  getLatentShape,
  getTokenCount,
  getTokenFeatures,
  getTokenGrid,
  packLatents,
  sliceTargetTokens,
  unpackLatents,
  type LatentShape,
} from './pack';

function randomArray(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

describe('latent geometry', () => {
  it('derives the FLUX shape from the bundle geometry', () => {
    const shape = getLatentShape(1024, 1024, { channels: 16, spatialFactor: 8, patchSize: 2 });
    expect(shape).toEqual({ channels: 16, height: 128, width: 128, patchSize: 2 });
    expect(getTokenCount(shape)).toBe(4096);
    expect(getTokenFeatures(shape)).toBe(64);
  });

  it('reads Z, f and p from a bundle model config', () => {
    const model = { ae: { zChannels: 4, spatialFactor: 16, scaleFactor: 1, shiftFactor: 0 }, patchSize: 2 };
    expect(getLatentGeometry(model)).toEqual({ channels: 4, spatialFactor: 16, patchSize: 2 });
  });

  it('works for another AE factor and channel count and keeps (width, height) apart', () => {
    const shape = getLatentShape(672, 1568, { channels: 4, spatialFactor: 16, patchSize: 2 });
    expect(shape).toEqual({ channels: 4, height: 98, width: 42, patchSize: 2 });
    expect(getTokenGrid(shape)).toEqual({ rows: 49, cols: 21 });
    expect(getTokenFeatures(shape)).toBe(16);
  });

  it('rejects sizes that do not fill whole patches', () => {
    expect(() => getLatentShape(1000, 1024, { channels: 16, spatialFactor: 8, patchSize: 2 })).toThrow();
    expect(() => getLatentShape(688, 688, { channels: 16, spatialFactor: 16, patchSize: 2 })).toThrow();
  });
});

describe('packLatents', () => {
  it('orders features c·4 + py·2 + px and tokens row-major (hand example)', () => {
    // lat[c, y, x] = 100c + 10y + x, Z = 2, h = 2, w = 4 → 2 tokens of 8 features
    const shape: LatentShape = { channels: 2, height: 2, width: 4, patchSize: 2 };
    const lat = new Float32Array(16);
    for (let c = 0; c < 2; c++)
      for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) lat[c * 8 + y * 4 + x] = 100 * c + 10 * y + x;
    expect(Array.from(packLatents(lat, shape))).toEqual([
      0,
      1,
      10,
      11,
      100,
      101,
      110,
      111, // token 0: patch (R 0, C 0)
      2,
      3,
      12,
      13,
      102,
      103,
      112,
      113, // token 1: patch (R 0, C 1)
    ]);
  });

  it('puts patch row R before patch column C (a 4×2 latent)', () => {
    const shape: LatentShape = { channels: 1, height: 4, width: 2, patchSize: 2 };
    const lat = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]); // rows [0 1] [2 3] [4 5] [6 7]
    expect(Array.from(packLatents(lat, shape))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const wide: LatentShape = { channels: 1, height: 2, width: 4, patchSize: 2 };
    expect(Array.from(packLatents(Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), wide))).toEqual([
      0, 1, 4, 5, 2, 3, 6, 7,
    ]);
  });

  it('round-trips exactly for several channel counts and patch sizes', () => {
    const shapes: LatentShape[] = [
      { channels: 16, height: 12, width: 20, patchSize: 2 },
      { channels: 3, height: 6, width: 9, patchSize: 3 },
      { channels: 5, height: 4, width: 7, patchSize: 1 },
    ];
    for (const shape of shapes) {
      const lat = randomArray(shape.channels * shape.height * shape.width, 3);
      const tokens = packLatents(lat, shape);
      expect(tokens).not.toEqual(lat);
      expect(unpackLatents(tokens, shape)).toEqual(lat);
    }
  });

  it('rejects a wrong length or a side that is not a multiple of the patch', () => {
    expect(() => packLatents(new Float32Array(10), { channels: 1, height: 2, width: 4, patchSize: 2 })).toThrow();
    expect(() => packLatents(new Float32Array(6), { channels: 1, height: 2, width: 3, patchSize: 2 })).toThrow();
  });
});

describe('token sequences', () => {
  it('concatenates [target][ref…] and slices the target part back', () => {
    const target = Float32Array.from([1, 2, 3, 4]);
    const ref1 = Float32Array.from([5, 6]);
    const ref2 = Float32Array.from([7, 8, 9, 10]);
    const all = concatTokens([target, ref1, ref2], 2);
    expect(Array.from(all)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Array.from(sliceTargetTokens(all, 2, 2))).toEqual([1, 2, 3, 4]);
    expect(() => concatTokens([Float32Array.from([1, 2, 3])], 2)).toThrow();
    expect(() => sliceTargetTokens(Float32Array.from([1, 2]), 2, 2)).toThrow();
  });
});
