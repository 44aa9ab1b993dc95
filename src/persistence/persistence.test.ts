import { describe, expect, it, vi } from 'vitest';
import { cloneMask, stampDab } from '../editor/mask';
import { selectSnapshot } from '../editor/selectors';
import { createStudioStore } from '../editor/store';
import { readPngText } from '../lib/png';
import { createTestDeps, testImage } from '../testing/fakes';
import { startAutosave } from './autosave';
import { decodeImageBlob } from './codec';
import { CHAIN_KEY, exportPngWithChain } from './exportPng';
import { exportSessionFile, importSessionFile, SessionFileError } from './sessionFile';

/** A session with two turns and a branch, a turn mask, two references and a painted draft mask. */
async function buildSession() {
  const t = createTestDeps();
  const store = createStudioStore(t.deps);
  await store.getState().boot();
  const s = () => store.getState();
  s().openImage('street.png', testImage(24, 16));
  s().addReference('ref-a', testImage(8, 8));
  const mask = s().ensureMask()!;
  const empty = cloneMask(mask);
  stampDab(mask, 5, 5, 6, 0, 'paint');
  s().maskCommitted(empty);
  s().setPrompt({ text: 'make the car red' });
  await s().generate();
  const t1 = s().tree!.currentId;
  s().setPrompt({ text: 'add snow' });
  await s().generate();
  s().selectTurn(t1);
  s().setPrompt({ text: 'now at night' });
  await s().generate();
  s().addReference('ref-b', testImage(12, 10));
  const draft = s().ensureMask()!,
    before = cloneMask(draft);
  stampDab(draft, 10, 10, 4, 0, 'paint');
  s().maskCommitted(before);
  s().setPrompt({ text: 'draft words' });
  return { ...t, store, s };
}

describe('persistence', () => {
  it('autosave writes images first, then the record; a new store restores everything', async () => {
    vi.useFakeTimers();
    const { store, s, deps, stores, sessions } = await buildSession();
    const autosave = startAutosave(store, sessions, 50);
    store.setState({ revision: s().revision + 1 }); // a change after autosave started
    await vi.advanceTimersByTimeAsync(60);
    await autosave.flush();
    vi.useRealTimers();
    const order = [...stores.blobs.map.keys()];
    expect(order.length).toBeGreaterThan(5);
    expect(await stores.records.keys()).toEqual([s().sessionId]);

    const again = createStudioStore({ ...deps });
    await deps.sessions.saveSettings({
      ...(await deps.sessions.loadSettings()),
      lastSessionId: s().sessionId,
    } as never);
    await again.getState().boot();
    const a = selectSnapshot(s())!,
      b = selectSnapshot(again.getState())!;
    expect(b.tree).toEqual(a.tree);
    expect(Object.keys(b.images).sort()).toEqual(Object.keys(a.images).sort());
    for (const id of Object.keys(a.images))
      expect(Array.from(b.images[id]!.data)).toEqual(Array.from(a.images[id]!.data));
    for (const id of Object.keys(a.masks)) expect(Array.from(b.masks[id]!.data)).toEqual(Array.from(a.masks[id]!.data));
    expect(b.draft.references).toEqual(a.draft.references);
    expect(Array.from(b.draft.mask!.data)).toEqual(Array.from(a.draft.mask!.data));
    expect(b.draft.prompt).toBe('draft words');
    autosave.stop();
  });

  it('a crash between the blob writes and the record keeps the last complete session', async () => {
    const { s, stores, sessions } = await buildSession();
    await sessions.save(selectSnapshot(s())!);
    const saved = await sessions.load(s().sessionId!);
    // Next save dies after writing blobs: the record write throws.
    s().openImage('other.png', testImage(9, 9));
    const realSet = stores.records.set;
    stores.records.set = async () => {
      throw new Error('tab closed');
    };
    await expect(sessions.save(selectSnapshot(s())!)).rejects.toThrow('tab closed');
    stores.records.set = realSet;
    expect(await stores.records.keys()).toEqual([saved.id]);
    expect((await sessions.load(saved.id)).tree).toEqual(saved.tree);
    expect(await sessions.sweep()).toBeGreaterThan(0); // the orphan blobs of the unfinished session
    expect((await sessions.load(saved.id)).tree).toEqual(saved.tree);
  });

  it('lists, renames and deletes sessions (with their blobs)', async () => {
    const { s, stores, sessions } = await buildSession();
    await sessions.save(selectSnapshot(s())!);
    const meta = (await sessions.list())[0]!;
    expect(meta).toMatchObject({ name: 'street', turns: 4 });
    expect(meta.thumbnail).toBeInstanceOf(Blob);
    await sessions.rename(meta.id, 'Winter street');
    expect((await sessions.list())[0]!.name).toBe('Winter street');
    await sessions.remove(meta.id);
    expect(await sessions.list()).toEqual([]);
    expect(stores.blobs.map.size).toBe(0);
  });

  it('exports and imports a whole session as one file, under a new id', async () => {
    const { s } = await buildSession();
    const snap = selectSnapshot(s())!;
    const file = await exportSessionFile(snap, 5);
    const back = await importSessionFile(file, 'fresh', 6);
    expect(back.id).toBe('fresh');
    expect(back.tree).toEqual(snap.tree);
    for (const id of Object.keys(snap.images))
      expect(Array.from(back.images[id]!.data)).toEqual(Array.from(snap.images[id]!.data));
    expect(Array.from(back.draft.mask!.data)).toEqual(Array.from(snap.draft.mask!.data));
  });

  it('import refuses damaged, foreign and future files', async () => {
    const { s } = await buildSession();
    const bytes = new Uint8Array(await (await exportSessionFile(selectSnapshot(s())!, 5)).arrayBuffer());
    const bad = async (b: Uint8Array) => importSessionFile(new Blob([b as BlobPart]), 'x', 1);
    await expect(bad(new TextEncoder().encode('hello'))).rejects.toThrow('not a Kontext Studio session file');
    const future = bytes.slice();
    new DataView(future.buffer).setUint32(8, 99);
    await expect(bad(future)).rejects.toThrow(/newer Kontext Studio/);
    await expect(bad(bytes.slice(0, bytes.length - 40))).rejects.toThrow(SessionFileError);
    const flipped = bytes.slice();
    flipped[flipped.length - 30]! ^= 0xff; // inside the last PNG
    await expect(bad(flipped)).rejects.toThrow(/damaged/);
  });

  it('exports a PNG whose tEXt chunks carry the edit chain', async () => {
    const png = await exportPngWithChain(
      testImage(),
      [
        {
          instruction: 'make the car red',
          seed: 7,
          steps: 8,
          guidance: 2.5,
          average: 1,
          model: 'kontext-micro',
          masked: true,
          references: 1,
        },
        {
          instruction: 'add snow ❄',
          seed: 8,
          steps: 2,
          guidance: 2.5,
          average: 4,
          model: 'kontext-micro',
          masked: false,
          references: 0,
        },
      ],
      'street.png',
    );
    const text = readPngText(png);
    expect(text.Software).toBe('Kontext Studio');
    expect(text.Description).toContain(
      '1. "make the car red" (seed 7, 8 steps, guidance 2.5, kontext-micro, masked, 1 reference)',
    );
    expect(text.Description).toContain('(seed 8, 2 steps, guidance 2.5, average of 4 runs, kontext-micro)');
    const chain = JSON.parse(text[CHAIN_KEY]!);
    expect(chain.turns.map((t: { instruction: string }) => t.instruction)).toEqual(['make the car red', 'add snow ❄']);
    expect((await decodeImageBlob(new Blob([png as BlobPart]))).width).toBe(16);
  });
});
