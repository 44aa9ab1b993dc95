import { describe, expect, it } from 'vitest';
import { compositeMasked, isRepaint, MASK_THRESHOLD, type MaskImage } from './mask';
import type { RgbaImage } from './types';

function randomBytes(n: number, seed: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

describe('isRepaint', () => {
  it('repaints from the threshold up', () => {
    expect([0, MASK_THRESHOLD - 1, MASK_THRESHOLD, 255].map(isRepaint)).toEqual([false, false, true, true]);
  });
});

describe('compositeMasked', () => {
  const [w, h] = [37, 23];
  const input: RgbaImage = { width: w, height: h, data: randomBytes(4 * w * h, 1) };
  const result: RgbaImage = { width: w, height: h, data: randomBytes(4 * w * h, 2) };
  // Every mask value, so hard and feathered pixels on both sides of the threshold all occur.
  const mask: MaskImage = { width: w, height: h, data: new Uint8Array(w * h).map((_, i) => (i * 7) % 256) };

  it('keeps every pixel below the threshold bit for bit and blends the rest by m/255', () => {
    const out = compositeMasked(input, result, mask);
    for (let p = 0; p < w * h; p++) {
      const m = mask.data[p]!;
      for (let c = 4 * p; c < 4 * p + 4; c++) {
        const expected = isRepaint(m)
          ? Math.round(result.data[c]! * (m / 255) + input.data[c]! * (1 - m / 255))
          : input.data[c];
        expect(out.data[c]).toBe(expected);
      }
    }
    const full = mask.data.indexOf(255);
    expect(Array.from(out.data.subarray(4 * full, 4 * full + 4))).toEqual(
      Array.from(result.data.subarray(4 * full, 4 * full + 4)),
    );
    expect(out.data).not.toBe(input.data); // a new image: the input is not changed in place
  });

  it('refuses images and masks of different sizes', () => {
    expect(() => compositeMasked(input, { ...result, width: w - 1 }, mask)).toThrow(
      expect.objectContaining({ code: 'bad-input', message: expect.stringMatching(/cannot composite/) }),
    );
    expect(() => compositeMasked(input, result, { ...mask, height: h + 1 })).toThrow(/cannot composite/);
  });
});
