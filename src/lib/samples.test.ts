import { describe, expect, it } from 'vitest';
import { COLORS, renderScene, SAMPLES } from './samples';

const pixel = (img: { width: number; data: Uint8ClampedArray }, x: number, y: number) =>
  Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));

describe('samples', () => {
  it('draws shapes in their cells over the background, opaque', () => {
    const img = renderScene(SAMPLES[0]!.scene, 96);
    expect(img.width).toBe(96);
    expect(pixel(img, 16, 48)).toEqual([...COLORS.red, 255]); // the red circle, centre of cell (0, 1)
    expect(pixel(img, 80, 80)).toEqual([...COLORS.pink, 255]); // empty cell (2, 2): background
    expect(pixel(img, 80, 16)).toEqual([...COLORS.yellow, 255]); // the star's centre
  });

  it('is deterministic and every sample suggests instructions', () => {
    for (const s of SAMPLES) {
      expect(Array.from(renderScene(s.scene, 64).data)).toEqual(Array.from(renderScene(s.scene, 64).data));
      expect(s.suggestions.length).toBeGreaterThanOrEqual(3);
    }
  });

  it('writes text glyphs in the text colour', () => {
    const img = renderScene(SAMPLES[1]!.scene, 128);
    let white = 0;
    for (let y = 86; y < 128; y++) for (let x = 0; x < 128; x++) if (pixel(img, x, y)[0] === COLORS.white[0]) white++;
    expect(white).toBeGreaterThan(60);
  });
});
