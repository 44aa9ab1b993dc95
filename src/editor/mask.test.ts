import { describe, expect, it } from 'vitest';
import { countRepaint, createMask, invertMask, isMaskEmpty, stampDab, strokeSegment } from './mask';

const at = (m: { width: number; data: Uint8Array }, x: number, y: number) => m.data[y * m.width + x];

describe('mask', () => {
  it('paints a hard round dab of the given diameter', () => {
    const m = createMask(32, 32);
    stampDab(m, 16, 16, 10, 0, 'paint');
    expect(at(m, 16, 16)).toBe(255);
    expect(at(m, 12, 16)).toBe(255); // 3.5 px from centre, inside r = 5
    expect(at(m, 21, 16)).toBe(0); // 5.5 px away
    expect(countRepaint(m)).toBeGreaterThan(60);
    expect(countRepaint(m)).toBeLessThan(100); // ≈ π·25 = 78
  });

  it('feathers the rim: full in the core, fading outwards, never above full', () => {
    const m = createMask(64, 64);
    stampDab(m, 32, 32, 40, 0.5, 'paint');
    expect(at(m, 32, 32)).toBe(255);
    const rim = at(m, 32 + 15, 32);
    expect(rim).toBeGreaterThan(0);
    expect(rim).toBeLessThan(255);
    stampDab(m, 32, 32, 40, 0.5, 'paint');
    expect(at(m, 47, 32)).toBe(rim); // painting twice does not overshoot
  });

  it('erases, strokes without gaps, inverts', () => {
    const m = createMask(64, 16);
    strokeSegment(m, { x: 4, y: 8 }, { x: 60, y: 8 }, 6, 0, 'paint');
    for (let x = 4; x <= 60; x++) expect(at(m, x, 8)).toBe(255);
    stampDab(m, 30, 8, 8, 0, 'erase');
    expect(at(m, 30, 8)).toBe(0);
    const inv = invertMask(m);
    expect(at(inv, 30, 8)).toBe(255);
    expect(at(inv, 10, 8)).toBe(0);
    expect(isMaskEmpty(createMask(4, 4))).toBe(true);
    expect(isMaskEmpty(null)).toBe(true);
  });
});
