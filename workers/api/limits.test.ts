import { describe, expect, it } from 'vitest';
import { clampToLimit, describeLimitViolation, JOB_LIMITS } from './limits';

describe('describeLimitViolation', () => {
  it('allows the ends of the range and refuses NaN, infinities, fractions and values outside', () => {
    const { steps, guidance } = JOB_LIMITS;
    expect(describeLimitViolation('steps', steps.min, steps)).toBeNull();
    expect(describeLimitViolation('steps', steps.max, steps)).toBeNull();
    expect(describeLimitViolation('guidance', 2.5, guidance)).toBeNull();
    expect(describeLimitViolation('steps', 0, steps)).toBe('steps must be 1–100, got 0');
    expect(describeLimitViolation('steps', 2.5, steps)).toBe('steps must be a whole number (1–100), got 2.5');
    expect(describeLimitViolation('guidance', Number.NaN, guidance)).toBe('guidance must be a number (0–10), got NaN');
    expect(describeLimitViolation('guidance', Infinity, guidance)).toMatch(/must be a number/);
    expect(describeLimitViolation('guidance', '2', guidance)).toMatch(/must be a number/);
  });
});

describe('clampToLimit', () => {
  it('gives the nearest allowed value, rounded where fractions are refused, and the fallback for NaN', () => {
    const { steps, guidance, average } = JOB_LIMITS;
    expect(clampToLimit(1000, steps)).toBe(steps.max);
    expect(clampToLimit(-3, guidance)).toBe(0);
    expect(clampToLimit(2.25, guidance)).toBe(2.25);
    expect(clampToLimit(2.6, average)).toBe(3);
    expect(clampToLimit(Number.NaN, average)).toBe(average.min);
    expect(clampToLimit(Number.NaN, guidance, 2.5)).toBe(2.5);
    expect(clampToLimit(Infinity, steps)).toBe(steps.max);
  });
});
