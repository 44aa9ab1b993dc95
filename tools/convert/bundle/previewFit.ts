/**
 * @file Fits the bundle's linear latent → RGB preview map against its own AE decoder: decode random
 * latents, average each decoded f×f block, solve least squares for rgb = M·z + b. The decoder runs on an
 * injected onnxruntime session; both front ends use onnxruntime-web's WASM backend on one thread, so the map
 * (and with it manifest.json) comes out bit for bit the same in Node and in a browser.
 */
import type { GraphFiles } from '../../../workers/bundle/manifest';
import { makeGaussian } from '../../../workers/kontext/noise';
import type { BundleSink } from '../io/bundleSink';

/** The AE decoder loaded for the fit: `latent` [1, z, h, w] in, `image` out. */
interface DecoderSession {
  run(latent: Float32Array, dims: number[]): Promise<Float32Array>;
  release(): Promise<void>;
}

/** Loads a graph with its external data (paths as the graph names them). */
export type OpenDecoder = (graph: Uint8Array, data: { path: string; data: Uint8Array }[]) => Promise<DecoderSession>;

/** Solves the normal equations A x = y for a small symmetric positive-definite A (Gaussian elimination). */
function solve(a: number[][], y: number[]): number[] {
  const n = y.length;
  const m = a.map((row, i) => [...row, y[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col || m[col]![col] === 0) continue;
      const k = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= k * m[col]![c]!;
    }
  }
  return m.map((row, i) => (row[i] === 0 ? 0 : row[n]! / row[i]!));
}

/**
 * Decodes a batch of random transformer-space latents (std 1, as the sampler's x0 estimates roughly are)
 * and fits the map; `zChannels` and `factor` come from the AE config.
 */
export async function fitPreviewRgb(
  sink: BundleSink,
  decoder: GraphFiles,
  zChannels: number,
  factor: number,
  openDecoder: OpenDecoder,
): Promise<{ matrix: number[]; bias: number[] }> {
  const data = [];
  for (const path of decoder.data) data.push({ path, data: await sink.read(path) });
  const session = await openDecoder(await sink.read(decoder.graph), data);
  const h = 8;
  const w = 8;
  const plane = h * w;
  const n = zChannels + 1; // + bias
  const ata = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const aty = [0, 1, 2].map(() => new Array<number>(n).fill(0));
  for (let sample = 0; sample < 4; sample++) {
    const latents = makeGaussian(1000 + sample, zChannels * plane);
    const pixels = await session.run(latents, [1, zChannels, h, w]);
    const W = w * factor;
    for (let p = 0; p < plane; p++) {
      const y0 = Math.floor(p / w) * factor;
      const x0 = (p % w) * factor;
      const z = [...Array.from({ length: zChannels }, (_, c) => latents[c * plane + p]), 1];
      const rgb = [0, 1, 2].map((c) => {
        let sum = 0;
        for (let dy = 0; dy < factor; dy++)
          for (let dx = 0; dx < factor; dx++) sum += pixels[c * plane * factor * factor + (y0 + dy) * W + x0 + dx]!;
        return sum / (factor * factor);
      });
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) ata[i]![j]! += z[i]! * z[j]!;
        for (let c = 0; c < 3; c++) aty[c]![i]! += z[i]! * rgb[c]!;
      }
    }
  }
  await session.release();
  for (let i = 0; i < n; i++) ata[i]![i]! += 1e-3; // a touch of ridge: random latents can be collinear at tiny sizes
  const rows = [0, 1, 2].map((c) => solve(ata, aty[c]!));
  return { matrix: rows.flatMap((r) => r.slice(0, zChannels)), bias: rows.map((r) => r[zChannels]!) };
}
