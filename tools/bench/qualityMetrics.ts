/**
 * @file KontextBench-micro's scoring, pure: PSNR to the target (whole image or a masked region), the strict
 * success measure and the old lenient one, per-category summaries beside the identity baseline (output = input),
 * and the capped PSNR the chain drift is reported with.
 */
import type { RgbaImage } from '../../workers/api/types';

/** The old bar (issue #5): whole-image PSNR ≥ 24 dB. Kept beside the strict one for continuity. */
export const SUCCESS_PSNR_DB = 24;

/**
 * The strict bar (issue #15). Whole-image PSNR alone counts many no-op outputs as successes, because a small
 * edit leaves most of the picture equal to the input; so the edited region itself must be close to the target,
 * and the output must be measurably closer to the target than the input was.
 */
export const STRICT = { wholePsnrDb: 24, regionPsnrDb: 20, gainDb: 1 } as const;

/** Chain drift caps each region's PSNR here, so an exactly kept region does not dominate the mean (it reads 100 dB uncapped). */
export const CHAIN_CAP_DB = 60;

/** Mean squared error of the RGB channels on [0,1] over the pixels where `mask` is ≥ 128 (all when absent). */
function meanSquaredError(a: RgbaImage, b: RgbaImage, mask?: Uint8Array): { mse: number; count: number } {
  if (a.width !== b.width || a.height !== b.height)
    throw new Error(`psnr: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
  let sum = 0;
  let count = 0;
  for (let p = 0; p < a.width * a.height; p++) {
    if (mask && mask[p]! < 128) continue;
    for (let c = 0; c < 3; c++) {
      const d = (a.data[4 * p + c]! - b.data[4 * p + c]!) / 255;
      sum += d * d;
    }
    count += 3;
  }
  return { mse: count ? sum / count : 0, count };
}

/** PSNR of the RGB channels on [0,1] over the pixels where `mask` (one byte per pixel) is ≥ 128, or all. */
export function computePsnr(a: RgbaImage, b: RgbaImage, mask?: Uint8Array): number {
  const { mse, count } = meanSquaredError(a, b, mask);
  if (count === 0) return Infinity;
  // Identical regions are capped at 100 dB so means stay finite.
  return mse === 0 ? 100 : Math.min(100, -10 * Math.log10(mse));
}

/** Region PSNR capped at `capDb`, and whether the region is byte-identical (RGB). An empty region counts as exact. */
export function computeCappedPsnr(
  a: RgbaImage,
  b: RgbaImage,
  mask: Uint8Array,
  capDb = CHAIN_CAP_DB,
): { psnr: number; exact: boolean } {
  const { mse } = meanSquaredError(a, b, mask);
  return { psnr: mse === 0 ? capDb : Math.min(capDb, -10 * Math.log10(mse)), exact: mse === 0 };
}

/** What the strict measure needs of one output: PSNR to the target over the whole image and inside the touched region. */
export interface EditPsnr {
  psnr: number;
  regionPsnr: number;
}

/** One edit's PSNRs and the input's (the identity baseline), scored against the exact target. */
export interface EditScore extends EditPsnr {
  identity: EditPsnr;
}

/** Scores `output` against `target`, beside the input (identity), over the whole image and the `touched` mask. */
export function scoreEdit(output: RgbaImage, input: RgbaImage, target: RgbaImage, touched: Uint8Array): EditScore {
  if (!touched.some((v) => v >= 128)) throw new Error('scoreEdit: the touched mask is empty');
  return {
    psnr: computePsnr(output, target),
    regionPsnr: computePsnr(output, target, touched),
    identity: { psnr: computePsnr(input, target), regionPsnr: computePsnr(input, target, touched) },
  };
}

/**
 * The strict success: whole-image PSNR ≥ 24 dB, PSNR inside the touched region ≥ 20 dB, and ≥ 1 dB closer to
 * the target than the input. `inputPsnr` is the input's whole-image PSNR to the same target.
 */
export function isStrictSuccess(output: EditPsnr, inputPsnr: number): boolean {
  return (
    output.psnr >= STRICT.wholePsnrDb &&
    output.regionPsnr >= STRICT.regionPsnrDb &&
    output.psnr >= inputPsnr + STRICT.gainDb
  );
}

/** The old measure: whole-image PSNR ≥ 24 dB. */
export function isLenientSuccess(output: EditPsnr): boolean {
  return output.psnr >= SUCCESS_PSNR_DB;
}

export interface CaseScore extends EditScore {
  category: string;
}

/** Success rates are 0…1; the identity columns score the input as if it were the output, by the same rules. */
export interface CategorySummary {
  category: string;
  cases: number;
  strict: number;
  lenient: number;
  meanPsnr: number;
  meanRegionPsnr: number;
  identityStrict: number;
  identityLenient: number;
  identityMeanPsnr: number;
  identityMeanRegionPsnr: number;
}

/** One summary row over `list`, named `category`. */
export function summarizeRow(category: string, list: CaseScore[]): CategorySummary {
  const share = (ok: (s: CaseScore) => boolean) => list.filter(ok).length / list.length;
  const mean = (value: (s: CaseScore) => number) => list.reduce((n, s) => n + value(s), 0) / list.length;
  return {
    category,
    cases: list.length,
    strict: share((s) => isStrictSuccess(s, s.identity.psnr)),
    lenient: share(isLenientSuccess),
    meanPsnr: mean((s) => s.psnr),
    meanRegionPsnr: mean((s) => s.regionPsnr),
    // Doing nothing never gains 1 dB on itself, so identity's strict success is 0 by construction; it is
    // computed, not assumed, so a change to the rules shows up here.
    identityStrict: share((s) => isStrictSuccess(s.identity, s.identity.psnr)),
    identityLenient: share((s) => isLenientSuccess(s.identity)),
    identityMeanPsnr: mean((s) => s.identity.psnr),
    identityMeanRegionPsnr: mean((s) => s.identity.regionPsnr),
  };
}

/** Per-category rows in first-seen order, plus an 'overall' row last. */
export function summarize(scores: CaseScore[]): CategorySummary[] {
  const groups = new Map<string, CaseScore[]>();
  for (const s of scores) groups.set(s.category, [...(groups.get(s.category) ?? []), s]);
  return [...[...groups].map(([c, list]) => summarizeRow(c, list)), summarizeRow('overall', scores)];
}

/** Mean capped PSNR over chains at one turn, and how many of them were exact. */
export function summarizeCapped(values: { psnr: number; exact: boolean }[]): {
  meanPsnr: number;
  exact: number;
  count: number;
} {
  return {
    meanPsnr: values.reduce((n, v) => n + v.psnr, 0) / Math.max(1, values.length),
    exact: values.filter((v) => v.exact).length,
    count: values.length,
  };
}
