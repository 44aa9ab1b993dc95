/**
 * @file KontextBench-micro's scoring, pure: PSNR to the target (whole image or a masked region), success at
 * ≥ 24 dB, and per-category summaries beside the identity baseline (output = input).
 */
import type { RgbaImage } from '../../workers/api/types';

/** The bar for calling an edit a success (issue #5). */
export const SUCCESS_PSNR_DB = 24;

/** PSNR of the RGB channels on [0,1] over the pixels where `mask` (one byte per pixel) is ≥ 128, or all. */
export function computePsnr(a: RgbaImage, b: RgbaImage, mask?: Uint8Array): number {
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
  if (count === 0) return Infinity;
  const mse = sum / count;
  // Identical regions are capped at 100 dB so means stay finite.
  return mse === 0 ? 100 : Math.min(100, -10 * Math.log10(mse));
}

export interface CaseScore {
  category: string;
  psnr: number;
  identityPsnr: number;
}

export interface CategorySummary {
  category: string;
  cases: number;
  success: number;
  meanPsnr: number;
  identitySuccess: number;
  identityMeanPsnr: number;
}

/** Per-category success rates (0…1) and mean PSNRs, plus an 'overall' row last. */
export function summarize(scores: CaseScore[]): CategorySummary[] {
  const groups = new Map<string, CaseScore[]>();
  for (const s of scores) groups.set(s.category, [...(groups.get(s.category) ?? []), s]);
  const row = (category: string, list: CaseScore[]): CategorySummary => ({
    category,
    cases: list.length,
    success: list.filter((s) => s.psnr >= SUCCESS_PSNR_DB).length / list.length,
    meanPsnr: list.reduce((n, s) => n + s.psnr, 0) / list.length,
    identitySuccess: list.filter((s) => s.identityPsnr >= SUCCESS_PSNR_DB).length / list.length,
    identityMeanPsnr: list.reduce((n, s) => n + s.identityPsnr, 0) / list.length,
  });
  return [...[...groups].map(([c, list]) => row(c, list)), row('overall', scores)];
}
