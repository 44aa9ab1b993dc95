/**
 * Latent geometry and p×p patch packing (docs/kontext-spec.md §4.2). Every size comes from the bundle: latent channels Z,
 * the AE's spatial factor f (8 for FLUX, may be 16) and the patch edge p (2 for FLUX). Nothing here assumes FLUX.
 */
import { EngineError } from '../api/errors';
import type { ModelConfig } from '../bundle/manifest';

/** What a bundle says about its latent space. */
export interface LatentGeometry {
  /** Latent channels Z of the AE (16 for FLUX). */
  channels: number;
  /** Pixels per latent cell along each side (8 for FLUX). */
  spatialFactor: number;
  /** Patch edge p: tokens are p×p latent cells (2 for FLUX). */
  patchSize: number;
}

/** The latent geometry a bundle's model config describes. */
export function getLatentGeometry(model: Pick<ModelConfig, 'ae' | 'patchSize'>): LatentGeometry {
  return { channels: model.ae.zChannels, spatialFactor: model.ae.spatialFactor, patchSize: model.patchSize };
}

/** An unpacked latent [1, channels, height, width] and the patch edge that packs it. */
export interface LatentShape {
  channels: number;
  /** Latent rows h (pixels / f). */
  height: number;
  /** Latent columns w (pixels / f). */
  width: number;
  patchSize: number;
}

/**
 * Latent shape for an image of `width`×`height` pixels.
 * @throws EngineError `bad-image` when a side is not a multiple of f·p (the buckets are chosen so that it always is).
 */
export function getLatentShape(width: number, height: number, geometry: LatentGeometry): LatentShape {
  const { channels, spatialFactor: f, patchSize: p } = geometry;
  if (width % (f * p) !== 0 || height % (f * p) !== 0 || width <= 0 || height <= 0) {
    throw new EngineError(
      'bad-image',
      `image ${width}×${height} is not a positive multiple of ${f * p} (AE factor ${f} × patch ${p})`,
    );
  }
  return { channels, height: height / f, width: width / f, patchSize: p };
}

/** Token grid of a packed latent: rows h/p, columns w/p (row-major, the order of the ids). */
export function getTokenGrid(shape: LatentShape): { rows: number; cols: number } {
  return { rows: shape.height / shape.patchSize, cols: shape.width / shape.patchSize };
}

/** Number of tokens L = (h/p)·(w/p) of a packed latent. */
export function getTokenCount(shape: LatentShape): number {
  const { rows, cols } = getTokenGrid(shape);
  return rows * cols;
}

/** Features per token Z·p² (64 for FLUX). */
export function getTokenFeatures(shape: LatentShape): number {
  return shape.channels * shape.patchSize * shape.patchSize;
}

function checkShape(shape: LatentShape, length: number, what: string): void {
  const { channels, height, width, patchSize: p } = shape;
  if (height % p !== 0 || width % p !== 0)
    throw new EngineError('bad-model', `latent ${height}×${width} is not a multiple of patch ${p}`);
  if (length !== channels * height * width) {
    throw new EngineError(
      'bad-model',
      `${what}: expected ${channels * height * width} values for [1,${channels},${height},${width}], got ${length}`,
    );
  }
}

/**
 * [1, Z, h, w] → [1, (h/p)(w/p), Z·p²]: token n = R·(w/p) + C, feature f = c·p² + py·p + px,
 * i.e. tok[n, f] = lat[c, p·R + py, p·C + px] (einops "b c (h ph) (w pw) -> b (h w) (c ph pw)").
 */
export function packLatents(latents: Float32Array, shape: LatentShape): Float32Array {
  checkShape(shape, latents.length, 'packLatents');
  const { channels, height, width, patchSize: p } = shape;
  const cols = width / p;
  const features = channels * p * p;
  const out = new Float32Array(latents.length);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      const row = Math.floor(y / p) * cols;
      const py = y % p;
      const src = (c * height + y) * width;
      for (let x = 0; x < width; x++) {
        const n = row + Math.floor(x / p);
        out[n * features + c * p * p + py * p + (x % p)] = latents[src + x]!;
      }
    }
  }
  return out;
}

/** [1, (h/p)(w/p), Z·p²] → [1, Z, h, w]; the exact inverse of {@link packLatents}. */
export function unpackLatents(tokens: Float32Array, shape: LatentShape): Float32Array {
  checkShape(shape, tokens.length, 'unpackLatents');
  const { channels, height, width, patchSize: p } = shape;
  const cols = width / p;
  const features = channels * p * p;
  const out = new Float32Array(tokens.length);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      const row = Math.floor(y / p) * cols;
      const py = y % p;
      const dst = (c * height + y) * width;
      for (let x = 0; x < width; x++) {
        const n = row + Math.floor(x / p);
        out[dst + x] = tokens[n * features + c * p * p + py * p + (x % p)]!;
      }
    }
  }
  return out;
}

/** Concatenates [1, L_i, F] token sequences along the sequence axis: [target][ref1]…[refN] → [1, ΣL_i, F]. */
export function concatTokens(parts: readonly Float32Array[], features: number): Float32Array {
  let total = 0;
  for (const part of parts) {
    if (part.length % features !== 0)
      throw new EngineError(
        'bad-model',
        `concatTokens: ${part.length} values is not a whole number of ${features}-feature tokens`,
      );
    total += part.length;
  }
  const out = new Float32Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * The first `targetLength` tokens of [1, L, F] (the target part; reference outputs are dropped).
 * Returns a view into `tokens`, not a copy.
 */
export function sliceTargetTokens(tokens: Float32Array, targetLength: number, features: number): Float32Array {
  const size = targetLength * features;
  if (tokens.length < size || tokens.length % features !== 0) {
    throw new EngineError(
      'bad-model',
      `sliceTargetTokens: ${tokens.length} values cannot hold ${targetLength} tokens of ${features} features`,
    );
  }
  return tokens.subarray(0, size);
}
