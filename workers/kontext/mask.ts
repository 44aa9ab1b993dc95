/**
 * Masked editing (docs/kontext-spec.md §7): a pixel mask (1 = repaint) becomes a packed latent mask, and the kept
 * area is reset to the noised image latents after every Euler step. The final pixels are composited with the
 * input by api/mask.ts's compositeMasked, the rule the UI shares.
 */
import { EngineError } from '../api/errors';
import { isRepaint, type MaskImage } from '../api/mask';
import { type LatentShape, packLatents } from './pack';

/** The job's MaskImage, or the same at RGBA (4·w·h bytes, read as luma). */
export type MaskPixels = Omit<MaskImage, 'data'> & { data: Uint8Array | Uint8ClampedArray };

/**
 * Mask → one 0/1 byte per pixel by api/mask.ts's isRepaint (byte ≥ 128, diffusers' do_binarize).
 * RGBA masks use their luma, (19595R + 38470G + 7471B + 2^15) >> 16, and ignore alpha.
 * @throws EngineError `bad-input` when the data is neither one byte nor four per pixel.
 */
export function binarizeMask(mask: MaskPixels): Uint8Array {
  const { width, height, data } = mask;
  const pixels = width * height;
  const out = new Uint8Array(pixels);
  if (data.length === pixels) {
    for (let i = 0; i < pixels; i++) out[i] = isRepaint(data[i]!) ? 1 : 0;
  } else if (data.length === 4 * pixels) {
    for (let i = 0; i < pixels; i++) {
      const luma = (19595 * data[4 * i]! + 38470 * data[4 * i + 1]! + 7471 * data[4 * i + 2]! + 32768) >> 16;
      out[i] = isRepaint(luma) ? 1 : 0;
    }
  } else {
    throw new EngineError(
      'bad-input',
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
    throw new EngineError('bad-input', `resizeNearest: ${plane.length} values for ${inWidth}×${inHeight}`);
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
    throw new EngineError(
      'bad-input',
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
