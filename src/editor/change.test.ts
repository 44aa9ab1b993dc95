import { describe, expect, it } from 'vitest';
import { testImage } from '../testing/fakes';
import { findUnchangedTurns, getTurnChange, isNoChange, measureChange, NO_CHANGE_SHARE } from './change';
import { addTurn, createTree } from './history/tree';
import type { NewTurn } from './history/types';

const turn = (id: string, image: string): NewTurn => ({
  id,
  createdAt: 0,
  image: { id: image, width: 20, height: 10 },
  source: '',
  instruction: id,
  params: null,
  mask: null,
  references: [],
  timing: null,
  model: null,
});

/** A copy of `image` with the RGB of its first `n` pixels changed. */
function touched(image = testImage(20, 10), n: number) {
  const data = new Uint8ClampedArray(image.data);
  for (let p = 0; p < n; p++) data[p * 4 + (p % 3)] = 255 - data[p * 4 + (p % 3)]!;
  return { ...image, data };
}

describe('change of an edit', () => {
  it('is the share of pixels whose RGB differs; alpha alone does not count', () => {
    const a = testImage(20, 10);
    expect(measureChange(a, touched(a, 50))).toBe(0.25);
    expect(measureChange(a, { ...a, data: new Uint8ClampedArray(a.data) })).toBe(0);
    const alpha = new Uint8ClampedArray(a.data);
    alpha[3] = 0;
    expect(measureChange(a, { ...a, data: alpha })).toBe(0);
    expect(measureChange(a, testImage(10, 20))).toBeNull(); // resized: no pixel-for-pixel answer
  });

  it('counts as no change below half a percent', () => {
    expect(NO_CHANGE_SHARE).toBe(0.005);
    expect(isNoChange(0)).toBe(true);
    expect(isNoChange(0.0049)).toBe(true);
    expect(isNoChange(0.005)).toBe(false);
    expect(isNoChange(null)).toBe(false);
  });

  it('finds the turns of a tree that changed nothing (not the original, not a resize)', () => {
    const root = testImage(20, 10);
    let tree = createTree(turn('root', 'i0'));
    tree = addTurn(tree, 'root', turn('same', 'i1')); // byte-identical result
    tree = addTurn(tree, 'root', turn('tiny', 'i2')); // one pixel of 200: 0.5 %, counts as a change
    tree = addTurn(tree, 'same', turn('real', 'i3'));
    tree = addTurn(tree, 'root', { ...turn('resized', 'i4'), image: { id: 'i4', width: 10, height: 20 } });
    const images = {
      i0: root,
      i1: { ...root, data: new Uint8ClampedArray(root.data) },
      i2: touched(root, 1),
      i3: touched(root, 100),
      i4: testImage(10, 20),
    };
    expect([...findUnchangedTurns(tree, images)]).toEqual(['same']);
    expect(getTurnChange(tree, images, 'tiny')).toBe(0.005);
    expect(getTurnChange(tree, images, 'root')).toBeNull();
    expect(getTurnChange(tree, { i0: root }, 'same')).toBeNull(); // an image missing: nothing to say
  });
});
