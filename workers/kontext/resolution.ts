/**
 * Working resolutions (docs/kontext-spec.md §4.3, §4.4) and a pure RGBA resampler. Sizes are (width, height) in pixels.
 * The model runs at a bucket; by default the result is resized back to the input's own size (stretch, no crop).
 */
import { EngineError } from '../api/errors';
import type { RgbaImage } from '../api/types';

/** (width, height) in pixels. */
export type Size = readonly [width: number, height: number];

/** FLUX.1 Kontext's 17 preferred (width, height) resolutions, ≈1 MP, multiples of 16 (BFL PREFERED_KONTEXT_RESOLUTIONS). */
export const PREFERRED_KONTEXT_RESOLUTIONS: readonly Size[] = Object.freeze([
  [672, 1568],
  [688, 1504],
  [720, 1456],
  [752, 1392],
  [800, 1328],
  [832, 1248],
  [880, 1184],
  [944, 1104],
  [1024, 1024],
  [1104, 944],
  [1184, 880],
  [1248, 832],
  [1328, 800],
  [1392, 752],
  [1456, 720],
  [1504, 688],
  [1568, 672],
] as const);

/**
 * The bucket whose aspect W/H is closest to `width/height`; ties go to the smaller W, then the smaller H.
 * @throws EngineError `bad-manifest` when `buckets` is empty, `bad-image` when the size is not positive
 */
export function pickResolution(width: number, height: number, buckets: readonly Size[]): Size {
  if (!(width > 0 && height > 0))
    throw new EngineError('bad-image', `pickResolution: size ${width}×${height} is not positive`);
  if (buckets.length === 0) throw new EngineError('bad-manifest', 'pickResolution: no buckets');
  const aspect = width / height;
  let best = buckets[0]!;
  let bestDiff = Infinity;
  for (const bucket of buckets) {
    const diff = Math.abs(aspect - bucket[0] / bucket[1]);
    const tie = diff === bestDiff && (bucket[0] < best[0] || (bucket[0] === best[0] && bucket[1] < best[1]));
    if (diff < bestDiff || tie) {
      best = bucket;
      bestDiff = diff;
    }
  }
  return best;
}

/**
 * A bundle's own buckets (its manifest list), or the Kontext list when it lists none. Every side must be a
 * positive multiple of `multiple` = AE factor · patch size, so the latent packs into whole patches.
 * @throws EngineError `bad-manifest` on a malformed or misaligned bucket
 */
export function getBuckets(listed: readonly (readonly number[])[] | undefined, multiple: number): Size[] {
  const isSide = (side: number | undefined): side is number =>
    side !== undefined && Number.isInteger(side) && side > 0 && side % multiple === 0;
  const buckets = (listed ?? PREFERRED_KONTEXT_RESOLUTIONS).map((entry): Size => {
    const [w, h] = entry;
    if (entry.length !== 2 || !isSide(w) || !isSide(h))
      throw new EngineError(
        'bad-manifest',
        `resolution bucket [${entry.join(', ')}] is not two positive multiples of ${multiple}`,
      );
    return [w, h];
  });
  if (buckets.length === 0) throw new EngineError('bad-manifest', 'the bundle lists no resolution buckets');
  return buckets;
}

/** Where the result goes: back to the input's size and aspect (default), or the model's bucket as generated. */
export type OutputSizeMode = 'input' | 'native';

/** The size of the returned image: the input's own size (resized back, no crop, no shift) or the bucket. */
export function computeOutputSize(
  input: { width: number; height: number },
  bucket: Size,
  mode: OutputSizeMode = 'input',
): Size {
  switch (mode) {
    case 'input':
      return [input.width, input.height];
    case 'native':
      return bucket;
    default: {
      const never: never = mode;
      throw new EngineError('bad-input', `unknown output size mode ${String(never)}`);
    }
  }
}

/** Resampling kernels: Lanczos-3 (input → bucket, as PIL LANCZOS) and bilinear (triangle). */
export type ResizeFilter = 'lanczos3' | 'bilinear';

function sinc(x: number): number {
  if (x === 0) return 1;
  const a = Math.PI * x;
  return Math.sin(a) / a;
}

const KERNELS: Record<ResizeFilter, { support: number; weight: (x: number) => number }> = {
  lanczos3: { support: 3, weight: (x) => (Math.abs(x) < 3 ? sinc(x) * sinc(x / 3) : 0) },
  bilinear: { support: 1, weight: (x) => Math.max(0, 1 - Math.abs(x)) },
};

/** Per output index: the first source index and the normalised weights of the taps from there. */
interface Taps {
  start: Int32Array;
  count: Int32Array;
  /** [outSize, maxTaps] weights, row-padded with zeros. */
  weights: Float64Array;
  maxTaps: number;
}

/**
 * 1-D resampling taps with pixel centres aligned: output centre i + 0.5 maps to source (i + 0.5)·in/out.
 * When shrinking, the kernel is stretched by in/out so it also low-passes (PIL's scheme). Taps falling outside
 * the image are dropped and the rest renormalised, so a constant row stays constant.
 */
function computeTaps(inSize: number, outSize: number, filter: ResizeFilter): Taps {
  const { support, weight } = KERNELS[filter];
  const scale = inSize / outSize;
  const stretch = Math.max(1, scale);
  const radius = support * stretch;
  const maxTaps = Math.ceil(2 * radius) + 2; // floor(c − R)..ceil(c + R) spans fewer than 2R + 2 pixels
  const taps: Taps = {
    start: new Int32Array(outSize),
    count: new Int32Array(outSize),
    weights: new Float64Array(outSize * maxTaps),
    maxTaps,
  };
  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * scale; // in source pixel units, where source pixel j has its centre at j + 0.5
    const lo = Math.max(0, Math.floor(centre - radius));
    const hi = Math.min(inSize, Math.ceil(centre + radius));
    let sum = 0;
    for (let j = lo; j < hi; j++) {
      const w = weight((j + 0.5 - centre) / stretch);
      taps.weights[i * maxTaps + (j - lo)] = w;
      sum += w;
    }
    for (let k = 0; k < hi - lo; k++) taps.weights[i * maxTaps + k]! /= sum;
    taps.start[i] = lo;
    taps.count[i] = hi - lo;
  }
  return taps;
}

/**
 * Resizes RGBA pixels to exactly `width`×`height` with a separable filter (rows, then columns, float in between).
 * Channels are filtered independently, alpha included (no premultiplication, like PIL on the RGB images
 * the model takes). Results are rounded and clamped to 0..255.
 * @throws EngineError `bad-image` on a non-positive or non-integer size or a `data` length that does not match the
 *   source size
 */
export function resizeRgba(
  src: RgbaImage,
  width: number,
  height: number,
  filter: ResizeFilter = 'lanczos3',
): RgbaImage {
  for (const side of [width, height, src.width, src.height]) {
    if (!Number.isInteger(side) || side <= 0)
      throw new EngineError('bad-image', `resizeRgba: size ${side} is not a positive integer`);
  }
  if (src.data.length !== 4 * src.width * src.height)
    throw new EngineError('bad-image', `resizeRgba: data length ${src.data.length} ≠ 4·${src.width}·${src.height}`);
  if (width === src.width && height === src.height) return { width, height, data: new Uint8ClampedArray(src.data) };

  // Horizontal pass: [src.height, width, 4] floats.
  const across = computeTaps(src.width, width, filter);
  const rows = new Float32Array(src.height * width * 4);
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < width; x++) {
      const base = x * across.maxTaps;
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let k = 0, j = across.start[x]!; k < across.count[x]!; k++, j++) {
        const w = across.weights[base + k]!;
        const s = 4 * (y * src.width + j);
        r += w * src.data[s]!;
        g += w * src.data[s + 1]!;
        b += w * src.data[s + 2]!;
        a += w * src.data[s + 3]!;
      }
      const d = 4 * (y * width + x);
      rows[d] = r;
      rows[d + 1] = g;
      rows[d + 2] = b;
      rows[d + 3] = a;
    }
  }

  // Vertical pass into [height, width, 4] bytes; Uint8ClampedArray rounds (half to even) and clamps the overshoot.
  const down = computeTaps(src.height, height, filter);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const base = y * down.maxTaps;
    for (let x = 0; x < width; x++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let k = 0, j = down.start[y]!; k < down.count[y]!; k++, j++) {
        const w = down.weights[base + k]!;
        const s = 4 * (j * width + x);
        r += w * rows[s]!;
        g += w * rows[s + 1]!;
        b += w * rows[s + 2]!;
        a += w * rows[s + 3]!;
      }
      const d = 4 * (y * width + x);
      data[d] = r;
      data[d + 1] = g;
      data[d + 2] = b;
      data[d + 3] = a;
    }
  }
  return { width, height, data };
}
