/**
 * @file Live previews without a preview decoder: the bundle's linear latent → RGB map applied per latent
 * pixel, then blown up to image size (nearest). Crude, but it costs nothing beside the DiT.
 */

/** latents [1, Z, h, w] → pixels [1, 3, f·h, f·w] in [-1, 1] via rgb = M·z + b. */
export function mapLatentsToRgb(
  latents: Float32Array,
  zChannels: number,
  height: number,
  width: number,
  map: { matrix: number[]; bias: number[] },
  factor: number,
): Float32Array {
  const plane = height * width;
  const outW = width * factor;
  const outPlane = plane * factor * factor;
  const out = new Float32Array(3 * outPlane);
  for (let p = 0; p < plane; p++) {
    const y = Math.floor(p / width);
    const x = p % width;
    for (let c = 0; c < 3; c++) {
      let v = map.bias[c]!;
      for (let z = 0; z < zChannels; z++) v += map.matrix[c * zChannels + z]! * latents[z * plane + p]!;
      v = Math.max(-1, Math.min(1, v));
      for (let dy = 0; dy < factor; dy++)
        out.fill(
          v,
          c * outPlane + (y * factor + dy) * outW + x * factor,
          c * outPlane + (y * factor + dy) * outW + (x + 1) * factor,
        );
    }
  }
  return out;
}
