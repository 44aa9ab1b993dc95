import { describe, expect, it } from 'vitest';
import { blendTiles, chooseTiling, cropTile, getAePeakBytes, planTiles, runTiled, type AeShape } from './tiles';

const MiB = 1024 ** 2;
/** FLUX.1's autoencoder: ch 128, ch_mult [1, 2, 4, 4]; the converter's 16 attention chunks. */
const FLUX: AeShape = { channels: [128, 128, 256, 512, 512], attentionChunks: 16 };

describe('getAePeakBytes and chooseTiling on the real FLUX autoencoder', () => {
  it('finds the 1 GiB tensors of a whole 1024² pass: the 256-channel full-resolution activation and the old score matrix', () => {
    expect(getAePeakBytes(FLUX, 128, 128)).toBe(1024 * MiB); // 1024² × 256 channels × 4 B
    expect(getAePeakBytes({ ...FLUX, attentionChunks: 1 }, 128, 128)).toBe(1024 * MiB); // [16384, 16384] fp32
    // The chunked scores alone: 1,024 queries × 16,384 keys × 4 B.
    expect(getAePeakBytes({ channels: [1, 1], attentionChunks: 16 }, 128, 128)).toBe(64 * MiB);
  });

  it('tiles a 1024² decode so that no buffer exceeds 256 MiB, and leaves a size that fits alone', () => {
    const tiling = chooseTiling(FLUX, 128, 128, 256 * MiB)!;
    expect(tiling).toEqual({ tile: 64, overlap: 16 });
    expect(getAePeakBytes(FLUX, tiling.tile, tiling.tile)).toBeLessThanOrEqual(256 * MiB);
    expect(getAePeakBytes(FLUX, tiling.tile + 1, tiling.tile + 1)).toBeGreaterThan(256 * MiB);
    expect(chooseTiling(FLUX, 64, 64, 256 * MiB)).toBeNull(); // 512²
    // SwiftShader's 1 GiB limit takes 1024² whole; 1328×800 (166×100 latent) is over it.
    expect(chooseTiling(FLUX, 128, 128, 1024 * MiB)).toBeNull();
    expect(chooseTiling(FLUX, 100, 166, 1024 * MiB)).not.toBeNull();
    expect(() => chooseTiling(FLUX, 128, 128, 1024)).toThrow(/even for an 8×8 latent tile/);
  });
});

describe('planTiles', () => {
  it.each([
    [128, 128, 64, 16],
    [100, 166, 40, 10],
    [9, 30, 8, 2],
  ])('covers %i×%i with %i-tiles overlapping by ≥ %i, inside the latent', (h, w, tile, overlap) => {
    const tiles = planTiles(h, w, tile, overlap);
    const covered = new Uint8Array(h * w);
    for (const t of tiles) {
      expect(t.y + t.h).toBeLessThanOrEqual(h);
      expect(t.x + t.w).toBeLessThanOrEqual(w);
      for (let y = t.y; y < t.y + t.h; y++) for (let x = t.x; x < t.x + t.w; x++) covered[y * w + x] = 1;
    }
    expect(covered.every((c) => c === 1)).toBe(true);
    const starts = [...new Set(tiles.map((t) => t.x))].sort((a, b) => a - b);
    for (let i = 1; i < starts.length; i++) expect(starts[i - 1]! + tile - starts[i]!).toBeGreaterThanOrEqual(overlap);
  });

  it('is one tile when the latent fits', () => {
    expect(planTiles(30, 20, 64, 16)).toEqual([{ y: 0, x: 0, h: 30, w: 20 }]);
  });
});

describe('runTiled', () => {
  const [C, h, w, f] = [2, 13, 21, 4];
  const latent = Float32Array.from({ length: C * h * w }, (_, i) => Math.sin(i * 0.37) + i / 100);
  /** Nearest-neighbour ×f upsampling: a pointwise "decoder", so tiles must reproduce the whole exactly. */
  const upsample = async (z: Float32Array, th: number, tw: number) => {
    const out = new Float32Array(C * th * f * tw * f);
    for (let c = 0; c < C; c++)
      for (let y = 0; y < th * f; y++)
        for (let x = 0; x < tw * f; x++)
          out[(c * th * f + y) * tw * f + x] = z[(c * th + Math.floor(y / f)) * tw + Math.floor(x / f)]!;
    return out;
  };

  it('reproduces a pointwise pass exactly: the blend weights of every pixel sum to one', async () => {
    const whole = await upsample(latent, h, w);
    const tiled = await runTiled(
      (z, t) => upsample(z, t.h, t.w),
      { data: latent, channels: C, height: h, width: w, unit: 1 },
      { channels: C, unit: f },
      { tile: 8, overlap: 3 },
    );
    expect(Math.max(...whole.map((v, i) => Math.abs(v - tiled[i]!)))).toBeLessThan(1e-6);
  });

  it('blends overlapping tiles linearly: a pixel in the middle of an overlap is the mean of both tiles', () => {
    const tiles = [
      { y: 0, x: 0, h: 1, w: 6 },
      { y: 0, x: 2, h: 1, w: 6 },
    ];
    const out = blendTiles([new Float32Array(6).fill(0), new Float32Array(6).fill(1)], tiles, {
      channels: 1,
      height: 1,
      width: 8,
      unit: 1,
      overlap: 4,
    });
    expect(Array.from(out.subarray(0, 2))).toEqual([0, 0]); // only the first tile
    expect(Array.from(out.subarray(6))).toEqual([1, 1]); // only the second
    expect(out[3]! + out[4]!).toBeCloseTo(1, 6); // symmetric ramps across the overlap
    expect(out[2]!).toBeLessThan(out[5]!);
    expect(cropTile(Float32Array.from([1, 2, 3, 4]), 1, 2, 2, { y: 1, x: 0, h: 1, w: 2 }, 1)).toEqual(
      Float32Array.from([3, 4]),
    );
  });
});
