import { EngineError } from '../api/errors';
import type { RgbaImage } from '../api/types';

/** RGBA pixels → [1, 3, H, W] float32 in [-1, 1] (x / 127.5 − 1, docs/kontext-spec.md §4.1). Alpha is dropped. */
export function imageToTensor(image: RgbaImage): Float32Array {
  const { width, height, data } = image;
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    out[i] = data[4 * i]! / 127.5 - 1;
    out[plane + i] = data[4 * i + 1]! / 127.5 - 1;
    out[2 * plane + i] = data[4 * i + 2]! / 127.5 - 1;
  }
  return out;
}

/** [1, 3, H, W] float32 in about [-1, 1] → opaque RGBA, clamped and rounded. */
export function tensorToImage(tensor: Float32Array, width: number, height: number): RgbaImage {
  const plane = width * height;
  if (tensor.length !== 3 * plane)
    throw new EngineError('bad-model', `expected ${3 * plane} values for ${width}×${height}, got ${tensor.length}`);
  const data = new Uint8ClampedArray(4 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) data[4 * i + c] = Math.round(127.5 * (tensor[c * plane + i]! + 1));
    data[4 * i + 3] = 255;
  }
  return { width, height, data };
}

/** Peak signal-to-noise ratio of the RGB channels on [0,1] values, in dB (Infinity for identical images). */
export function psnr(a: RgbaImage, b: RgbaImage): number {
  if (a.width !== b.width || a.height !== b.height) throw new EngineError('bad-image', 'psnr: images differ in size');
  let sum = 0;
  const n = a.width * a.height;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const d = (a.data[4 * i + c]! - b.data[4 * i + c]!) / 255;
      sum += d * d;
    }
  }
  const mse = sum / (3 * n);
  return mse === 0 ? Infinity : -10 * Math.log10(mse);
}
