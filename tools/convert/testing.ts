/**
 * @file Small helpers shared by the converter tests (Node only): seeded random data, naive
 * reference ops, temp dirs, PSNR; re-exports the shared paths.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { ROUNDTRIP_FIXTURE, VENDOR_DATA_DIR } from './paths';

/** Returns a deterministic PRNG in [0, 1) (mulberry32). */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Returns `n` uniform values in [-scale, scale). */
export function makeRandomFloats(rng: () => number, n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (rng() * 2 - 1) * scale);
}

/** Creates a temp dir and returns it with a cleanup function. */
export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Naive NCHW conv2d reference (batch 1) with symmetric zero padding. */
export function computeConv2d(
  x: Float32Array,
  [c, h, w]: readonly [number, number, number],
  weight: Float32Array,
  [o, , kh, kw]: readonly [number, number, number, number],
  bias: Float32Array | undefined,
  stride: number,
  pad: number,
): { data: Float32Array; dims: [number, number, number] } {
  const oh = Math.floor((h + 2 * pad - kh) / stride) + 1;
  const ow = Math.floor((w + 2 * pad - kw) / stride) + 1;
  const out = new Float32Array(o * oh * ow);
  for (let oc = 0; oc < o; oc++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        let acc = bias ? bias[oc]! : 0;
        for (let ic = 0; ic < c; ic++) {
          for (let ky = 0; ky < kh; ky++) {
            const iy = y * stride + ky - pad;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = xx * stride + kx - pad;
              if (ix < 0 || ix >= w) continue;
              acc += x[(ic * h + iy) * w + ix]! * weight[((oc * c + ic) * kh + ky) * kw + kx]!;
            }
          }
        }
        out[(oc * oh + y) * ow + xx] = acc;
      }
    }
  }
  return { data: out, dims: [o, oh, ow] };
}

/** Largest absolute elementwise difference. */
export function getMaxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** PSNR in dB between two signals in [0, 1] (peak 1). */
export function computePsnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10(1 / (sum / a.length));
}
