import { describe, expect, it } from 'vitest';
import { actualSize, fitViewport, screenToImage, stepZoom, zoomAt, ZOOM_STEPS } from './viewport';

const view = { width: 800, height: 600 };

describe('viewport', () => {
  it('fits and centres an image', () => {
    const vp = fitViewport({ width: 1000, height: 500 }, view, 0);
    expect(vp.zoom).toBeCloseTo(0.8);
    expect(vp).toMatchObject({ panX: 0, panY: 100 });
    expect(fitViewport({ width: 4, height: 4 }, view).zoom).toBe(16); // tiny images stop at 16×
  });

  it('zooms about the pointer: the image point under it stays put', () => {
    const vp = { zoom: 2, panX: 10, panY: 20 };
    const before = screenToImage(vp, 300, 200);
    const after = screenToImage(zoomAt(vp, 1.5, 300, 200), 300, 200);
    expect(after.x).toBeCloseTo(before.x);
    expect(after.y).toBeCloseTo(before.y);
  });

  it('steps through the zoom stops and clamps at the ends', () => {
    let vp = actualSize({ width: 100, height: 100 }, view);
    expect(vp).toEqual({ zoom: 1, panX: 350, panY: 250 });
    vp = stepZoom(vp, 1, view);
    expect(vp.zoom).toBe(1.5);
    vp = stepZoom(stepZoom(vp, -1, view), -1, view);
    expect(vp.zoom).toBeCloseTo(2 / 3);
    for (let i = 0; i < 40; i++) vp = stepZoom(vp, 1, view);
    expect(vp.zoom).toBe(ZOOM_STEPS[ZOOM_STEPS.length - 1]);
  });
});
