/** Rectified-flow timestep schedule with resolution-dependent shift (docs/kontext-spec.md §5). t ∈ [0,1]: 1 = noise, 0 = data. */

import { EngineError } from '../api/errors';

/** μ as a line through (baseSeqLen, baseShift) and (maxSeqLen, maxShift), in target tokens. */
export interface ShiftConfig {
  baseShift: number;
  maxShift: number;
  baseSeqLen: number;
  maxSeqLen: number;
}

/** FLUX.1 values (BFL get_schedule, diffusers use_dynamic_shifting); a bundle may bring its own. */
export const FLUX_SHIFT: ShiftConfig = { baseShift: 0.5, maxShift: 1.15, baseSeqLen: 256, maxSeqLen: 4096 };

/**
 * μ for `imageSeqLen` TARGET tokens (reference tokens are not counted). Not clamped outside the two points.
 * 4096 tokens → 1.15 with {@link FLUX_SHIFT}.
 */
export function computeMu(imageSeqLen: number, config: ShiftConfig = FLUX_SHIFT): number {
  const { baseShift, maxShift, baseSeqLen, maxSeqLen } = config;
  const slope = (maxShift - baseShift) / (maxSeqLen - baseSeqLen);
  return baseShift + slope * (imageSeqLen - baseSeqLen);
}

/** t' = e^μ / (e^μ + (1/t − 1)^σ); t = 0 stays 0 (the formula's limit) and t = 1 stays 1. */
export function shiftTime(t: number, mu: number, sigma = 1): number {
  if (t <= 0) return 0;
  return Math.exp(mu) / (Math.exp(mu) + (1 / t - 1) ** sigma);
}

/**
 * `steps + 1` timesteps from 1 down to exactly 0: t_k = 1 − k/steps, then {@link shiftTime} with μ(imageSeqLen).
 * @param steps - Euler steps N (integer ≥ 1)
 * @param imageSeqLen - target tokens (h/p)·(w/p)
 * @throws EngineError `bad-input` on a non-integer or non-positive step count
 */
export function getSchedule(steps: number, imageSeqLen: number, config: ShiftConfig = FLUX_SHIFT): number[] {
  if (!Number.isInteger(steps) || steps < 1)
    throw new EngineError('bad-input', `getSchedule: steps must be an integer ≥ 1, got ${steps}`);
  const mu = computeMu(imageSeqLen, config);
  const timesteps: number[] = [];
  for (let k = 0; k <= steps; k++) timesteps.push(shiftTime(1 - k / steps, mu));
  return timesteps;
}

/**
 * img2img truncation (docs/kontext-spec.md §7.3, diffusers `get_timesteps`): drops the first trunc(N − N·strength) steps,
 * so strength 1 keeps the whole schedule and strength 0 keeps only the final 0.
 */
export function truncateSchedule(timesteps: readonly number[], strength: number): number[] {
  if (!(strength >= 0 && strength <= 1))
    throw new EngineError('bad-input', `truncateSchedule: strength must be in [0,1], got ${strength}`);
  const steps = timesteps.length - 1;
  const start = Math.trunc(steps - Math.min(steps * strength, steps));
  return timesteps.slice(start);
}
