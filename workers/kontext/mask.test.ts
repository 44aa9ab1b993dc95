import { describe, expect, it } from 'vitest';
import { binarizeMask, blendLatents, makeLatentMask, resizeNearest, type MaskPixels } from './mask';

describe('binarizeMask', () => {
  it('thresholds one-channel masks at 0.5 (byte ≥ 128)', () => {
    const mask: MaskPixels = { width: 5, height: 1, data: Uint8Array.from([0, 127, 128, 200, 255]) };
    expect(Array.from(binarizeMask(mask))).toEqual([0, 0, 1, 1, 1]);
  });

  it('uses the luma of RGBA masks and ignores alpha', () => {
    const px = [
      [255, 255, 255, 0], // white, transparent → 1
      [0, 0, 0, 255], // black → 0
      [128, 128, 128, 255], // luma 128 → 1
      [127, 127, 127, 255], // luma 127 → 0
      [255, 0, 0, 255], // red, luma 76 → 0
      [0, 255, 0, 255], // green, luma 150 → 1
    ];
    const mask: MaskPixels = { width: 6, height: 1, data: Uint8ClampedArray.from(px.flat()) };
    expect(Array.from(binarizeMask(mask))).toEqual([1, 0, 1, 0, 0, 1]);
  });

  it('rejects a data length that is neither one channel nor RGBA', () => {
    expect(() => binarizeMask({ width: 2, height: 2, data: new Uint8Array(8) })).toThrow();
  });
});

describe('resizeNearest', () => {
  it('samples the source at the output pixel centres', () => {
    const plane = Uint8Array.from({ length: 16 }, (_, i) => i); // 4×4, value = 4y + x
    expect(Array.from(resizeNearest(plane, 4, 4, 2, 2))).toEqual([5, 7, 13, 15]);
    expect(Array.from(resizeNearest(Uint8Array.from([1, 2]), 2, 1, 4, 1))).toEqual([1, 1, 2, 2]);
  });
});

describe('makeLatentMask', () => {
  // 32×16 px image, f = 8 → latent 4 wide × 2 high, p = 2 → 2 tokens of Z·4 = 12 features
  const shape = { channels: 3, height: 2, width: 4, patchSize: 2 };

  it('marks whole tokens under a left-half mask', () => {
    const data = new Uint8Array(32 * 16).map((_, i) => (i % 32 < 16 ? 255 : 0));
    const packed = makeLatentMask({ width: 32, height: 16, data }, shape);
    expect(Array.from(packed)).toEqual([...Array(12).fill(1), ...Array(12).fill(0)]);
  });

  it('lands one latent cell on feature c·4 + py·2 + px of its token for every channel', () => {
    // pixels x 8..15, y 0..7 → latent cell (row 0, col 1) → token 0, py 0, px 1 → features 1, 5, 9
    const data = new Uint8Array(32 * 16).map((_, i) => (i % 32 >= 8 && i % 32 < 16 && i < 32 * 8 ? 255 : 0));
    const packed = makeLatentMask({ width: 32, height: 16, data }, shape);
    const ones = Array.from(packed).flatMap((v, i) => (v === 1 ? [i] : []));
    expect(ones).toEqual([1, 5, 9]);
  });

  it('maps a mask drawn at another image size by stretching (mask at 3× the bucket)', () => {
    const data = new Uint8Array(96 * 48).map((_, i) => (i % 96 < 48 ? 255 : 0));
    expect(Array.from(makeLatentMask({ width: 96, height: 48, data }, shape))).toEqual([
      ...Array(12).fill(1),
      ...Array(12).fill(0),
    ]);
  });
});

describe('blendLatents', () => {
  it('keeps x where m = 1 and the noised image latents where m = 0', () => {
    const x = Float32Array.from([10, 20, 30]);
    const image = Float32Array.from([1, 2, 3]);
    const noise = Float32Array.from([-1, 0, 5]);
    const mask = Float32Array.from([1, 0, 0]);
    // tNext 0.5: ref = 0.5·noise + 0.5·image = [0, 1, 4]
    expect(Array.from(blendLatents(x, image, noise, mask, 0.5))).toEqual([10, 1, 4]);
    // tNext 0: the clean image latents exactly
    expect(Array.from(blendLatents(x, image, noise, mask, 0))).toEqual([10, 2, 3]);
    expect(Array.from(blendLatents(x, image, noise, Float32Array.from([0.5, 0.5, 0.5]), 0))).toEqual([5.5, 11, 16.5]);
    expect(() => blendLatents(x, image, noise, Float32Array.from([1]), 0)).toThrow();
  });
});
