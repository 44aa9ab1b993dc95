import { describe, expect, it } from 'vitest';
import { computePsnr, summarize } from './qualityMetrics';

const image = (values: number[]) => ({
  width: values.length,
  height: 1,
  data: new Uint8ClampedArray(values.flatMap((v) => [v, v, v, 255])),
});

describe('KontextBench-micro scoring', () => {
  it('computes PSNR over the whole image or a masked region', () => {
    const a = image([0, 0, 100, 200]);
    const b = image([0, 0, 100, 200 - 51]); // one pixel off by 0.2
    expect(computePsnr(a, b)).toBeCloseTo(-10 * Math.log10(0.04 / 4), 6);
    expect(computePsnr(a, b, Uint8Array.from([255, 255, 255, 0]))).toBe(100); // the differing pixel is masked out
    expect(computePsnr(a, b, Uint8Array.from([0, 0, 0, 255]))).toBeCloseTo(-10 * Math.log10(0.04), 6);
  });

  it('summarizes success at 24 dB per category and overall, beside the identity baseline', () => {
    const rows = summarize([
      { category: 'local', psnr: 30, identityPsnr: 20 },
      { category: 'local', psnr: 20, identityPsnr: 25 },
      { category: 'text', psnr: 24, identityPsnr: 10 },
    ]);
    expect(rows.map((r) => [r.category, r.cases, r.success, r.identitySuccess])).toEqual([
      ['local', 2, 0.5, 0.5],
      ['text', 1, 1, 0],
      ['overall', 3, 2 / 3, 1 / 3],
    ]);
    expect(rows[0]!.meanPsnr).toBe(25);
  });
});
