import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../api/types';
import {
  computeOutputSize,
  getBuckets,
  pickResolution,
  PREFERRED_KONTEXT_RESOLUTIONS,
  resizeRgba,
  type Size,
} from './resolution';

function makeImage(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number, number],
): RgbaImage {
  const data = new Uint8ClampedArray(4 * width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), 4 * (y * width + x));
  return { width, height, data };
}

describe('buckets', () => {
  it('lists the 17 preferred (width, height) resolutions of docs/kontext-spec.md §4.3', () => {
    expect(PREFERRED_KONTEXT_RESOLUTIONS).toHaveLength(17);
    expect(PREFERRED_KONTEXT_RESOLUTIONS).toContainEqual([672, 1568]);
    expect(PREFERRED_KONTEXT_RESOLUTIONS).toContainEqual([1568, 672]);
    expect(PREFERRED_KONTEXT_RESOLUTIONS).toContainEqual([1024, 1024]);
    for (const [w, h] of PREFERRED_KONTEXT_RESOLUTIONS) {
      expect(w % 16 === 0 && h % 16 === 0).toBe(true);
      expect((w / 16) * (h / 16)).toBeGreaterThanOrEqual(4042); // ≈1 MP: 4042..4150 tokens
      expect((w / 16) * (h / 16)).toBeLessThanOrEqual(4150);
    }
  });

  it('maps each preferred resolution to itself, also when scaled', () => {
    for (const [w, h] of PREFERRED_KONTEXT_RESOLUTIONS) {
      expect(pickResolution(w, h, PREFERRED_KONTEXT_RESOLUTIONS)).toEqual([w, h]);
      expect(pickResolution(w * 3, h * 3, PREFERRED_KONTEXT_RESOLUTIONS)).toEqual([w, h]);
    }
  });

  it('picks the most extreme bucket for 1:10 and 10:1', () => {
    expect(pickResolution(100, 1000, PREFERRED_KONTEXT_RESOLUTIONS)).toEqual([672, 1568]);
    expect(pickResolution(1000, 100, PREFERRED_KONTEXT_RESOLUTIONS)).toEqual([1568, 672]);
  });

  it('picks the nearest aspect for ordinary photos', () => {
    expect(pickResolution(4000, 3000, PREFERRED_KONTEXT_RESOLUTIONS)).toEqual([1184, 880]); // 4:3 = 1.333 vs 1.345
    expect(pickResolution(1920, 1080, PREFERRED_KONTEXT_RESOLUTIONS)).toEqual([1392, 752]); // 1.778 vs 1.851 / 1.66
  });

  it('breaks ties by the smaller width, then the smaller height', () => {
    const equalAspect: Size[] = [
      [64, 32],
      [32, 16],
    ];
    expect(pickResolution(200, 100, equalAspect)).toEqual([32, 16]);
    const equalDistance: Size[] = [
      [96, 32],
      [32, 32],
    ]; // aspect 2 is 1 away from both 3 and 1
    expect(pickResolution(200, 100, equalDistance)).toEqual([32, 32]);
  });

  it('reads a bundle list, falls back to the Kontext list and rejects misaligned buckets', () => {
    expect(
      getBuckets(
        [
          [256, 256],
          [320, 192],
        ],
        32,
      ),
    ).toEqual([
      [256, 256],
      [320, 192],
    ]);
    expect(getBuckets(undefined, 16)).toEqual(PREFERRED_KONTEXT_RESOLUTIONS);
    expect(() => getBuckets(undefined, 32)).toThrow(/multiples of 32/); // 688 is not a multiple of 32
    expect(() => getBuckets([[256]], 16)).toThrow();
    expect(() => getBuckets([], 16)).toThrow();
  });
});

describe('computeOutputSize', () => {
  it('returns the input size by default and the bucket in native mode', () => {
    expect(computeOutputSize({ width: 333, height: 517 }, [672, 1568])).toEqual([333, 517]);
    expect(computeOutputSize({ width: 333, height: 517 }, [672, 1568], 'native')).toEqual([672, 1568]);
  });
});

describe('resizeRgba', () => {
  const smooth = (w: number, h: number) =>
    makeImage(w, h, (x, y) => [
      128 + 80 * Math.sin((2 * Math.PI * x) / w) * Math.cos((2 * Math.PI * y) / h),
      128 + 60 * Math.cos((2 * Math.PI * (x + y)) / (w + h)),
      (255 * x) / (w - 1),
      255,
    ]);

  it('returns exactly the requested odd size', () => {
    for (const filter of ['lanczos3', 'bilinear'] as const) {
      const out = resizeRgba(smooth(672, 1568), 333, 517, filter);
      expect([out.width, out.height, out.data.length]).toEqual([333, 517, 4 * 333 * 517]);
      const up = resizeRgba(out, 672, 1568, filter);
      expect([up.width, up.height, up.data.length]).toEqual([672, 1568, 4 * 672 * 1568]);
    }
  });

  it('keeps a constant image constant (down, up, odd sizes)', () => {
    const flat = makeImage(97, 61, () => [13, 200, 77, 255]);
    for (const filter of ['lanczos3', 'bilinear'] as const) {
      for (const [w, h] of [
        [333, 517],
        [31, 7],
        [1, 1],
        [97, 200],
      ] as const) {
        const out = resizeRgba(flat, w, h, filter);
        let wrong = 0;
        for (let i = 0; i < out.data.length; i++) if (out.data[i] !== [13, 200, 77, 255][i % 4]) wrong++;
        expect([out.width, out.height, wrong]).toEqual([w, h, 0]);
      }
    }
  });

  it('aligns pixel centres: a 2-pixel row doubled bilinearly is 0, 50, 150, 200', () => {
    const src = makeImage(2, 1, (x) => [x * 200, 0, 0, 255]);
    const out = resizeRgba(src, 4, 1, 'bilinear');
    expect([0, 1, 2, 3].map((x) => out.data[4 * x])).toEqual([0, 50, 150, 200]);
  });

  it('does not shift: a mirror-symmetric image stays mirror-symmetric at odd sizes', () => {
    const src = makeImage(120, 90, (x, y) => {
      const dx = Math.abs(x - 59.5),
        dy = Math.abs(y - 44.5);
      return [dx * 2, dy * 2, (dx * dy) % 256, 255];
    });
    for (const filter of ['lanczos3', 'bilinear'] as const) {
      const out = resizeRgba(src, 333, 517, filter);
      const down = resizeRgba(src, 37, 23, filter);
      for (const { width, height, data } of [out, down]) {
        let worst = 0;
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            const a = 4 * (y * width + x),
              b = 4 * ((height - 1 - y) * width + (width - 1 - x));
            for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(data[a + c]! - data[b + c]!));
          }
        }
        expect(worst).toBeLessThanOrEqual(1);
      }
    }
  });

  it('keeps a linear ramp linear when halving (no half-pixel offset)', () => {
    // source value 2x + 10 at pixel centre x; output pixel i covers source centre 2i + 0.5 → 4i + 11
    const src = makeImage(100, 3, (x) => [2 * x + 10, 0, 0, 255]);
    const out = resizeRgba(src, 50, 3, 'bilinear');
    for (let i = 2; i < 48; i++) expect(Math.abs(out.data[4 * (50 + i)]! - (4 * i + 11))).toBeLessThanOrEqual(0.5);
  });

  it('a Lanczos down-then-up round trip of a smooth image is close', () => {
    const src = smooth(400, 300);
    const back = resizeRgba(resizeRgba(src, 203, 151, 'lanczos3'), 400, 300, 'lanczos3');
    let sum = 0,
      max = 0;
    for (let i = 0; i < src.data.length; i++) {
      const d = Math.abs(src.data[i]! - back.data[i]!);
      sum += d;
      max = Math.max(max, d);
    }
    expect(sum / src.data.length).toBeLessThan(0.3);
    expect(max).toBeLessThanOrEqual(2);
  });

  it('low-passes when shrinking: 1-px stripes shrunk 3× become about flat grey, not aliased stripes', () => {
    const stripes = makeImage(300, 4, (x) => [x % 2 ? 255 : 0, 0, 0, 255]);
    for (const filter of ['lanczos3', 'bilinear'] as const) {
      const out = resizeRgba(stripes, 100, 4, filter);
      for (let x = 3; x < 97; x++) expect(Math.abs(out.data[4 * (100 + x)]! - 127.5)).toBeLessThan(20); // a 3× triangle keeps 1/9 of the stripe
    }
  });

  it('copies an image resized to its own size and rejects bad input', () => {
    const src = smooth(5, 4);
    const same = resizeRgba(src, 5, 4);
    expect(same.data).toEqual(src.data);
    expect(same.data).not.toBe(src.data);
    expect(() => resizeRgba(src, 0, 4)).toThrow();
    expect(() => resizeRgba({ width: 5, height: 4, data: new Uint8ClampedArray(3) }, 2, 2)).toThrow();
  });
});
