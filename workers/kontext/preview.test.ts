import { describe, expect, it } from 'vitest';
import { mapLatentsToRgb } from './preview';

describe('mapLatentsToRgb', () => {
  it('applies M·z + b per latent pixel, clamps, and repeats it over the f×f block', () => {
    // Z = 2, h = 1, w = 2: pixel 0 has z = (1, 0), pixel 1 has z = (0, 2).
    const latents = new Float32Array([1, 0, 0, 2]);
    const map = { matrix: [0.5, 0, 0, 0.25, 1, 1], bias: [0, 0.1, -0.5] };
    const out = mapLatentsToRgb(latents, 2, 1, 2, map, 2);
    expect(out.length).toBe(3 * 2 * 4);
    const at = (c: number, y: number, x: number) => out[c * 8 + y * 4 + x];
    expect([at(0, 0, 0), at(0, 1, 1), at(0, 0, 2)]).toEqual([0.5, 0.5, 0]);
    expect(at(1, 1, 3)).toBeCloseTo(0.6);
    expect(at(2, 0, 0)).toBeCloseTo(0.5);
    expect(at(2, 0, 3)).toBe(1); // 2 − 0.5 = 1.5, clamped
  });
});
