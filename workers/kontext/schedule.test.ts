import { describe, expect, it } from 'vitest';
import { computeMu, FLUX_SHIFT, getSchedule, shiftTime, truncateSchedule } from './schedule';

// docs/kontext-spec.md §5 test vector: N = 28, L = 4096 (1024² target), μ = 1.15, rounded to 4 decimals.
const SPEC_28 = [
  1.0, 0.9884, 0.9762, 0.9634, 0.9499, 0.9356, 0.9205, 0.9045, 0.8876, 0.8696, 0.8504, 0.83, 0.8081, 0.7847, 0.7595,
  0.7324, 0.7031, 0.6714, 0.637, 0.5994, 0.5582, 0.5128, 0.4627, 0.4071, 0.3448, 0.2748, 0.1955, 0.1047, 0.0,
];

describe('computeMu', () => {
  it('is 0.5 at 256 and 1.15 at 4096 target tokens (1024² target)', () => {
    expect(computeMu(256)).toBeCloseTo(0.5, 12);
    expect(computeMu(4096)).toBeCloseTo(1.15, 12);
  });

  it('matches the spec line 1.6927e-4·L + 0.456667 and is not clamped', () => {
    for (const len of [16, 1024, 4150, 8192]) expect(computeMu(len)).toBeCloseTo(1.6927e-4 * len + 0.456667, 4);
    expect(computeMu(8192)).toBeGreaterThan(1.15);
  });

  it('takes a bundle-specific line', () => {
    const cfg = { baseShift: 0, maxShift: 1, baseSeqLen: 0, maxSeqLen: 100 };
    expect(computeMu(25, cfg)).toBeCloseTo(0.25, 12);
  });
});

describe('getSchedule', () => {
  it('reproduces the 28-step spec vector within 1e-4', () => {
    const ts = getSchedule(28, 4096);
    expect(ts).toHaveLength(29);
    ts.forEach((t, k) => expect(Math.abs(t - SPEC_28[k]!)).toBeLessThan(1e-4));
  });

  it('starts at exactly 1, ends at exactly 0 and strictly decreases', () => {
    for (const [steps, len] of [
      [1, 64],
      [4, 256],
      [30, 4150],
      [7, 16],
    ] as const) {
      const ts = getSchedule(steps, len);
      expect(ts[0]).toBe(1);
      expect(ts[steps]).toBe(0);
      for (let k = 1; k <= steps; k++) expect(ts[k]).toBeLessThan(ts[k - 1]!);
    }
  });

  it('is the plain linear grid when μ = 0', () => {
    const linear = { ...FLUX_SHIFT, baseShift: 0, maxShift: 0 };
    const ts = getSchedule(4, 1000, linear);
    [1, 0.75, 0.5, 0.25, 0].forEach((t, k) => expect(ts[k]).toBeCloseTo(t, 12));
  });

  it('shifts towards noise for a positive μ (more time spent near t = 1)', () => {
    expect(shiftTime(0.5, 1.15)).toBeCloseTo(Math.exp(1.15) / (Math.exp(1.15) + 1), 12);
    expect(shiftTime(0.5, 1.15)).toBeGreaterThan(0.5);
  });

  it('rejects a bad step count', () => {
    expect(() => getSchedule(0, 4096)).toThrow();
    expect(() => getSchedule(2.5, 4096)).toThrow();
  });
});

describe('truncateSchedule', () => {
  it('keeps the last trunc(N·strength) steps like diffusers get_timesteps', () => {
    const ts = getSchedule(28, 4096);
    expect(truncateSchedule(ts, 1)).toEqual(ts);
    // 28 − 25.2 = 2.8 → start index 2, 26 steps left
    expect(truncateSchedule(ts, 0.9)).toEqual(ts.slice(2));
    expect(truncateSchedule(ts, 0)).toEqual([0]);
    expect(() => truncateSchedule(ts, 1.5)).toThrow();
  });
});
