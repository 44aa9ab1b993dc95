import { describe, expect, it } from 'vitest';
import { getGroupNormStats, runStagedDecoder, type DecoderStage, type StageFeeds } from './stagedDecode';

/** Deterministic values with a per-channel offset, so groups differ in mean and spread. */
const makeValues = (n: number, perChannel: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.731) * (1 + (i % 5)) + Math.floor(i / perChannel) * 0.5);

describe('getGroupNormStats', () => {
  it('reduces per-tile float32 channel sums to the two-pass mean and variance of each group', () => {
    const [C, H, W, groups, epsilon] = [8, 9, 7, 2, 1e-6];
    const x = makeValues(C * H * W, H * W);
    // Per-tile sums as a stage graph returns them (float32), over three row bands, added up in float64.
    const sum = new Float64Array(C);
    const squares = new Float64Array(C);
    const bands: [number, number][] = [
      [0, 3],
      [3, 5],
      [5, 9],
    ];
    for (const [y0, y1] of bands) {
      const tileSum = new Float32Array(C);
      const tileSquares = new Float32Array(C);
      for (let c = 0; c < C; c++)
        for (let p = y0 * W; p < y1 * W; p++) {
          const v = x[c * H * W + p]!;
          tileSum[c] = tileSum[c]! + v;
          tileSquares[c] = tileSquares[c]! + v * v;
        }
      for (let c = 0; c < C; c++) [sum[c], squares[c]] = [sum[c]! + tileSum[c]!, squares[c]! + tileSquares[c]!];
    }
    const { mean, rstd } = getGroupNormStats(sum, squares, H * W, { groups, epsilon });
    const per = (C / groups) * H * W;
    for (let g = 0; g < groups; g++) {
      const values = Array.from(x.subarray(g * per, (g + 1) * per));
      const m = values.reduce((a, v) => a + v, 0) / per;
      const variance = values.reduce((a, v) => a + (v - m) ** 2, 0) / per;
      for (let c = (g * C) / groups; c < ((g + 1) * C) / groups; c++) {
        expect(mean[c]).toBeCloseTo(m, 5);
        expect(rstd[c]! * Math.sqrt(variance + epsilon)).toBeCloseTo(1, 5);
      }
    }
    expect(mean[0]).not.toBeCloseTo(mean[C - 1]!, 1); // the groups really differ
  });

  it('refuses channels that do not split into the groups', () => {
    expect(() => getGroupNormStats(new Float64Array(6), new Float64Array(6), 4, { groups: 4, epsilon: 1 })).toThrow(
      /6 channels do not split into 4 groups/,
    );
  });
});

/**
 * A stand-in stage in plain TypeScript: optional norm with the fed statistics, nearest ×`upscale`, a 3×3 box sum
 * with zero padding (a conv with halo 1), plus `skip` upsampled alike; returns the core and its sums.
 */
function runBoxStage(stage: DecoderStage, feeds: StageFeeds) {
  const [, C, h, w] = feeds.x.dims;
  const u = stage.upscale;
  const [H, W] = [h * u, w * u];
  const at = (t: Float32Array, c: number, y: number, x: number) =>
    t[(c * h + Math.floor(y / u)) * w + Math.floor(x / u)]!;
  const input = (c: number, y: number, x: number) => {
    const v = at(feeds.x.data, c, y, x);
    return feeds.norm ? (v - feeds.norm.mean[c]!) * feeds.norm.rstd[c]! : v;
  };
  const [y0, x0] = feeds.coreStart;
  const [oh, ow] = [feeds.coreEnd[0] - y0, feeds.coreEnd[1] - x0];
  const y = new Float32Array(C * oh * ow);
  const sum = new Float32Array(C);
  const sumSquares = new Float32Array(C);
  for (let c = 0; c < C; c++)
    for (let r = 0; r < oh; r++)
      for (let q = 0; q < ow; q++) {
        let v = feeds.skip ? at(feeds.skip.data, c, y0 + r, x0 + q) : 0;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const [yy, xx] = [y0 + r + dy, x0 + q + dx];
            if (yy >= 0 && yy < H && xx >= 0 && xx < W) v += input(c, yy, xx);
          }
        y[(c * oh + r) * ow + q] = v;
        sum[c] = sum[c]! + v;
        sumSquares[c] = sumSquares[c]! + v * v;
      }
  return Promise.resolve({ y, sum, sumSquares });
}

describe('runStagedDecoder', () => {
  const C = 4;
  const base = { halo: 1, whole: false, channels: C, upscale: 1 };
  const norm = { groups: 2, epsilon: 1e-6 };
  const stages: DecoderStage[] = [
    { ...base, output: 'a', input: 'latent' },
    { ...base, output: 'b', input: 'a', norm },
    { ...base, output: 'c', input: 'b', skip: 'a', norm },
    { ...base, output: 'd', input: 'c', norm, upscale: 2 },
    { ...base, output: 'e', input: 'd', norm, halo: 0, whole: true },
    { ...base, output: 'f', input: 'e', norm },
  ];
  const [h, w] = [7, 10];
  const latent = { data: makeValues(C * h * w, h * w), channels: C, height: h, width: w };
  const run = (i: number, feeds: StageFeeds) => runBoxStage(stages[i]!, feeds);

  it('gives the whole-picture result whatever the tile: halos, cores, skips, norms and upscaling line up', async () => {
    const whole = await runStagedDecoder(stages, run, latent, Math.max(h, w));
    expect(whole.length).toBe(C * h * 2 * w * 2);
    for (const tile of [1, 3, 4]) {
      const tiled = await runStagedDecoder(stages, run, latent, tile);
      let error = 0;
      for (let i = 0; i < whole.length; i++) error = Math.max(error, Math.abs(tiled[i]! - whole[i]!));
      expect(error, `tile ${tile}`).toBeLessThanOrEqual(1e-4);
    }
  });

  it('differs when a stage drops its halo (the test can fail)', async () => {
    const noHalo = stages.map((s) => ({ ...s, halo: 0 }));
    const run0 = (i: number, feeds: StageFeeds) => runBoxStage(noHalo[i]!, feeds);
    const whole = await runStagedDecoder(noHalo, run0, latent, Math.max(h, w));
    const tiled = await runStagedDecoder(noHalo, run0, latent, 3);
    expect(Math.max(...whole.map((v, i) => Math.abs(v - tiled[i]!)))).toBeGreaterThan(0.1);
  });
});
