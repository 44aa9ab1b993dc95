import { describe, expect, it } from 'vitest';
import { createTestDeps, testImage } from '../../testing/fakes';
import { selectSnapshot } from '../selectors';
import { createStudioStore } from '../store';

async function setup() {
  const store = createStudioStore(createTestDeps().deps);
  await store.getState().boot();
  return () => store.getState();
}

describe('session actions', () => {
  it('a dropped image asks first when a session is open, then becomes a reference or a session', async () => {
    const s = await setup();
    s().offerImage('a.png', testImage());
    expect(s().tree).not.toBeNull();
    const first = s().sessionId;
    s().offerImage('b.png', testImage(8, 8));
    expect(s().pendingImage?.name).toBe('b.png');
    s().resolvePendingImage('reference');
    expect(s().references).toHaveLength(1);
    expect(s().sessionId).toBe(first);
    s().offerImage('c.png', testImage(9, 9));
    s().resolvePendingImage('session');
    expect(s().sessionId).not.toBe(first);
    expect(s().sessionName).toBe('c');
    s().offerImage('d.png', testImage());
    s().resolvePendingImage(null);
    expect(s().pendingImage).toBeNull();
    expect(s().sessionName).toBe('c');
  });

  it('a new session starts with an empty instruction, not the one written for the previous image', async () => {
    const s = await setup();
    s().openImage('a.png', testImage());
    s().setPrompt({ text: 'make the sky purple' });
    s().openImage('b.png', testImage());
    expect(s().prompt.text).toBe('');
    expect(selectSnapshot(s())!.draft.prompt).toBe('');
  });

  it('deleting a branch drops its images but keeps what other turns and the draft use', async () => {
    const s = await setup();
    s().openImage('a.png', testImage());
    s().addReference('r', testImage(8, 8));
    s().setPrompt({ text: 'one' });
    await s().generate();
    const t1 = s().tree!.currentId;
    s().setPrompt({ text: 'two' });
    await s().generate();
    const imagesBefore = Object.keys(s().images).length;
    s().deleteBranch(t1);
    expect(Object.keys(s().tree!.nodes)).toHaveLength(1);
    expect(Object.keys(s().images)).toHaveLength(imagesBefore - 2); // both results; the reference stays (draft)
    expect(s().images[s().references[0]!.id]).toBeDefined();
  });

  it('renames, and refuses blank names', async () => {
    const s = await setup();
    s().openImage('a.png', testImage());
    s().renameSession('  Winter  ');
    expect(s().sessionName).toBe('Winter');
    s().renameSession('   ');
    expect(s().sessionName).toBe('Winter');
  });
});
