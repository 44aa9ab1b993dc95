import { describe, expect, it, vi } from 'vitest';
import { createFakeEngine, createTestDeps, testImage } from '../testing/fakes';
import { selectImagesPrepared } from './prepareImages';
import { createStudioStore } from './store';

async function setup() {
  const engine = createFakeEngine();
  const store = createStudioStore(createTestDeps(engine).deps);
  await store.getState().boot();
  await vi.waitFor(() => expect(store.getState().preparedBundle).not.toBeNull());
  return { store, engine, s: () => store.getState() };
}

describe('images are encoded while the user writes the prompt', () => {
  it('sends the opened image once, then the edit result and the references, and says when they are encoded', async () => {
    const { s, engine } = await setup();
    expect(engine.prepared).toEqual([]); // nothing open, nothing to encode
    s().openImage('a.png', testImage(16, 12));
    await vi.waitFor(() => expect(selectImagesPrepared(s())).toBe(true));
    expect(engine.prepared.map((set) => set.map((i) => i.width))).toEqual([[16]]);

    s().setPrompt({ text: 'typing does not encode again' });
    s().addReference('r.png', testImage(8, 8));
    await vi.waitFor(() => expect(engine.prepared).toHaveLength(2));
    expect(engine.prepared[1]!.map((i) => i.width)).toEqual([16, 8]);

    engine.hold = true;
    const edit = s().generate();
    await vi.waitFor(() => expect(s().job).not.toBeNull());
    expect(selectImagesPrepared(s())).toBe(false); // not while an edit runs: it would wait behind it
    engine.release();
    await edit;
    // The result is the next edit's input: it is encoded before the user asks for that edit.
    await vi.waitFor(() => expect(engine.prepared).toHaveLength(3));
    expect(engine.prepared[2]![0]!.data[0]).toBe(255 - testImage(16, 12).data[0]!);
    await vi.waitFor(() => expect(selectImagesPrepared(s())).toBe(true));
  });

  it('does not claim images are encoded when the engine did nothing or failed', async () => {
    const { s, engine } = await setup();
    engine.prepareImages = async () => false;
    s().openImage('a.png', testImage());
    await new Promise((r) => setTimeout(r, 10));
    expect(selectImagesPrepared(s())).toBe(false);
    engine.prepareImages = async () => {
      throw new Error('encoder failed');
    };
    s().openImage('b.png', testImage(8, 8));
    await new Promise((r) => setTimeout(r, 10));
    expect(selectImagesPrepared(s())).toBe(false);
    expect(s().notice).toBeNull(); // the edit reports a real failure, not this
  });
});
