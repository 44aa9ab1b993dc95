/**
 * Seeded Gaussian noise. BFL draws noise with torch's CPU generator, which JS cannot reproduce; instead a seed
 * here means this exact recipe, so the same uint32 seed gives the same bytes on every run:
 *
 * 1. splitmix32 expands the seed into xoshiro's 4-word state. splitmix32 is a Weyl sequence
 *    `s += 0x9E3779B9` followed by the mixer `z ^= z >>> 16; z *= 0x21F0AAAD; z ^= z >>> 15; z *= 0x735A2D97;
 *    z ^= z >>> 15` (all mod 2^32; constants from Chris Wellons' hash-prospector, as in bryc's PRNGs.md).
 *    The mixer is a bijection and the 4 counters differ, so at most one state word is 0, never all four.
 * 2. xoshiro128** (Blackman & Vigna, prng.di.unimi.it/xoshiro128starstar.c) produces uint32 r:
 *    `r = rotl(s1·5, 7)·9; t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11)`.
 * 3. Box–Muller on consecutive pairs (r1, r2): u1 = (r1 + 0.5)/2^32 ∈ (0,1) — never 0, so log(u1) is finite —
 *    and u2 = r2/2^32 ∈ [0,1); z1 = √(−2 ln u1)·cos(2π u2), z2 = √(−2 ln u1)·sin(2π u2), written in that order.
 *    An odd count drops the last z2. Values are computed in float64 and rounded once to float32.
 * 4. The noise fills the UNPACKED latent [1, Z, h, w] in row-major order and is then packed (like BFL get_noise).
 *
 * Bit-identical output across JS engines additionally needs them to agree on Math.log/cos/sin (V8 is
 * deterministic across runs and platforms; other engines may differ in the last float64 ulp).
 */
import { EngineError } from '../api/errors';
import { type LatentShape, packLatents } from './pack';

/** Checks a seed is a uint32. @throws EngineError `bad-input` otherwise. */
export function assertSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new EngineError('bad-input', `seed must be a uint32, got ${seed}`);
}

/** splitmix32 from `seed`: returns the next uint32 on each call. */
export function createSplitMix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
}

/** xoshiro128** from an explicit 4-word state (not all zero): returns the next uint32 on each call. */
export function createXoshiro128ss(state: readonly [number, number, number, number]): () => number {
  let s0 = state[0] >>> 0,
    s1 = state[1] >>> 0,
    s2 = state[2] >>> 0,
    s3 = state[3] >>> 0;
  return () => {
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  };
}

/** The uint32 stream of a seed: xoshiro128** seeded by four splitmix32 outputs. @throws EngineError `bad-input` on a non-uint32 seed. */
export function createRandom(seed: number): () => number {
  assertSeed(seed);
  const split = createSplitMix32(seed);
  return createXoshiro128ss([split(), split(), split(), split()]);
}

/**
 * The seed of averaged run `run` (EditJob.average): run 0 is `seed` itself, so one run is a plain sample; later
 * runs hash (seed, run) rather than count up, because variations count seeds up and must not share noise.
 */
export function getRunSeed(seed: number, run: number): number {
  assertSeed(seed);
  if (!Number.isInteger(run) || run < 0) throw new EngineError('bad-input', `run must be an integer ≥ 0, got ${run}`);
  return run === 0 ? seed : createSplitMix32((seed ^ Math.imul(run, 0x85ebca6b)) >>> 0)();
}

/** `count` standard normal samples from `seed` (Box–Muller as described above). */
export function makeGaussian(seed: number, count: number): Float32Array {
  const next = createRandom(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const u1 = (next() + 0.5) / 4294967296;
    const u2 = next() / 4294967296;
    const radius = Math.sqrt(-2 * Math.log(u1));
    out[i] = radius * Math.cos(2 * Math.PI * u2);
    if (i + 1 < count) out[i + 1] = radius * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** N(0,1) noise in the unpacked latent layout [1, Z, h, w]. */
export function makeNoise(seed: number, shape: LatentShape): Float32Array {
  return makeGaussian(seed, shape.channels * shape.height * shape.width);
}

/** {@link makeNoise} packed to tokens [1, (h/p)(w/p), Z·p²]: the initial x at t = 1. */
export function makePackedNoise(seed: number, shape: LatentShape): Float32Array {
  return packLatents(makeNoise(seed, shape), shape);
}

/** Flow-matching interpolation z_t = t·noise + (1 − t)·clean (any matching layouts; t = 0 returns `clean` values). */
export function noiseLatents(clean: Float32Array, noise: Float32Array, t: number): Float32Array {
  if (clean.length !== noise.length)
    throw new EngineError('bad-input', `noiseLatents: ${clean.length} clean values vs ${noise.length} noise values`);
  const out = new Float32Array(clean.length);
  for (let i = 0; i < clean.length; i++) out[i] = t * noise[i]! + (1 - t) * clean[i]!;
  return out;
}
