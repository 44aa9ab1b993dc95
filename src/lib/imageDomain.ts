/**
 * @file Whether an image is the kind a model was made for (its manifest `domain`, BundleInfo.domain). The image
 * is measured as the model will see it, shrunk to the model's native size: a drawing is made of flat areas, where
 * a pixel has the very colour of its right or lower neighbour (a horizontal or vertical gradient still does in one
 * direction); a photo has texture and noise, so almost no pixel does. Measured at 64×64: KontextBench-micro's 1,200
 * images 0.82–1.0 (the gallery's samples ≥ 0.94), two real photographs 0.01 and 0.02, the e2e's smooth procedural
 * landscape (e2e/editor/photo.ts) 0.00–0.24.
 */
import type { RgbaImage } from '../../workers/api';

/** Box-averages `image` down to fit within `size` (aspect kept); an image already that small is returned as is. */
function shrink(image: RgbaImage, [maxW, maxH]: readonly [number, number]): RgbaImage {
  const k = Math.min(maxW / image.width, maxH / image.height);
  if (k >= 1) return image;
  const width = Math.max(1, Math.round(image.width * k));
  const height = Math.max(1, Math.round(image.height * k));
  const data = new Uint8ClampedArray(4 * width * height);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor((y * image.height) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * image.height) / height));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor((x * image.width) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * image.width) / width));
      const sum = [0, 0, 0];
      for (let sy = y0; sy < y1; sy++)
        for (let sx = x0; sx < x1; sx++)
          for (let c = 0; c < 3; c++) sum[c]! += image.data[4 * (sy * image.width + sx) + c]!;
      const n = (y1 - y0) * (x1 - x0);
      const o = 4 * (y * width + x);
      for (let c = 0; c < 3; c++) data[o + c] = Math.round(sum[c]! / n);
      data[o + 3] = 255;
    }
  }
  return { width, height, data };
}

/** Share of pixels (0–1) with the same RGB as their right or lower neighbour, in `image` shrunk to fit `size`. */
export function measureFlatShare(image: RgbaImage, size: readonly [number, number]): number {
  const { width, height, data } = shrink(image, size);
  const same = (a: number, b: number) =>
    data[a] === data[b] && data[a + 1] === data[b + 1] && data[a + 2] === data[b + 2];
  let flat = 0;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = 4 * (y * width + x);
      if ((x + 1 < width && same(o, o + 4)) || (y + 1 < height && same(o, o + 4 * width))) flat++;
    }
  return flat / (width * height);
}
