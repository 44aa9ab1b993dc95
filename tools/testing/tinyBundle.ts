/**
 * @file ensureTinyBundle(): the random tiny checkpoint of training/fixtures/tiny converted into a real
 * bundle under `.cache/bundles/`, for engine tests. Rebuilt when the fixtures or the converter change.
 */
import { join } from 'node:path';
import { convertBundle } from '../convert/bundle/convertBundle';
import type { WeightFormat } from '../convert/graphs/types';
import { REPO_ROOT } from '../convert/paths';
import { ensureCachedBuild, listFiles, makeStamp } from './cachedBuild';

export const TINY_MODEL_DIR = join(REPO_ROOT, 'training/fixtures/tiny/model');
export const TINY_TAEF1_DIR = join(REPO_ROOT, 'training/fixtures/tiny/taef1');
export const TINY_GOLDENS_DIR = join(REPO_ROOT, 'training/fixtures/tiny/goldens');

/** The tiny model's text length (its goldens use 16 T5 tokens) and buckets small enough for tests. */
export const TINY_BUNDLE_OVERRIDES = {
  id: 'tiny-random',
  name: 'tiny random (tests)',
  default_steps: 4,
  default_guidance: 2.5,
  resolutions: [
    [64, 64],
    [64, 48],
    [48, 64],
    [80, 48],
    [48, 80],
  ] as [number, number][],
};

/**
 * Converts the tiny fixture model (once per change) and returns the bundle folder; `firstBlockCache` lays the
 * DiT out for the first-block cache (`segments` + 2 graphs).
 */
export async function ensureTinyBundle(
  weights: WeightFormat = 'fp32',
  segments = 1,
  options: { firstBlockCache?: boolean } = {},
): Promise<string> {
  const inputs = [
    ...listFiles(TINY_MODEL_DIR).map((f) => join(TINY_MODEL_DIR, f)),
    ...listFiles(TINY_TAEF1_DIR).map((f) => join(TINY_TAEF1_DIR, f)),
  ];
  const stamp = makeStamp(inputs, [join(REPO_ROOT, 'tools/convert'), join(REPO_ROOT, 'workers/bundle')]);
  const dir = join(
    REPO_ROOT,
    '.cache',
    'bundles',
    `tiny-${weights}-${segments}${options.firstBlockCache ? '-fbc' : ''}`,
  );
  return ensureCachedBuild(dir, stamp, ['manifest.json'], async (out) => {
    await convertBundle(TINY_MODEL_DIR, out, {
      weights,
      segments,
      firstBlockCache: options.firstBlockCache,
      taef1Dir: TINY_TAEF1_DIR,
      t5MaxLength: 16,
      clipMaxLength: 77,
      overrides: TINY_BUNDLE_OVERRIDES,
    });
  });
}
