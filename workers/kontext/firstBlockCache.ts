/**
 * @file First-block cache (the First-Block-Cache / TeaCache family; ParaAttention's FBCache for FLUX): every
 * step runs the DiT's first block; when its residual (output − input) moved less than `threshold` in relative
 * L1 since the last step that ran the whole DiT, the other blocks' residual from that step is added to this
 * step's first-block output instead of running them. One cache per denoising run. Pure: the runtime hands in
 * the tensors it read (workers/runtime/ditSegments.ts).
 */

/** Σ|a − b| / Σ|b|; Infinity when b is all zeros (nothing to compare against) or the lengths differ. */
export function relativeL1(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += Math.abs(a[i]! - b[i]!);
    norm += Math.abs(b[i]!);
  }
  return norm > 0 ? diff / norm : Infinity;
}

/** What one run's cache did, for benches and tests. */
export interface FirstBlockCacheStats {
  /** Steps that ran the whole DiT. */
  computed: number;
  /** Steps that reused the cached residual (ran only the first block and the final layer). */
  skipped: number;
}

export class FirstBlockCache {
  readonly stats: FirstBlockCacheStats = { computed: 0, skipped: 0 };
  private firstResidual: Float32Array | null = null;
  private remainingResidual: Float32Array | null = null;

  /** @param threshold - relative L1 below which a step reuses the cache; 0 never does. */
  constructor(readonly threshold: number) {
    if (!(threshold >= 0 && Number.isFinite(threshold)))
      throw new RangeError(`threshold must be ≥ 0, got ${threshold}`);
  }

  /**
   * Whether this step may skip the remaining blocks, given its first-block residual; counts the step. A step
   * that may not must call {@link store} with what the whole DiT made.
   */
  decide(firstResidual: Float32Array): boolean {
    const skip =
      this.threshold > 0 &&
      this.firstResidual !== null &&
      this.remainingResidual !== null &&
      relativeL1(firstResidual, this.firstResidual) < this.threshold;
    this.stats[skip ? 'skipped' : 'computed']++;
    return skip;
  }

  /** Remembers a computed step: its first-block residual and the remaining blocks' (after − before them). */
  store(firstResidual: Float32Array, firstOutput: Float32Array, lastOutput: Float32Array): void {
    if (firstOutput.length !== lastOutput.length) throw new RangeError('the block outputs differ in length');
    const remaining = new Float32Array(lastOutput.length);
    for (let i = 0; i < remaining.length; i++) remaining[i] = lastOutput[i]! - firstOutput[i]!;
    this.firstResidual = firstResidual.slice();
    this.remainingResidual = remaining;
  }

  /** The remaining blocks' output estimated from this step's first-block output and the cached residual. */
  apply(firstOutput: Float32Array): Float32Array {
    const remaining = this.remainingResidual;
    if (!remaining || remaining.length !== firstOutput.length) throw new Error('the first-block cache is empty');
    const out = new Float32Array(firstOutput.length);
    for (let i = 0; i < out.length; i++) out[i] = firstOutput[i]! + remaining[i]!;
    return out;
  }
}
