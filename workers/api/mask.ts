/**
 * @file What a mask byte means, defined once: the engine's latent mask, its compositing, the UI's brush
 * overlay and its repaint count all read a mask through these, so they cannot disagree about a pixel.
 */
import { EngineError } from './errors';
import type { RgbaImage } from './types';

/** A single-channel mask at the input image's size: one byte per pixel, row-major; see {@link isRepaint}. */
export interface MaskImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Mask bytes from here up are repainted (value/255 ≥ 0.5, diffusers' do_binarize); below are kept. */
export const MASK_THRESHOLD = 128;

export const isRepaint = (maskByte: number): boolean => maskByte >= MASK_THRESHOLD;

/**
 * The one compositing rule of a masked edit: a kept pixel is the input's bytes exactly; a repainted one is
 * result × m/255 + input × (1 − m/255), so a feathered brush rim (m between 128 and 255) fades into the input.
 * @throws EngineError `bad-input` when the three sizes differ.
 */
export function compositeMasked(input: RgbaImage, result: RgbaImage, mask: MaskImage): RgbaImage {
  const { width, height } = input;
  if (result.width !== width || result.height !== height || mask.width !== width || mask.height !== height) {
    throw new EngineError(
      'bad-input',
      `cannot composite a ${result.width}×${result.height} result into a ${width}×${height} input with a ${mask.width}×${mask.height} mask`,
    );
  }
  const data = new Uint8ClampedArray(input.data);
  for (let p = 0; p < mask.data.length; p++) {
    const m = mask.data[p]!;
    if (!isRepaint(m)) continue;
    const a = m / 255;
    for (let c = p * 4; c < p * 4 + 4; c++) data[c] = Math.round(result.data[c]! * a + input.data[c]! * (1 - a));
  }
  return { width, height, data };
}
