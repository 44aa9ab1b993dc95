import { describe, expect, it } from 'vitest';
import { imageToTensor, psnr, tensorToImage } from './image';

function randomImage(width: number, height: number, seed: number) {
  const data = new Uint8ClampedArray(4 * width * height);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = i % 4 === 3 ? 255 : s >>> 24;
  }
  return { width, height, data };
}

describe('image tensors', () => {
  it('round-trips RGBA through the [-1,1] NCHW tensor exactly', () => {
    const img = randomImage(5, 3, 7);
    const t = imageToTensor(img);
    expect(t.length).toBe(45);
    expect(Math.min(...t)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...t)).toBeLessThanOrEqual(1);
    expect(tensorToImage(t, 5, 3).data).toEqual(img.data);
  });

  it('lays channels out as planes (NCHW)', () => {
    const img = { width: 2, height: 1, data: new Uint8ClampedArray([255, 0, 0, 255, 0, 0, 255, 255]) };
    expect(Array.from(imageToTensor(img))).toEqual([1, -1, -1, -1, -1, 1]);
  });

  it('psnr is infinite for equal images and about 48 dB for a one-level error', () => {
    const img = randomImage(8, 8, 1);
    expect(psnr(img, img)).toBe(Infinity);
    const off = { ...img, data: img.data.map((v, i) => (i % 4 === 3 ? v : v === 255 ? 254 : v + 1)) };
    expect(psnr(img, off)).toBeCloseTo(20 * Math.log10(255), 5);
  });
});
