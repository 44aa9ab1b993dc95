import { describe, expect, it, vi } from 'vitest';
import type { EditJob, RgbaImage } from '../../../workers/api';
import { createFakeEngine, createTestDeps, testImage } from '../../testing/fakes';
import { findUnchangedTurns } from '../change';
import { cloneMask, stampDab } from '../mask';
import { createStudioStore } from '../store';

/**
 * A store whose fake engine returns the input untouched for the seeds in `noop` (and changes `pixels` pixels of it
 * for the seeds in `tiny`); other seeds invert colours as usual.
 */
async function setup(noop: number[], tiny: Record<number, number> = {}) {
  const engine = createFakeEngine();
  const invert = engine.edit.bind(engine);
  engine.edit = async (job: EditJob, onProgress) => {
    const result = await invert(job, onProgress);
    if (noop.includes(job.seed)) return { ...result, image: job.image };
    const n = tiny[job.seed];
    if (n === undefined) return result;
    const data = new Uint8ClampedArray(job.image.data);
    for (let p = 0; p < n; p++) data[p * 4] = 255 - data[p * 4]!;
    return { ...result, image: { ...job.image, data } satisfies RgbaImage };
  };
  const store = createStudioStore(createTestDeps(engine).deps);
  await store.getState().boot();
  store.getState().openImage('a.png', testImage(20, 20));
  return Object.assign(() => store.getState(), { engine });
}

describe('an edit that changed nothing', () => {
  it('is recorded as a turn, marked, and reported with what to try', async () => {
    const s = await setup([5]);
    s().setPrompt({ text: 'add the word HELLO', seedMode: 'locked', seed: 5, steps: 2 });
    await s().generate();
    const turn = s().tree!.nodes[s().tree!.currentId]!;
    expect(turn.instruction).toBe('add the word HELLO'); // kept: it is a real result, just an unhelpful one
    expect([...findUnchangedTurns(s().tree!, s().images)]).toEqual([turn.id]);
    expect(s().notice?.severity).toBe('warning');
    expect(s().notice?.text).toBe(
      'Turn 1 changed no pixels. It is kept in the history, marked “no change”. Try rephrasing the instruction, ' +
        'a mask painted over what should change, more steps (it used 2), or a bigger model.',
    );
  });

  it('counts under 0.5 % of the pixels as no change, and suggests a bigger mask after a masked edit', async () => {
    const s = await setup([], { 7: 1, 8: 2 }); // 1 of 400 pixels is 0.25 %; 2 of 400 is 0.5 %, a change
    const mask = s().ensureMask()!,
      before = cloneMask(mask);
    stampDab(mask, 10, 10, 8, 0, 'paint');
    s().maskCommitted(before);
    s().setPrompt({ text: 'make the sky pink', seedMode: 'locked', seed: 7 });
    await s().generate();
    expect(s().notice?.text).toMatch(/^Turn 1 changed almost nothing \(under 0\.5 % of the pixels\)\..*a bigger mask/);
    s().undo();
    s().setPrompt({ seed: 8 });
    await s().generate();
    expect(s().notice).toBeNull();
  });

  it('names how many variations of one Generate changed nothing', async () => {
    const s = await setup([100, 101, 102, 200]);
    s().setPrompt({ text: 'add snow', count: 3, seed: 100, seedMode: 'locked' });
    await s().generate();
    expect(s().notice?.text).toMatch(/^All 3 variations changed no pixels\. They are kept in the history/);
    s().undo();
    s().setPrompt({ count: 2, seed: 199 }); // 199 inverts, 200 changes nothing
    await s().generate();
    expect(s().notice?.text).toMatch(/^1 of 2 variations changed no pixels\./);
  });

  it('says nothing when every edit changed something, or when the run was cancelled', async () => {
    const s = await setup([1]);
    s().setPrompt({ text: 'make it red', seedMode: 'locked', seed: 2 });
    await s().generate();
    expect(s().notice).toBeNull();
    s().setPrompt({ count: 2, seed: 1 }); // the first changes nothing, the second is cancelled
    s.engine.hold = true;
    const edit = s().generate();
    await vi.waitFor(() => expect(s().job?.progress).not.toBeNull());
    s.engine.release();
    await vi.waitFor(() => expect(s().job?.variation.index).toBe(2));
    await s().cancel();
    await edit;
    expect(Object.keys(s().tree!.nodes)).toHaveLength(3); // the original, the red turn, the no-change turn
    expect(s().notice?.text).toMatch(/cancelled/i); // the cancel is what the user needs to hear
  });
});
