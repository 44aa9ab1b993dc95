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
 * The cheapest job the bundle accepts that still takes every path an edit takes: its smallest bucket, one step,
 * a flat grey image 8 px larger than that bucket on each axis at the input's size (so the image is resized to the
 * bucket and back, as a photo is), unchanged pixels kept as edits keep them by default; one run, or where the runs
 * are batched (getRunBatch) the default average's runs, which cost the same single DiT call and leave the batch
 * shape the real edits run at warmed up. The JavaScript of those paths is then compiled before the first edit
 * (the first edits after a warm-up without them spent ~100 ms more decoding, in the resize).
 */
export function makeWarmUpJob(
  manifest: Manifest,
  bundleId: string,
  models: Pick<KontextModels, 'denoiseOnDevice'>,
): EditJob {
  const [bucketW, bucketH] = manifest.sampling.resolutions.reduce((a, b) => (b[0] * b[1] < a[0] * a[1] ? b : a));
  const [width, height] = [bucketW + 8, bucketH + 8];
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
    size: 'input',
    previewEvery: 0,
    keepUnchanged: true,
  };
}
