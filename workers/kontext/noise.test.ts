import { describe, expect, it } from 'vitest';
import {
  assertSeed,
  createRandom,
  createSplitMix32,
  createXoshiro128ss,
  makeGaussian,
  makeNoise,
  makePackedNoise,
  noiseLatents,
} from './noise';
import { packLatents, type LatentShape } from './pack';

const take = (next: () => number, n: number) => Array.from({ length: n }, next);
const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

// Reference outputs from the C reference code (prng.di.unimi.it/xoshiro128starstar.c and the splitmix32 recipe
// written in C with uint32_t arithmetic), compiled with gcc — not from this module.
describe('generators', () => {
  it('xoshiro128** matches the C reference from state {1, 2, 3, 4}', () => {
    expect(take(createXoshiro128ss([1, 2, 3, 4]), 6)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('splitmix32 matches the C recipe', () => {
    expect(take(createSplitMix32(0), 4)).toEqual([1684164658, 3653269916, 2939563536, 2141751570]);
    expect(take(createSplitMix32(42), 4)).toEqual([551831576, 144025891, 322543647, 3034809370]);
  });

  it('createRandom = xoshiro128** seeded by four splitmix32 outputs', () => {
    expect(take(createRandom(0), 6)).toEqual([1789933344, 44971166, 2521387044, 3848737593, 1138324114, 749234105]);
    expect(take(createRandom(42), 3)).toEqual([660444221, 3652823732, 77672526]);
    expect(take(createRandom(0xffffffff), 3)).toEqual([4104197751, 1825856343, 1152209388]);
  });

  it('accepts exactly the uint32 seeds', () => {
    for (const seed of [0, 1, 0xffffffff]) expect(() => assertSeed(seed)).not.toThrow();
    for (const seed of [-1, 1.5, 2 ** 32, NaN]) expect(() => createRandom(seed)).toThrow();
  });
});

describe('makeGaussian', () => {
  it('gives identical bytes for the same seed and different values for another', () => {
    const a = makeGaussian(1234, 4096);
    expect(bytes(makeGaussian(1234, 4096))).toEqual(bytes(a));
    const b = makeGaussian(1235, 4096);
    let same = 0;
    for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
    expect(same).toBeLessThan(4);
  });

  it('is standard normal over 1e5 samples', () => {
    const z = makeGaussian(7, 100_000);
    let sum = 0,
      sq = 0,
      within1 = 0,
      within2 = 0,
      bad = 0;
    for (const v of z) {
      if (!Number.isFinite(v)) bad++;
      sum += v;
      sq += v * v;
      if (Math.abs(v) < 1) within1++;
      if (Math.abs(v) < 2) within2++;
    }
    expect(bad).toBe(0);
    const mean = sum / z.length;
    const std = Math.sqrt(sq / z.length - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.015); // standard error 0.003
    expect(Math.abs(std - 1)).toBeLessThan(0.015);
    expect(within1 / z.length).toBeCloseTo(0.6827, 2);
    expect(within2 / z.length).toBeCloseTo(0.9545, 2);
  });

  it('consecutive samples are uncorrelated (both Box–Muller outputs are used)', () => {
    const z = makeGaussian(99, 100_000);
    let even = 0,
      odd = 0;
    for (let i = 0; i + 1 < z.length; i += 2) even += z[i]! * z[i + 1]!;
    for (let i = 1; i + 1 < z.length; i += 2) odd += z[i]! * z[i + 1]!;
    expect(Math.abs(even / 50_000)).toBeLessThan(0.02);
    expect(Math.abs(odd / 50_000)).toBeLessThan(0.02);
  });

  it('follows the documented Box–Muller recipe on the uint32 stream', () => {
    const next = createRandom(11);
    const [r1, r2, r3, r4] = [next(), next(), next(), next()];
    const pair = (a: number, b: number) => {
      const radius = Math.sqrt(-2 * Math.log((a + 0.5) / 2 ** 32));
      return [
        Math.fround(radius * Math.cos((2 * Math.PI * b) / 2 ** 32)),
        Math.fround(radius * Math.sin((2 * Math.PI * b) / 2 ** 32)),
      ];
    };
    expect(Array.from(makeGaussian(11, 4))).toEqual([...pair(r1, r2), ...pair(r3, r4)]);
  });

  it('an odd count is the prefix of the next even count', () => {
    expect(makeGaussian(5, 7)).toEqual(makeGaussian(5, 8).subarray(0, 7));
  });
});

describe('latent noise', () => {
  const shape: LatentShape = { channels: 4, height: 6, width: 10, patchSize: 2 };

  it('fills the unpacked [1, Z, h, w] layout, then packs it', () => {
    const noise = makeNoise(3, shape);
    expect(noise).toHaveLength(240);
    expect(noise).toEqual(makeGaussian(3, 240));
    expect(makePackedNoise(3, shape)).toEqual(packLatents(noise, shape));
  });

  it('noiseLatents interpolates t·noise + (1 − t)·clean', () => {
    const clean = Float32Array.from([1, -2, 0.5]);
    const noise = Float32Array.from([0, 4, -1]);
    expect(noiseLatents(clean, noise, 0)).toEqual(clean);
    expect(noiseLatents(clean, noise, 1)).toEqual(noise);
    expect(Array.from(noiseLatents(clean, noise, 0.25))).toEqual([0.75, -0.5, 0.125]);
  });
});
