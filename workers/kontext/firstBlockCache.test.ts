import { describe, expect, it } from 'vitest';
import { FirstBlockCache, relativeL1 } from './firstBlockCache';

const f = (...v: number[]) => new Float32Array(v);

describe('relativeL1', () => {
  it('is Σ|a − b| / Σ|b|', () => {
    expect(relativeL1(f(1, 2, 3), f(1, 2, 3))).toBe(0);
    expect(relativeL1(f(1.5, -2, 3), f(1, -2, 2))).toBeCloseTo(1.5 / 5, 12);
  });
  it('is Infinity with nothing to compare against', () => {
    expect(relativeL1(f(1), f(0))).toBe(Infinity);
    expect(relativeL1(f(1, 2), f(1))).toBe(Infinity);
  });
});

describe('FirstBlockCache', () => {
  it('never skips the first step: nothing is cached yet', () => {
    const cache = new FirstBlockCache(1);
    expect(cache.decide(f(1, 1))).toBe(false);
    expect(cache.stats).toEqual({ computed: 1, skipped: 0 });
  });

  it('skips while the residual stays within the threshold of the last computed step', () => {
    const cache = new FirstBlockCache(0.1);
    expect(cache.decide(f(10, 10))).toBe(false);
    cache.store(f(10, 10), f(1, 2), f(4, 8));
    expect(cache.decide(f(10.5, 10))).toBe(true); // 0.5 / 20 = 0.025
    expect(cache.decide(f(11.5, 10))).toBe(true); // 0.075: compared with the stored step, not the last skipped one
    expect(cache.decide(f(12.5, 10))).toBe(false); // 0.125
    expect(cache.stats).toEqual({ computed: 2, skipped: 2 });
  });

  it('compares with the newest stored step', () => {
    const cache = new FirstBlockCache(0.1);
    cache.decide(f(10, 10));
    cache.store(f(10, 10), f(0, 0), f(1, 1));
    expect(cache.decide(f(14, 10))).toBe(false);
    cache.store(f(14, 10), f(0, 0), f(1, 1));
    expect(cache.decide(f(14, 11))).toBe(true); // 1 / 24 against the new one; 5 / 20 against the old
  });

  it('threshold 0 never skips', () => {
    const cache = new FirstBlockCache(0);
    cache.decide(f(1));
    cache.store(f(1), f(0), f(0));
    expect(cache.decide(f(1))).toBe(false);
  });

  it('adds the remaining blocks residual of the stored step to a new first-block output', () => {
    const cache = new FirstBlockCache(0.1);
    expect(() => cache.apply(f(1, 2))).toThrow(/empty/);
    cache.store(f(1, 1), f(1, 2), f(4, 8)); // the remaining blocks added (3, 6)
    expect([...cache.apply(f(10, 20))]).toEqual([13, 26]);
    expect(() => cache.apply(f(1))).toThrow(/empty/);
  });

  it('refuses a negative or non-finite threshold', () => {
    expect(() => new FirstBlockCache(-0.1)).toThrow(RangeError);
    expect(() => new FirstBlockCache(NaN)).toThrow(RangeError);
  });
});
