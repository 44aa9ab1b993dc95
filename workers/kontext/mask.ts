/**
 * Masked editing (docs/kontext-spec.md §7): a pixel mask (1 = repaint) becomes a packed latent mask, the kept area is
 * reset to the noised image latents after every Euler step, and the final pixels outside the mask are copied
 * back from the input so they are bit-identical.
 */
import type { MaskImage } from '../api/jobs';
import type { RgbaImage } from '../api/types';
import { type LatentShape, packLatents } from './pack';

/** The job's MaskImage, or the same at RGBA (4·w·h bytes, read as luma). */
export type MaskPixels = Omit<MaskImage, 'data'> & { data: Uint8Array | Uint8ClampedArray };

/**
 * Mask → one 0/1 byte per pixel, binarised at 0.5 (value/255 ≥ 0.5, i.e. byte ≥ 128; diffusers do_binarize).
 * RGBA masks use their luma, (19595R + 38470G + 7471B + 2^15) >> 16, and ignore alpha.
 */
export function binarizeMask(mask: MaskPixels): Uint8Array {
  const { width, height, data } = mask;
  const pixels = width * height;
  const out = new Uint8Array(pixels);
  if (data.length === pixels) {
    for (let i = 0; i < pixels; i++) out[i] = data[i]! >= 128 ? 1 : 0;
  } else if (data.length === 4 * pixels) {
    for (let i = 0; i < pixels; i++) {
      const luma = (19595 * data[4 * i]! + 38470 * data[4 * i + 1]! + 7471 * data[4 * i + 2]! + 32768) >> 16;
      out[i] = luma >= 128 ? 1 : 0;
    }
  } else {
    throw new Error(
      `mask data length ${data.length} is neither ${pixels} (one channel) nor ${4 * pixels} (RGBA) for ${width}×${height}`,
    );
  }
  return out;
}

/**
 * Nearest-neighbour resize of a one-byte-per-pixel plane, sampling at pixel centres:
 * output (x, y) reads source (floor((x + ½)·inW/outW), floor((y + ½)·inH/outH)) — no half-cell shift.
 */
export function resizeNearest(
  plane: Uint8Array,
  inWidth: number,
  inHeight: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  if (plane.length !== inWidth * inHeight)
    throw new Error(`resizeNearest: ${plane.length} values for ${inWidth}×${inHeight}`);
  const out = new Uint8Array(outWidth * outHeight);
  for (let y = 0; y < outHeight; y++) {
    const sy = Math.min(inHeight - 1, Math.floor(((y + 0.5) * inHeight) / outHeight));
    for (let x = 0; x < outWidth; x++) {
      const sx = Math.min(inWidth - 1, Math.floor(((x + 0.5) * inWidth) / outWidth));
      out[y * outWidth + x] = plane[sy * inWidth + sx]!;
    }
  }
  return out;
}

/** Pixel mask → binarised → nearest to the latent h×w → repeated over Z channels → packed [1, L, Z·p²] of 0/1. */
export function makeLatentMask(mask: MaskPixels, shape: LatentShape): Float32Array {
  const { channels, height, width } = shape;
  const cells = resizeNearest(binarizeMask(mask), mask.width, mask.height, width, height);
  const latent = new Float32Array(channels * height * width); // [1, Z, h, w]
  for (let c = 0; c < channels; c++) latent.set(cells, c * height * width);
  return packLatents(latent, shape);
}

/**
 * One §7.6 blend after an Euler step: ref = tNext·noise + (1 − tNext)·imageLatents (the clean latents at
 * tNext = 0); returns (1 − m)·ref + m·x. All arrays share one layout (packed tokens [1, L, F]).
 */
export function blendLatents(
  x: Float32Array,
  imageLatents: Float32Array,
  noise: Float32Array,
  mask: Float32Array,
  tNext: number,
): Float32Array {
  const n = x.length;
  if (imageLatents.length !== n || noise.length !== n || mask.length !== n) {
    throw new Error(
      `blendLatents: lengths differ (x ${n}, image ${imageLatents.length}, noise ${noise.length}, mask ${mask.length})`,
    );
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const ref = tNext * noise[i]! + (1 - tNext) * imageLatents[i]!;
    out[i] = (1 - mask[i]!) * ref + mask[i]! * x[i]!;
  }
  return out;
}

/**
 * Chamfer distance (steps 1 and √2, in pixels) from each inside pixel to the nearest outside pixel; 0 outside,
 * Infinity when nothing is outside. Two raster passes.
 */
function measureInsideDistance(inside: Uint8Array, width: number, height: number): Float32Array {
  const d = new Float32Array(inside.length);
  for (let i = 0; i < d.length; i++) d[i] = inside[i] ? Infinity : 0;
  const relax = (i: number, x: number, y: number, step: number) => {
    if (x >= 0 && x < width && y >= 0 && y < height) d[i] = Math.min(d[i]!, d[y * width + x]! + step);
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!inside[i]) continue;
      relax(i, x - 1, y, 1);
      relax(i, x, y - 1, 1);
      relax(i, x - 1, y - 1, Math.SQRT2);
      relax(i, x + 1, y - 1, Math.SQRT2);
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      if (!inside[i]) continue;
      relax(i, x + 1, y, 1);
      relax(i, x, y + 1, 1);
      relax(i, x + 1, y + 1, Math.SQRT2);
      relax(i, x - 1, y + 1, Math.SQRT2);
    }
  }
  return d;
}

/**
 * Pixels outside the (binarised) mask are copied from `original` byte for byte; inside they come from `edited`.
 * With `feather` > 0 (pixels) the edit fades in over the first `feather` pixels INSIDE the mask edge
 * (weight = distance to the nearest outside pixel / feather, capped at 1), so the outside stays untouched.
 * All three images must have the same size (resize the edit back to the input size first).
 */
export function compositeOutsideMask(original: RgbaImage, edited: RgbaImage, mask: MaskPixels, feather = 0): RgbaImage {
  const { width, height } = original;
  for (const [name, image] of [
    ['edited', edited],
    ['mask', mask],
  ] as const) {
    if (image.width !== width || image.height !== height) {
      throw new Error(
        `compositeOutsideMask: ${name} is ${image.width}×${image.height}, original is ${width}×${height}`,
      );
    }
  }
  const inside = binarizeMask(mask);
  const distance = feather > 0 ? measureInsideDistance(inside, width, height) : null;
  const data = new Uint8ClampedArray(original.data);
  for (let i = 0; i < inside.length; i++) {
    if (!inside[i]) continue;
    const w = distance ? Math.min(1, distance[i]! / feather) : 1;
    for (let c = 4 * i; c < 4 * i + 4; c++) data[c] = original.data[c]! + w * (edited.data[c]! - original.data[c]!);
  }
  return { width, height, data };
}
