import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../api/types';
import { boxMean, CHANGE_THRESHOLD, fillHoles, getUnit, keepUnchanged } from './keepUnchanged';

/** A w×h picture: a vertical gradient with a fixed pattern, so every pixel differs from its neighbours. */
function picture(width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(4 * width * height);
  for (let p = 0; p < width * height; p++) {
    data.set([(p * 37) % 200, (4 * Math.floor(p / width)) % 256, ((p * 11) % 180) + 40, 255], 4 * p);
  }
  return { width, height, data };
}

/** A copy with every channel moved by a deterministic ±`amplitude` (the autoencoder's round-trip noise). */
function withNoise(image: RgbaImage, amplitude: number): RgbaImage {
  const data = image.data.slice();
  for (let i = 0; i < data.length; i++)
    if (i % 4 !== 3) data[i]! += (((i * 2654435761) >>> 0) % (2 * amplitude + 1)) - amplitude;
  return { ...image, data };
}

function paintSquare(image: RgbaImage, x0: number, y0: number, size: number, rgb: [number, number, number]): RgbaImage {
  const data = image.data.slice();
  for (let y = y0; y < y0 + size; y++)
    for (let x = x0; x < x0 + size; x++) data.set([...rgb, 255], 4 * (y * image.width + x));
  return { ...image, data };
}

const pixel = (image: RgbaImage, x: number, y: number) =>
  Array.from(image.data.subarray(4 * (y * image.width + x), 4 * (y * image.width + x) + 4));

describe('boxMean', () => {
  it('averages (2r+1)² windows with clamped edges', () => {
    const plane = Float32Array.from([0, 3, 6, 9]); // 4×1
    expect(Array.from(boxMean(plane, 4, 1, 1))).toEqual([1, 3, 6, 8]); // (0+0+3)/3, (0+3+6)/3, …, (6+9+9)/3
    const square = Float32Array.from([9, 0, 0, 0, 0, 0, 0, 0, 0]); // 3×3, one corner set
    expect(boxMean(square, 3, 3, 1)[0]).toBeCloseTo((9 * 4) / 9, 6); // the corner is counted four times
    expect(boxMean(square, 3, 3, 1)[8]).toBe(0);
  });

  it('gives exactly 0 and 1 on binary planes, far from and inside a block of ones', () => {
    const width = 40;
    const plane = new Float32Array(width * width);
    for (let y = 10; y < 30; y++) for (let x = 10; x < 30; x++) plane[y * width + x] = 1;
    const mean = boxMean(plane, width, width, 3);
    expect(mean[20 * width + 20]).toBe(1);
    expect(mean[2 * width + 2]).toBe(0);
    expect(mean[36 * width + 36]).toBe(0);
  });
});

describe('keepUnchanged', () => {
  it('copies every pixel of a small-noise output back from the input, byte for byte', () => {
    const input = picture(64, 64);
    const { image, applied, changedShare } = keepUnchanged(input, withNoise(input, 12));
    expect(applied).toBe(true);
    expect(changedShare).toBe(0);
    expect(Array.from(image.data)).toEqual(Array.from(input.data));
  });

  it('keeps the model output inside a changed region and the input far from it', () => {
    const input = picture(64, 64);
    const output = paintSquare(withNoise(input, 10), 20, 20, 12, [250, 10, 10]);
    const { image, applied, changedShare } = keepUnchanged(input, output);
    expect(applied).toBe(true);
    expect(pixel(image, 26, 26)).toEqual([250, 10, 10, 255]); // centre of the edit: the model's pixel
    expect(pixel(image, 5, 5)).toEqual(pixel(input, 5, 5)); // far away: the input's pixel
    expect(pixel(image, 60, 40)).toEqual(pixel(input, 60, 40));
    // the changed share covers the square and its feathered rim, nothing more
    expect(changedShare).toBeGreaterThanOrEqual((12 * 12) / 4096);
    expect(changedShare).toBeLessThanOrEqual((20 * 20) / 4096);
    // the rim blends: the square's edge lies strictly between the input and the model's pixel
    const rim = pixel(image, 20, 26)[0];
    expect(rim).toBeGreaterThan(pixel(input, 20, 26)[0]!);
    expect(rim).toBeLessThan(250);
  });

  it('drops isolated specks of change (autoencoder noise, not an edit)', () => {
    const input = picture(64, 64);
    const output = paintSquare(paintSquare(input, 8, 8, 1, [255, 255, 255]), 40, 50, 2, [0, 0, 0]);
    const { image, changedShare } = keepUnchanged(input, output);
    expect(changedShare).toBe(0);
    expect(Array.from(image.data)).toEqual(Array.from(input.data));
  });

  it('returns a global edit untouched (over a quarter of the picture changed)', () => {
    const input = picture(64, 64);
    const output = paintSquare(input, 0, 0, 40, [0, 200, 0]); // 39 % of the pixels
    const result = keepUnchanged(input, output);
    expect(result.applied).toBe(false);
    expect(result.changedShare).toBe(1);
    expect(result.image).toBe(output);
  });

  it('leaves changes below the threshold to the input and above it to the output', () => {
    const input = { width: 64, height: 64, data: new Uint8ClampedArray(4 * 64 * 64).fill(100) };
    const below = paintSquare(input, 16, 16, 16, [100 + CHANGE_THRESHOLD - 1, 100, 100]);
    const above = paintSquare(input, 16, 16, 16, [100 + CHANGE_THRESHOLD + 20, 100, 100]);
    expect(pixel(keepUnchanged(input, below).image, 24, 24)[0]).toBe(100);
    expect(pixel(keepUnchanged(input, above).image, 24, 24)[0]).toBe(100 + CHANGE_THRESHOLD + 20);
  });

  it('scales its radii with the picture, so a large picture behaves like a small one', () => {
    expect(getUnit(64, 64)).toBe(1);
    expect(getUnit(1024, 768)).toBe(12);
    const small = paintSquare(picture(64, 64), 20, 20, 12, [250, 10, 10]);
    const large = paintSquare(picture(256, 256), 80, 80, 48, [250, 10, 10]);
    const shareSmall = keepUnchanged(picture(64, 64), small).changedShare;
    const shareLarge = keepUnchanged(picture(256, 256), large).changedShare;
    expect(Math.abs(shareSmall - shareLarge)).toBeLessThan(0.02);
  });

  it('refuses images of different sizes', () => {
    expect(() => keepUnchanged(picture(64, 64), picture(64, 32))).toThrow(/64×32 but the input is 64×64/);
  });
});

describe('fillHoles', () => {
  it('fills unchanged pixels enclosed by changed ones and leaves those that reach the border', () => {
    // 5×5: a changed ring around (2,2), and a changed bar along the left edge with nothing behind it
    const rows = ['00000', '01110', '01010', '01110', '00000'];
    const plane = Float32Array.from(rows.join(''), Number);
    expect(Array.from(fillHoles(plane, 5, 5)).join('')).toBe('0000001110011100111000000');
  });

  it('brings a faded object back whole, not as an outline', () => {
    // the model faded a square: its rim changed a lot (blur against the background), its inside only a little
    const input = { width: 64, height: 64, data: new Uint8ClampedArray(4 * 64 * 64).fill(200) };
    const withSquare = paintSquare(input, 16, 16, 24, [20, 20, 200]);
    const faded = paintSquare(paintSquare(input, 14, 14, 28, [200, 200, 200]), 18, 18, 20, [50, 50, 200]);
    const { image } = keepUnchanged(withSquare, faded);
    expect(pixel(image, 28, 28)).toEqual([50, 50, 200, 255]); // the inside is the model's, like its rim
  });
});
