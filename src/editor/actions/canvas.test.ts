import { describe, expect, it } from 'vitest';
import { createTestDeps, testImage } from '../../testing/fakes';
import { cloneMask, countRepaint, stampDab } from '../mask';
import { createStudioStore } from '../store';

async function setup() {
  const store = createStudioStore(createTestDeps().deps);
  await store.getState().boot();
  store.getState().openImage('a.png', testImage(32, 32));
  return () => store.getState();
}

/** One stroke the way the brush tool makes it: a dab on the draft mask, then the commit with the mask before it. */
function stroke(s: Awaited<ReturnType<typeof setup>>, x: number, mode: 'paint' | 'erase' = 'paint') {
  const mask = s().ensureMask()!,
    before = cloneMask(mask);
  stampDab(mask, x, 16, 6, 0, mode);
  s().maskPainted();
  s().maskCommitted(before);
}

describe('mask undo steps are visible changes only', () => {
  it('a stroke that changed no pixel is not an undo step: Ctrl+Z goes on to what the user can see', async () => {
    const s = await setup();
    stroke(s, 8, 'erase'); // erasing an empty mask
    expect(s().maskHistory.undo).toHaveLength(0);
    expect(s().undoMask()).toBe(false);
    stroke(s, 8);
    stroke(s, 8); // the same dab again: nothing new
    expect(s().maskHistory.undo).toHaveLength(1);
    const revision = s().revision;
    stroke(s, 8);
    expect(s().revision).toBe(revision); // nothing to save either
    expect(s().undoMask()).toBe(true);
    expect(countRepaint(s().mask!)).toBe(0);
  });

  it('painting, undo and redo show a hidden overlay, so no mask change happens out of sight', async () => {
    const s = await setup();
    s().toggleOverlay();
    expect(s().overlayVisible).toBe(false);
    stroke(s, 8);
    expect(s().overlayVisible).toBe(true);
    s().toggleOverlay();
    expect(s().undoMask()).toBe(true);
    expect(s().overlayVisible).toBe(true);
    s().toggleOverlay();
    expect(s().redoMask()).toBe(true);
    expect(s().overlayVisible).toBe(true);
  });
});
