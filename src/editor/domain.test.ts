import { describe, expect, it } from 'vitest';
import { measureFlatShare } from '../lib/imageDomain';
import { renderScene, SAMPLES } from '../lib/samples';
import { createFakeEngine, createTestDeps, photoLikeImage, TEST_BUNDLE } from '../testing/fakes';
import { selectOutsideDomain } from './domain';
import { createStudioStore } from './store';

const DRAWINGS = {
  description: 'simple drawings, 64×64',
  minFlatShare: 0.6,
  measureSize: [64, 64] as [number, number],
};

describe('the input domain note', () => {
  it('names the active model while the current image is outside its domain, and only then', async () => {
    const engine = createFakeEngine();
    engine.bundles = [{ ...TEST_BUNDLE, domain: DRAWINGS }];
    const store = createStudioStore(createTestDeps(engine).deps);
    await store.getState().boot();
    const s = () => store.getState();
    expect(selectOutsideDomain(s())).toBeNull(); // no image

    s().openImage('photo.png', photoLikeImage(640, 480, 12));
    expect(selectOutsideDomain(s())?.id).toBe(TEST_BUNDLE.id);
    expect(selectOutsideDomain(s())).toBe(selectOutsideDomain(s())); // stable: hooks re-render only on change

    s().openImage('sample.png', renderScene(SAMPLES[0]!.scene, 128));
    expect(selectOutsideDomain(s())).toBeNull();

    s().openImage('photo.png', photoLikeImage(640, 480, 12));
    engine.bundles = [{ ...TEST_BUNDLE, domain: null }]; // a model that takes any image (FLUX)
    await s().refreshBundles();
    expect(selectOutsideDomain(s())).toBeNull();
  });
});

describe('flat share, as kontext-micro sees an image (64×64)', () => {
  it('every gallery sample is mostly flat', () => {
    for (const s of SAMPLES) expect(measureFlatShare(renderScene(s.scene, 128), [64, 64]), s.id).toBeGreaterThan(0.9);
  });

  it('a photo-like image is not, whatever its size, once shrunk to the native size', () => {
    for (const [w, h, noise] of [
      [640, 480, 12],
      [64, 64, 20],
      [1200, 800, 40],
    ] as const)
      expect(measureFlatShare(photoLikeImage(w, h, noise), [64, 64]), `${w}×${h}`).toBeLessThan(0.1);
  });

  it('a flat image is flat, and a small image is measured as it is', () => {
    const flat = { width: 300, height: 200, data: new Uint8ClampedArray(4 * 300 * 200).fill(200) };
    expect(measureFlatShare(flat, [64, 64])).toBeGreaterThan(0.999); // all but the corner, which has no right or lower neighbour
    const pair = { width: 2, height: 1, data: new Uint8ClampedArray([0, 0, 0, 255, 255, 255, 255, 255]) };
    expect(measureFlatShare(pair, [64, 64])).toBe(0);
    pair.data[4] = pair.data[5] = pair.data[6] = 0; // the first pixel now has its right neighbour's colour
    expect(measureFlatShare(pair, [64, 64])).toBe(0.5);
  });
});
