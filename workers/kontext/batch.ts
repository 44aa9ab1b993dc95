/**
 * @file Several runs in one DiT call (manifest `dit_batch`): runs are laid out back to back on the leading axis,
 * each its own [L, F] token sequence, so the averaged runs of an edit share every kernel launch of a step.
 */
import { EngineError } from '../api/errors';
import type { Manifest } from '../bundle/manifest';
import type { KontextModels } from './models';
import { concatTokens, sliceTargetTokens } from './pack';

/**
 * Runs per DiT call for an average of `average` runs: all of them where the graphs take a batch, else 1. The device
 * loop and the first-block cache (`cached`) run one at a time, and a memory-tight bundle's activations are planned
 * for one run.
 */
export function getRunBatch(
  manifest: Pick<Manifest, 'ditBatch' | 'memoryTight'>,
  models: Pick<KontextModels, 'denoiseOnDevice'>,
  average: number,
  cached: boolean,
): number {
  return manifest.ditBatch && !manifest.memoryTight && !cached && !models.denoiseOnDevice ? average : 1;
}

/** `runs` equal views into `x` (no copies). */
export function splitRuns(x: Float32Array, runs: number): Float32Array[] {
  const size = x.length / runs;
  if (!Number.isInteger(size)) throw new EngineError('bad-model', `${x.length} values are not ${runs} equal runs`);
  return Array.from({ length: runs }, (_, r) => x.subarray(r * size, (r + 1) * size));
}

/** `a` repeated `times` times back to back. */
export function repeatRuns(a: Float32Array, times: number): Float32Array {
  return concatTokens(
    Array.from({ length: times }, () => a),
    1,
  );
}

/** Element-wise mean of equally long arrays (the one array itself when there is one). */
export function meanOf(arrays: readonly Float32Array[]): Float32Array {
  if (arrays.length === 1) return arrays[0]!;
  const out = new Float32Array(arrays[0]!.length);
  for (const a of arrays) for (let i = 0; i < out.length; i++) out[i]! += a[i]!;
  for (let i = 0; i < out.length; i++) out[i]! /= arrays.length;
  return out;
}

/** Each run's target tokens followed by the (shared) reference tokens: the DiT's hidden_states [runs, L_img, F]. */
export function joinReferences(
  x: Float32Array,
  runs: number,
  references: readonly Float32Array[],
  features: number,
): Float32Array {
  return concatTokens(
    splitRuns(x, runs).flatMap((target) => [target, ...references]),
    features,
  );
}

/** The target tokens of every run out of a batched velocity [runs, L_img, F], back to back. */
export function takeTargets(v: Float32Array, runs: number, targetLength: number, features: number): Float32Array {
  if (runs === 1) return sliceTargetTokens(v, targetLength, features);
  return concatTokens(
    splitRuns(v, runs).map((run) => sliceTargetTokens(run, targetLength, features)),
    features,
  );
}
