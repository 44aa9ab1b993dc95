/**
 * The rectified-flow Euler loop (docs/kontext-spec.md §1 step 8, §5, §7), read like BFL sampling.py `denoise`:
 * for each pair (t, tNext) of the schedule, v = velocity(x, t) on the target tokens, x ← x + (tNext − t)·v,
 * then (masked edits only) the kept area is reset to the image latents noised to tNext.
 * CPU Float32Array version; the model call is injected, so this module never sees onnxruntime.
 */
import { EngineError } from '../api/errors';
import { blendLatents } from './mask';
import { sliceTargetTokens } from './pack';

/**
 * One model evaluation. `x` is the target tokens [1, L_t, F]; the implementation appends the reference tokens
 * (and their ids), runs the DiT at time `t` ∈ [0,1] with the distilled `guidance`, and returns the velocity for
 * the whole image sequence [1, L_t + L_ref, F] (or just the target part): target tokens first.
 */
export type VelocityFn = (x: Float32Array, t: number, guidance: number) => Promise<Float32Array>;

/** Latent blending for masked edits (§7.6); all three are packed like x, [1, L_t, F]. */
interface DenoiseMask {
  /** 1 = repaint, 0 = keep (see makeLatentMask). */
  mask: Float32Array;
  /** Clean packed latents of the image being edited, at the target size. */
  imageLatents: Float32Array;
  /** The noise that x started from (the kept area is re-noised with it). */
  noise: Float32Array;
}

/** What the per-step callback sees, after step `step` (0-based) of `steps`. */
export interface DenoiseStep {
  step: number;
  steps: number;
  /** The time this step started at and the one it moved x to. */
  t: number;
  tNext: number;
  /** x at tNext (after blending); a fresh array the loop never writes to again (read it, do not modify it). */
  x: Float32Array;
  /** The target velocity used for this step; a view into the model output, copy it to keep it. */
  v: Float32Array;
}

/** Inputs of {@link denoise}. */
export interface DenoiseOptions {
  velocity: VelocityFn;
  /** Packed target tokens at timesteps[0], [1, L_t, F] (pure noise when the schedule starts at 1). */
  x: Float32Array;
  /** Decreasing times in [0,1], usually getSchedule(...) ending in 0; steps = timesteps.length − 1. */
  timesteps: readonly number[];
  /** Distilled guidance value passed to the model as is (e.g. 2.5). */
  guidance: number;
  /** Target tokens L_t; the feature count is x.length / targetLength. */
  targetLength: number;
  mask?: DenoiseMask;
  /** Called after every step, awaited (previews, progress). */
  onStep?: (info: DenoiseStep) => void | Promise<void>;
  /** Checked before and after every model call; abort throws EngineError `cancelled`. */
  signal?: AbortSignal;
}

function throwIfAborted(signal: AbortSignal | undefined, step: number): void {
  if (signal?.aborted) throw new EngineError('cancelled', `denoising cancelled at step ${step}`);
}

/**
 * Euler-integrates x from timesteps[0] to the last timestep; returns the final packed target tokens [1, L_t, F].
 * The input `x` is not modified.
 * @throws EngineError `cancelled` when `signal` aborts; `bad-input` when shapes do not match
 */
export async function denoise(options: DenoiseOptions): Promise<Float32Array> {
  const { velocity, timesteps, guidance, targetLength, mask, onStep, signal } = options;
  const features = options.x.length / targetLength;
  if (!Number.isInteger(features) || features <= 0) {
    throw new EngineError(
      'bad-input',
      `denoise: x has ${options.x.length} values, not a whole number of features per ${targetLength} tokens`,
    );
  }
  const steps = timesteps.length - 1;
  let x = options.x;
  for (let step = 0; step < steps; step++) {
    const t = timesteps[step]!;
    const tNext = timesteps[step + 1]!;
    throwIfAborted(signal, step);
    const v = sliceTargetTokens(await velocity(x, t, guidance), targetLength, features);
    throwIfAborted(signal, step);

    const next = new Float32Array(x.length);
    const dt = tNext - t; // negative: time runs from noise (1) to data (0)
    for (let i = 0; i < next.length; i++) next[i] = x[i]! + dt * v[i]!;
    x = mask ? blendLatents(next, mask.imageLatents, mask.noise, mask.mask, tNext) : next;

    await onStep?.({ step, steps, t, tNext, x, v });
  }
  return x;
}
