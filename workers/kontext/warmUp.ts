/**
 * @file The warm-up edit: one tiny job run when a bundle is opened ahead of its first edit, so sessions are
 * created and kernels compiled (WebGPU shaders, WASM's first-run allocations) while the user is still choosing
 * an image, and the first real edit is as fast as the later ones.
 */
import type { EditJob } from '../api/jobs';
import type { Manifest } from '../bundle/manifest';
import { getRunBatch } from './batch';
import type { KontextModels } from './models';

/**
 * The cheapest job the bundle accepts: its smallest bucket, one step, no previews, a flat grey image, unchanged
 * pixels kept as edits keep them by default; one run, or
 * where the runs are batched (getRunBatch) the default average's runs, which cost the same single DiT call and leave
 * the batch shape the real edits run at warmed up.
 */
export function makeWarmUpJob(
  manifest: Manifest,
  bundleId: string,
  models: Pick<KontextModels, 'denoiseOnDevice'>,
): EditJob {
  const [width, height] = manifest.sampling.resolutions.reduce((a, b) => (b[0] * b[1] < a[0] * a[1] ? b : a));
  return {
    id: `warm-up:${bundleId}`,
    bundleId,
    image: { width, height, data: new Uint8ClampedArray(width * height * 4).fill(128) },
    prompt: 'warm up',
    references: [],
    mask: null,
    steps: 1,
    guidance: manifest.sampling.defaultGuidance,
    average: getRunBatch(manifest, models, manifest.sampling.defaultAverage, false),
    seed: 0,
    size: 'native',
    previewEvery: 0,
    keepUnchanged: true, // the app's default: its JavaScript is then compiled before the first edit too
  };
}
