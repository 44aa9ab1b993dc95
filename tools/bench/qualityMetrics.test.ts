import { describe, expect, it } from 'vitest';
import {
  CHAIN_CAP_DB,
  computeCappedPsnr,
  computePsnr,
  isLenientSuccess,
  isStrictSuccess,
  scoreEdit,
  summarize,
  summarizeCapped,
  type CaseScore,
} from './qualityMetrics';

const image = (values: number[]) => ({
  width: values.length,
  height: 1,
  data: new Uint8ClampedArray(values.flatMap((v) => [v, v, v, 255])),
});
const mask = (bits: number[]) => Uint8Array.from(bits, (b) => (b ? 255 : 0));
const db = (mse: number) => -10 * Math.log10(mse);

/** 100 gray pixels; the edit turns the first one from black to white (the touched region). */
const input = image([0, ...Array<number>(99).fill(128)]);
const target = image([255, ...Array<number>(99).fill(128)]);
const touched = mask([1, ...Array<number>(99).fill(0)]);

describe('KontextBench-micro scoring', () => {
  it('computes PSNR over the whole image or a masked region', () => {
    const a = image([0, 0, 100, 200]);
    const b = image([0, 0, 100, 200 - 51]); // one pixel off by 0.2
    expect(computePsnr(a, b)).toBeCloseTo(db(0.04 / 4), 6);
    expect(computePsnr(a, b, mask([1, 1, 1, 0]))).toBe(100); // the differing pixel is masked out
    expect(computePsnr(a, b, mask([0, 0, 0, 1]))).toBeCloseTo(db(0.04), 6);
  });

  it('fails a no-op output strictly even though its whole-image PSNR clears 24 dB', () => {
    const noOp = scoreEdit(input, input, target, touched);
    expect(noOp.psnr).toBeCloseTo(db(1 / 100), 6); // 20 dB: one pixel in a hundred is fully wrong…
    const bigger = image([0, ...Array<number>(999).fill(128)]);
    const biggerTarget = image([255, ...Array<number>(999).fill(128)]);
    const noOpBig = scoreEdit(bigger, bigger, biggerTarget, mask([1, ...Array<number>(999).fill(0)]));
    expect(noOpBig.psnr).toBeCloseTo(30, 6); // …and 30 dB when it is one in a thousand
    expect(isLenientSuccess(noOpBig)).toBe(true);
    expect(noOpBig.regionPsnr).toBeCloseTo(0, 9); // the touched pixel is as wrong as it can be
    expect(isStrictSuccess(noOpBig, noOpBig.identity.psnr)).toBe(false);
  });

  it('needs all three: whole image ≥ 24 dB, region ≥ 20 dB and ≥ 1 dB better than the input', () => {
    const done = scoreEdit(target, input, target, touched);
    expect(done.psnr).toBe(100);
    expect(done.regionPsnr).toBe(100);
    expect(isStrictSuccess(done, done.identity.psnr)).toBe(true);
    expect(isStrictSuccess({ psnr: 30, regionPsnr: 19.9 }, 20)).toBe(false); // the edited region is wrong
    expect(isStrictSuccess({ psnr: 23.9, regionPsnr: 40 }, 10)).toBe(false); // the rest of the picture is wrong
    expect(isStrictSuccess({ psnr: 30.5, regionPsnr: 40 }, 30)).toBe(false); // within 1 dB of doing nothing
    expect(isStrictSuccess({ psnr: 31, regionPsnr: 20 }, 30)).toBe(true);
  });

  it('scores region PSNR inside the touched mask only', () => {
    const half = image([128, ...Array<number>(99).fill(0)]); // the touched pixel half way, the rest all wrong
    const s = scoreEdit(half, input, target, touched);
    expect(s.regionPsnr).toBeCloseTo(db((127 / 255) ** 2), 6);
    expect(s.identity.regionPsnr).toBeCloseTo(0, 9);
    expect(() => scoreEdit(half, input, target, mask(Array<number>(100).fill(0)))).toThrow(/empty/);
  });

  it('summarizes strict and lenient success per category and overall, identity scored the same way', () => {
    const score = (category: string, psnr: number, regionPsnr: number, identityPsnr: number): CaseScore => ({
      category,
      psnr,
      regionPsnr,
      identity: { psnr: identityPsnr, regionPsnr: 5 },
    });
    const rows = summarize([
      score('local', 30, 25, 20), // strict
      score('local', 26, 10, 25), // lenient only; identity lenient
      score('text', 24, 20, 10), // strict
    ]);
    expect(rows.map((r) => [r.category, r.cases, r.strict, r.lenient, r.identityStrict, r.identityLenient])).toEqual([
      ['local', 2, 0.5, 1, 0, 0.5],
      ['text', 1, 1, 1, 0, 0],
      ['overall', 3, 2 / 3, 1, 0, 1 / 3],
    ]);
    expect(rows[0]!.meanPsnr).toBe(28);
    expect(rows[0]!.meanRegionPsnr).toBe(17.5);
    expect(rows[0]!.identityMeanRegionPsnr).toBe(5);
  });

  it('caps chain PSNR at 60 dB and counts exact regions apart', () => {
    const a = image([10, 20, 30, 40]);
    const far = image([10, 20, 30, 140]);
    const exact = computeCappedPsnr(a, a, mask([1, 1, 1, 1]));
    expect(exact).toEqual({ psnr: CHAIN_CAP_DB, exact: true });
    const flat = image(Array<number>(20).fill(10));
    const nearly = image([11, ...Array<number>(19).fill(10)]); // one value off by one in 20 pixels: 61.1 dB
    expect(computeCappedPsnr(flat, nearly, mask(Array<number>(20).fill(1)))).toEqual({ psnr: 60, exact: false });
    expect(computeCappedPsnr(a, far, mask([1, 1, 1, 1])).psnr).toBeCloseTo(db((100 / 255) ** 2 / 4), 6);
    expect(computeCappedPsnr(a, far, mask([1, 1, 1, 0]))).toEqual({ psnr: 60, exact: true }); // the change is outside
    const summary = summarizeCapped([exact, computeCappedPsnr(a, far, mask([1, 1, 1, 1]))]);
    expect(summary.exact).toBe(1);
    expect(summary.count).toBe(2);
    expect(summary.meanPsnr).toBeCloseTo((60 + db((100 / 255) ** 2 / 4)) / 2, 6);
  });
});
