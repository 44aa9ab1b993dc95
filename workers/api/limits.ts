/**
 * @file The one set of limits on an edit's numbers. The manifest parser checks a bundle's sampler defaults
 * against them, the engine checks every job against them before any model loads, and the UI's inputs take
 * their ranges and clamping from them: a value one side accepts, the others accept too.
 */

/** An allowed range, both ends included; `integer` when fractions are refused. */
export interface NumberLimit {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

const STEPS: NumberLimit = { min: 1, max: 100, integer: true };
const AVERAGE: NumberLimit = { min: 1, max: 16, integer: true };

export const JOB_LIMITS = {
  /** Euler steps of one run. FLUX.1 Kontext [dev] is made for 28; past 100 nothing improves. */
  steps: STEPS,
  /** The distilled guidance the DiT is conditioned on (2.5 for FLUX.1 Kontext [dev]). */
  guidance: { min: 0, max: 10, integer: false },
  /** Denoising runs averaged into one result (EditJob.average). */
  average: AVERAGE,
  /** uint32: the noise generator's seed. */
  seed: { min: 0, max: 0xffffffff, integer: true },
  /** A preview every this many steps (0 = none); a job counts at most steps × average steps. */
  previewEvery: { min: 0, max: STEPS.max * AVERAGE.max, integer: true },
  /** The first-block cache's relative-L1 threshold (EditJob.firstBlockCache); 0 = off. FBCache uses 0.05–0.12. */
  firstBlockCache: { min: 0, max: 1, integer: false },
  /** Either side of the input, a reference or a mask, in pixels. Bigger exhausts memory before the model helps. */
  imageSide: { min: 8, max: 8192, integer: true },
} as const satisfies Record<string, NumberLimit>;

/**
 * The user's VRAM budget (Engine panel), GiB: what the engine may hold on the GPU at once (workers/runtime/memoryPlan.ts).
 * From 10 MiB (the tiny test bundles) to 1 TiB; unset means no budget.
 */
export const VRAM_BUDGET_GIB: NumberLimit = { min: 0.01, max: 1024, integer: false };

/** Why `value` breaks `limit` (a sentence naming `name`), or null when it is allowed. NaN and ±∞ never are. */
export function describeLimitViolation(name: string, value: unknown, limit: NumberLimit): string | null {
  const range = `${limit.min}–${limit.max}`;
  if (typeof value !== 'number' || !Number.isFinite(value))
    return `${name} must be a number (${range}), got ${String(value)}`;
  if (limit.integer && !Number.isInteger(value)) return `${name} must be a whole number (${range}), got ${value}`;
  if (value < limit.min || value > limit.max) return `${name} must be ${range}, got ${value}`;
  return null;
}

/** The allowed value nearest to `value` (rounded when fractions are refused); `fallback` for NaN. For UI inputs. */
export function clampToLimit(value: number, limit: NumberLimit, fallback = limit.min): number {
  if (Number.isNaN(value)) return fallback;
  const v = limit.integer ? Math.round(value) : value;
  return Math.min(limit.max, Math.max(limit.min, v));
}
