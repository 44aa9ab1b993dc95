import { describe, expect, it, vi } from 'vitest';
import { EngineError, isRepaint, JOB_LIMITS } from '../../workers/api';
import { createFakeEngine, createTestDeps, TEST_BUNDLE, testImage } from '../testing/fakes';
import type { ImageRef } from './history/types';
import { cloneMask, countRepaint, stampDab } from './mask';
import {
  selectChangedShare,
  selectCurrentImage,
  selectCurrentTurn,
  selectEditChain,
  selectGenerateBlocker,
  selectModelLoading,
  selectModelPreparing,
  selectSnapshot,
} from './selectors';
import { createStudioStore, selectSettings } from './store';

async function setup() {
  const engine = createFakeEngine();
  const { deps, sessions } = createTestDeps(engine);
  const store = createStudioStore(deps);
  await store.getState().boot();
  return { store, engine, sessions, s: () => store.getState() };
}

describe('studio store: editing', () => {
  it('opening an image makes the root turn; Generate adds turn 1 with its parameters', async () => {
    const { s, engine } = await setup();
    s().openImage('car.png', testImage());
    expect(s().sessionName).toBe('car');
    expect(selectCurrentTurn(s())!.parentId).toBeNull();
    s().setPrompt({ text: 'make the car red', steps: 6, guidance: 3 });
    await s().generate();
    const turn = selectCurrentTurn(s())!;
    expect(turn.instruction).toBe('make the car red');
    expect(turn.params).toEqual({ steps: 6, guidance: 3, average: 1, seed: 777, size: 'input', keepUnchanged: true });
    expect(turn.model).toEqual({ bundleId: 'kontext-micro', bundleName: 'kontext-micro', backend: 'webgpu' });
    expect(turn.timing!.totalMs).toBe(42);
    expect(s().prompt.seed).toBe(777); // the random seed that was used is shown
    expect(s().promptHistory[0]).toBe('make the car red');
    expect(engine.jobs[0]).toMatchObject({
      bundleId: 'kontext-micro', // the job names its bundle: the engine opens it, nothing is selected first
      prompt: 'make the car red',
      steps: 6,
      guidance: 3,
      average: 1,
      seed: 777,
      size: 'input',
      mask: null,
      previewEvery: 1,
      keepUnchanged: true,
    });
    expect(selectCurrentImage(s())!.data[0]).toBe(255 - testImage().data[0]!);
  });

  it('keep-unchanged goes with the job, is recorded on the turn, survives a reload and comes back with reuse', async () => {
    const { s, engine, store } = await setup();
    s().openImage('car.png', testImage());
    s().setPrompt({ text: 'make the car red', keepUnchanged: false });
    await s().generate();
    expect(engine.jobs[0]!.keepUnchanged).toBe(false);
    const turn = selectCurrentTurn(s())!;
    expect(turn.params!.keepUnchanged).toBe(false);

    s().setPrompt({ keepUnchanged: true });
    s().reuseTurn(turn.id);
    expect(s().prompt.keepUnchanged).toBe(false);

    // a turn saved before the option existed was made without it
    const { keepUnchanged: _absent, ...older } = turn.params!;
    const tree = s().tree!;
    store.setState({ tree: { ...tree, nodes: { ...tree.nodes, [turn.id]: { ...turn, params: older } } } });
    s().setPrompt({ keepUnchanged: true });
    s().reuseTurn(turn.id);
    expect(s().prompt.keepUnchanged).toBe(false);

    const { deps } = createTestDeps(createFakeEngine());
    await deps.sessions.saveSettings(selectSettings(s()));
    const again = createStudioStore(deps);
    await again.getState().boot();
    expect(again.getState().prompt.keepUnchanged).toBe(false);
  });

  it('says what share of pixels an edit changed: none at the root, the masked area after a masked edit', async () => {
    const { s } = await setup();
    s().openImage('a.png', testImage(32, 32));
    expect(selectChangedShare(s())).toBeNull();
    const mask = s().ensureMask()!;
    const empty = cloneMask(mask);
    for (let p = 0; p < 32 * 8; p++) mask.data[p] = 255; // the top quarter
    s().maskCommitted(empty);
    s().setPrompt({ text: 'make it blue' });
    await s().generate();
    expect(selectChangedShare(s())).toBe(0.25); // the fake engine inverts inside the mask; outside stays exact
    await s().generate();
    expect(selectChangedShare(s())).toBe(1); // no mask now: the fake inverts every pixel
  });

  it('a masked edit sends the mask and keeps every outside pixel', async () => {
    const { s, engine } = await setup();
    s().openImage('a.png', testImage(32, 32));
    const mask = s().ensureMask()!;
    const empty = cloneMask(mask);
    stampDab(mask, 16, 16, 10, 0.5, 'paint');
    s().maskCommitted(empty);
    s().setPrompt({ text: 'remove the star', size: 'native' });
    await s().generate();
    const sent = engine.jobs[0]!;
    expect(sent.mask!.width).toBe(32);
    expect(sent.size).toBe('input'); // a mask forces the input's size
    const out = selectCurrentImage(s())!,
      input = testImage(32, 32);
    let inside = 0;
    for (let p = 0; p < 32 * 32; p++) {
      if (!isRepaint(sent.mask!.data[p]!))
        expect(out.data.subarray(p * 4, p * 4 + 4)).toEqual(input.data.subarray(p * 4, p * 4 + 4));
      else inside++;
    }
    expect(inside).toBeGreaterThan(20);
    expect(selectCurrentTurn(s())!.mask).toMatchObject({ width: 32, height: 32 });
    expect(s().mask).toBeNull(); // not silently re-applied to the next edit
  });

  it('editing from an earlier turn starts a branch; undo/redo walk it', async () => {
    const { s } = await setup();
    s().openImage('a.png', testImage());
    s().setPrompt({ text: 'one' });
    await s().generate();
    const t1 = s().tree!.currentId;
    s().setPrompt({ text: 'two' });
    await s().generate();
    s().selectTurn(t1);
    s().setPrompt({ text: 'three' });
    await s().generate();
    const tree = s().tree!;
    expect(tree.nodes[t1]!.childIds).toHaveLength(2);
    expect(selectEditChain(s()).map((c) => c.instruction)).toEqual(['one', 'three']);
    s().undo();
    expect(s().tree!.currentId).toBe(t1);
    s().redo();
    expect(selectCurrentTurn(s())!.instruction).toBe('three');
  });

  it('references go to the engine in panel order', async () => {
    const { s, engine } = await setup();
    s().openImage('a.png', testImage());
    ['r1', 'r2', 'r3'].forEach((n, i) => s().addReference(n, testImage(8 + i, 8)));
    const [a, b, c] = s().references as [ImageRef, ImageRef, ImageRef];
    s().moveReference(c.id, -1);
    s().removeReference(a.id);
    expect(s().references.map((r) => r.id)).toEqual([c.id, b.id]);
    s().setPrompt({ text: 'apply the style of the reference' });
    await s().generate();
    expect(engine.jobs[0]!.references.map((r) => r.width)).toEqual([10, 9]);
    expect(selectCurrentTurn(s())!.references.map((r) => r.id)).toEqual([c.id, b.id]);
  });

  it('progress and previews show while the edit runs; cancel leaves the tree as it was', async () => {
    const { s, engine } = await setup();
    s().openImage('a.png', testImage());
    const before = s().tree;
    engine.hold = true;
    s().setPrompt({ text: 'add snow' });
    const running = s().generate();
    await new Promise((r) => setTimeout(r, 0));
    expect(s().job!.progress).toMatchObject({ step: 1, etaMs: 1000 });
    expect(s().job!.preview).not.toBeNull();
    await s().cancel();
    await running;
    expect(s().job).toBeNull();
    expect(s().tree).toBe(before);
    expect(s().notice).toEqual({ severity: 'info', text: 'Cancelled.' });
  });

  it('an engine failure becomes a plain notice and changes nothing', async () => {
    const { s, engine } = await setup();
    s().openImage('a.png', testImage());
    const before = s().tree;
    engine.failNext = new EngineError('not-initialized', 'Editing is not available in this build yet.');
    s().setPrompt({ text: 'x' });
    await s().generate();
    expect(s().tree).toBe(before);
    expect(s().notice!.severity).toBe('error');
    expect(s().notice!.text).toMatch(/not ready.*Editing is not available in this build yet/);
  });

  it('without a usable bundle Generate explains instead of calling the engine', async () => {
    const { s, engine, store } = await setup();
    engine.bundles = [];
    await s().refreshBundles();
    s().openImage('a.png', testImage());
    s().setPrompt({ text: 'x' });
    expect(selectGenerateBlocker(store.getState())).toMatch(/No model is ready/);
    await s().generate();
    expect(engine.jobs).toHaveLength(0);
    engine.bundles = [
      {
        ...(engine.bundles[0] ?? {
          id: 'k',
          name: 'kontext-micro',
          weights: 'fp32',
          fp16Activations: [],
          totalBytes: 1,
          files: [],
          embedded: true,
          defaults: null,
          domain: null,
          loras: [],
        }),
        complete: true,
        unsupportedReason: 'needs shader-f16',
      },
    ];
    await s().refreshBundles();
    expect(selectGenerateBlocker(store.getState())).toMatch(/cannot run kontext-micro: needs shader-f16/);
  });

  it('brush size steps and the view fits new images', async () => {
    const { s } = await setup();
    s().setViewSize({ width: 1000, height: 500 });
    s().openImage('a.png', testImage(100, 100));
    expect(s().viewport.zoom).toBeCloseTo((500 - 88) / 100);
    s().setBrush({ size: 10 });
    s().stepBrushSize(1);
    expect(s().brush.size).toBe(13);
    s().stepBrushSize(-1);
    s().stepBrushSize(-1);
    expect(s().brush.size).toBe(8);
  });
});

describe('studio store: sampler settings', () => {
  it('follow the active model until the user changes them; "model default" goes back', async () => {
    const { s, engine } = await setup();
    expect(s().prompt).toMatchObject({ steps: 12, guidance: 2.5, sampling: 'model' });
    expect(selectSettings(s())).toMatchObject({ steps: null, guidance: null });

    engine.bundles = [{ ...TEST_BUNDLE, defaults: { steps: 28, guidance: 3.5, average: 1 } }];
    await s().refreshBundles();
    expect(s().prompt).toMatchObject({ steps: 28, guidance: 3.5 });

    s().setPrompt({ steps: 20 });
    engine.bundles = [{ ...TEST_BUNDLE, defaults: { steps: 12, guidance: 2.5, average: 1 } }];
    await s().refreshBundles();
    expect(s().prompt).toMatchObject({ steps: 20, guidance: 3.5, sampling: 'custom' });
    expect(selectSettings(s())).toMatchObject({ steps: 20, guidance: 3.5 });

    s().useModelSampling();
    expect(s().prompt).toMatchObject({ steps: 12, guidance: 2.5, sampling: 'model' });
  });

  it('average follows the model, goes with the job, is recorded on the turn and comes back with reuse and a reload', async () => {
    const { s, engine, store } = await setup();
    engine.bundles = [{ ...TEST_BUNDLE, defaults: { steps: 2, guidance: 2.5, average: 4 } }];
    await s().refreshBundles();
    expect(s().prompt).toMatchObject({ steps: 2, average: 4, sampling: 'model' });
    s().openImage('car.png', testImage());
    s().setPrompt({ text: 'make the car red' });
    await s().generate();
    expect(engine.jobs[0]).toMatchObject({ steps: 2, average: 4, previewEvery: 1 });
    const turn = selectCurrentTurn(s())!;
    expect(turn.params!.average).toBe(4);

    s().setPrompt({ average: 99 });
    const most = JOB_LIMITS.average.max;
    expect(s().prompt).toMatchObject({ average: most, sampling: 'custom' }); // clamped to what the engine accepts
    expect(selectSettings(s())).toMatchObject({ steps: 2, guidance: 2.5, average: most });
    s().reuseTurn(turn.id);
    expect(s().prompt.average).toBe(4);
    const { average: _absent, ...older } = turn.params!; // a turn made before averaging existed: one run
    store.setState({ tree: { ...s().tree!, nodes: { ...s().tree!.nodes, [turn.id]: { ...turn, params: older } } } });
    s().reuseTurn(turn.id);
    expect(s().prompt.average).toBe(1);

    const { deps } = createTestDeps(createFakeEngine());
    await deps.sessions.saveSettings(selectSettings(s()));
    const again = createStudioStore(deps);
    await again.getState().boot();
    expect(again.getState().prompt).toMatchObject({ average: 1, sampling: 'custom' });
    again.getState().useModelSampling();
    expect(again.getState().prompt).toMatchObject({ steps: 12, average: 1, sampling: 'model' }); // the fake bundle's own
  });

  it('clamps the prompt to the engine JOB_LIMITS, and a model default inside them is kept as it is', async () => {
    const { s, engine } = await setup();
    // 12 runs was shown and then cut to 8 when the UI had its own, smaller range.
    engine.bundles = [{ ...TEST_BUNDLE, defaults: { steps: 40, guidance: 2.5, average: 12 } }];
    await s().refreshBundles();
    s().openImage('car.png', testImage());
    s().setPrompt({ text: 'make the car red' });
    expect(s().prompt).toMatchObject({ steps: 40, average: 12, sampling: 'model' });
    await s().generate();
    expect(engine.jobs[0]).toMatchObject({ steps: 40, average: 12 });
    const { steps, guidance, seed } = JOB_LIMITS;
    s().setPrompt({ steps: 0, guidance: Number.NaN, seed: -5 });
    expect(s().prompt).toMatchObject({ steps: steps.min, guidance: guidance.min, seed: seed.min });
    s().setPrompt({ steps: 1e6, guidance: 1e6, seed: 2 ** 40 });
    expect(s().prompt).toMatchObject({ steps: steps.max, guidance: guidance.max, seed: seed.max });
  });

  it('each job names the active bundle, which the engine prepares ahead; a Generate meanwhile waits for it', async () => {
    const { s, engine } = await setup();
    const other = { ...TEST_BUNDLE, id: 'kontext-other', name: 'other', embedded: false };
    engine.bundles = [TEST_BUNDLE, other];
    const selectBundle = vi.spyOn(engine, 'selectBundle');
    await s().refreshBundles();
    s().openImage('car.png', testImage());
    s().setPrompt({ text: 'one' });
    await s().generate();
    let prepared!: () => void;
    selectBundle.mockImplementationOnce(() => new Promise((resolve) => (prepared = () => resolve(other))));
    s().selectBundle(other.id);
    // Not ready until its sessions are created and warmed up: the first edit must not queue behind the warm-up.
    expect(selectModelPreparing(s())).toBe('other');
    expect(selectModelLoading(s())).toBe(1);
    s().setPrompt({ text: 'two' });
    await s().generate();
    expect(s().waitingForModel).toBe(true);
    expect(engine.jobs).toHaveLength(1);
    prepared();
    await vi.waitFor(() => expect(selectCurrentTurn(s())!.model!.bundleId).toBe(other.id));
    expect(selectModelPreparing(s())).toBeNull();
    expect(engine.jobs.map((j) => j.bundleId)).toEqual([TEST_BUNDLE.id, other.id]);
    // Preparing (open + warm-up edit) is only ever asked ahead: once per bundle and backend.
    expect(selectBundle.mock.calls).toEqual([[other.id]]);
  });

  it('saved custom settings survive a reload and win over the model defaults', async () => {
    const engine = createFakeEngine();
    const { deps } = createTestDeps(engine);
    await deps.sessions.saveSettings({ ...(await deps.sessions.loadSettings()), steps: 30, guidance: 4 } as never);
    const store = createStudioStore(deps);
    await store.getState().boot();
    expect(store.getState().prompt).toMatchObject({ steps: 30, guidance: 4, sampling: 'custom' });
  });
});

describe('studio store: boot', () => {
  it('restores the last session without pulling the user off a tab chosen while it loads', async () => {
    const { deps } = createTestDeps(createFakeEngine());
    const first = createStudioStore(deps);
    await first.getState().boot();
    first.getState().openImage('car.png', testImage());
    await deps.sessions.save(selectSnapshot(first.getState())!);
    await deps.sessions.saveSettings(selectSettings(first.getState()));

    const again = createStudioStore(deps);
    const booting = again.getState().boot();
    again.getState().setView('sessions');
    await booting;
    expect(again.getState().sessionName).toBe('car'); // restored…
    expect(again.getState().view).toBe('sessions'); // …where the user is
  });
});

describe('studio store: sampler values before the model is installed', () => {
  it('shows the embedded model defaults from the first frame, and nothing changes once the bundle is listed', async () => {
    const engine = createFakeEngine();
    const { deps } = createTestDeps(engine);
    const defaults = TEST_BUNDLE.defaults!;
    const store = createStudioStore({ ...deps, embeddedDefaults: defaults });
    const seen: number[][] = [];
    store.subscribe((st) => seen.push([st.prompt.steps, st.prompt.guidance, st.prompt.average]));
    const first = store.getState().prompt;
    expect([first.steps, first.guidance, first.average]).toEqual([defaults.steps, defaults.guidance, defaults.average]);
    expect(first.sampling).toBe('model');
    await store.getState().boot();
    expect(seen.every((v) => v.join() === [defaults.steps, defaults.guidance, defaults.average].join())).toBe(true);
  });
});

describe('studio store: Generate before the model is ready', () => {
  const files = (verified: number) =>
    [0, 1, 2, 3].map(
      (i) => ({ path: `f${i}`, bytes: 100, loaded: 0, state: i < verified ? 'verified' : 'pending' }) as const,
    );

  it('waits for the model with its progress, then runs the edit; cancel drops the wait', async () => {
    const { store, engine, s } = await setup();
    s().openImage('car.png', testImage());
    s().setPrompt({ text: 'make the car red' });
    const downloading = (verified: number) =>
      store.setState({
        bundles: [],
        downloads: { embedded: { label: 'kontext-micro', files: [...files(verified)], error: null, running: true } },
      });
    downloading(1);
    expect(selectModelLoading(s())).toBe(0.25);
    expect(selectGenerateBlocker(s())).toBeNull();
    await s().generate();
    expect(s().waitingForModel).toBe(true);
    expect(s().notice).toBeNull(); // no red 'Looking for models…'
    await s().cancel();
    expect(s().waitingForModel).toBe(false);

    await s().generate();
    downloading(3);
    expect(engine.jobs).toHaveLength(0);
    store.setState({ bundles: [TEST_BUNDLE], downloads: {} });
    await vi.waitFor(() => expect(engine.jobs).toHaveLength(1));
    expect(s().waitingForModel).toBe(false);
    expect(engine.jobs[0]).toMatchObject({ prompt: 'make the car red', bundleId: TEST_BUNDLE.id });
  });
});

describe('studio store: backend choice', () => {
  it('the backend the user chose is saved and the engine starts on it after a reload', async () => {
    const engine = createFakeEngine();
    const init = vi.spyOn(engine, 'init');
    const { deps } = createTestDeps(engine);
    const first = createStudioStore(deps);
    await first.getState().boot();
    expect(init).toHaveBeenLastCalledWith('auto');
    await first.getState().chooseBackend('wasm');
    await deps.sessions.saveSettings(selectSettings(first.getState()));

    const again = createStudioStore(deps);
    await again.getState().boot();
    expect(init).toHaveBeenLastCalledWith('wasm');
    expect(again.getState()).toMatchObject({ backendChoice: 'wasm', capabilities: { backend: 'wasm' } });
  });

  it('a saved backend that no longer starts falls back to Auto', async () => {
    const engine = createFakeEngine();
    const init = engine.init.bind(engine);
    engine.init = (choice) => (choice === 'webgpu' ? Promise.reject(new Error('no adapter')) : init(choice));
    const { deps } = createTestDeps(engine);
    await deps.sessions.saveSettings({ ...(await deps.sessions.loadSettings()), backend: 'webgpu' } as never);
    const store = createStudioStore(deps);
    await store.getState().boot();
    expect(store.getState()).toMatchObject({ backendChoice: 'auto', capabilities: { backend: 'webgpu' } });
  });
});

describe('studio store: VRAM budget', () => {
  it('is sent to the engine, saved, and sent again after a reload; none clears it', async () => {
    const engine = createFakeEngine();
    const { deps } = createTestDeps(engine);
    const first = createStudioStore(deps);
    await first.getState().boot();
    await first.getState().setVramBudget(6.5);
    expect(engine.memoryBudget).toBe(6.5);
    await deps.sessions.saveSettings(selectSettings(first.getState()));

    engine.memoryBudget = null;
    const again = createStudioStore(deps);
    await again.getState().boot();
    expect(engine.memoryBudget).toBe(6.5);
    expect(again.getState().vramBudgetGiB).toBe(6.5);
    await again.getState().setVramBudget(null);
    expect(engine.memoryBudget).toBeNull();
  });

  it('refuses a budget out of range with a notice that names the range, and keeps the old one', async () => {
    const engine = createFakeEngine();
    const { deps } = createTestDeps(engine);
    const store = createStudioStore(deps);
    await store.getState().boot();
    await store.getState().setVramBudget(8);
    await store.getState().setVramBudget(-1);
    expect(store.getState().notice).toEqual({
      severity: 'error',
      text: 'The VRAM budget (GiB) must be 0.01–1024, got -1.',
    });
    expect(engine.memoryBudget).toBe(8);
    expect(store.getState().vramBudgetGiB).toBe(8);
  });
});

describe('studio store: mask undo', () => {
  function stroke(s: () => ReturnType<Awaited<ReturnType<typeof setup>>['s']>, x: number) {
    const mask = s().ensureMask()!,
      before = cloneMask(mask);
    stampDab(mask, x, 16, 6, 0, 'paint');
    s().maskCommitted(before);
  }

  it('takes back strokes, invert and clear one at a time, and redoes them', async () => {
    const { s } = await setup();
    s().openImage('a.png', testImage(32, 32));
    expect(s().undoMask()).toBe(false); // nothing to take back: Ctrl+Z goes to the turns
    stroke(s, 8);
    const one = countRepaint(s().mask!);
    stroke(s, 24);
    const two = countRepaint(s().mask!);
    expect(two).toBeGreaterThan(one);
    s().invertMask();
    s().clearMask();
    expect(s().mask).toBeNull();

    expect(s().undoMask()).toBe(true); // clear
    expect(countRepaint(s().mask!)).toBe(32 * 32 - two);
    expect(s().undoMask()).toBe(true); // invert
    expect(countRepaint(s().mask!)).toBe(two);
    expect(s().undoMask()).toBe(true); // second stroke
    expect(countRepaint(s().mask!)).toBe(one);
    expect(s().redoMask()).toBe(true);
    expect(countRepaint(s().mask!)).toBe(two);

    stroke(s, 16); // a new change drops what was taken back
    expect(s().redoMask()).toBe(false);
  });

  it('starts over with each turn: the mask of a finished edit is not undone into the next', async () => {
    const { s } = await setup();
    s().openImage('a.png', testImage(32, 32));
    stroke(s, 8);
    s().setPrompt({ text: 'remove the star' });
    await s().generate();
    expect(s().mask).toBeNull();
    expect(s().undoMask()).toBe(false);
  });
});

describe('studio store: variations', () => {
  it('one Generate with three variations makes three sibling turns with counting seeds and the same mask', async () => {
    const { s, engine } = await setup();
    s().openImage('a.png', testImage(32, 32));
    const root = s().tree!.rootId;
    const mask = s().ensureMask()!,
      before = cloneMask(mask);
    stampDab(mask, 16, 16, 8, 0, 'paint');
    s().maskCommitted(before);
    s().setPrompt({ text: 'make the circle blue', count: 3, seed: 100, seedMode: 'locked' });
    await s().generate();
    expect(engine.jobs.map((j) => j.seed)).toEqual([100, 101, 102]);
    expect(engine.jobs.every((j) => j.mask !== null && j.image === engine.jobs[0]!.image)).toBe(true);
    expect(s().tree!.nodes[root]!.childIds).toHaveLength(3);
    expect(s().tree!.nodes[root]!.childIds.map((id) => s().tree!.nodes[id]!.params!.seed)).toEqual([100, 101, 102]);
    expect(s().prompt.seed).toBe(100); // a locked seed stays what the user set
    expect(s().job).toBeNull();
  });

  it('cancel stops the remaining variations and keeps the finished ones', async () => {
    const { s, engine } = await setup();
    s().openImage('a.png', testImage(16, 16));
    s().setPrompt({ text: 'add snow', count: 4 });
    engine.hold = true;
    const running = s().generate();
    const held = (index: number) =>
      vi.waitFor(() => {
        expect(s().job?.variation).toEqual({ index, total: 4 });
        expect(s().job?.progress).not.toBeNull(); // the fake engine is now waiting for release()
      });
    await held(1);
    engine.release();
    await held(2);
    await s().cancel();
    await running;
    expect(engine.jobs).toHaveLength(2);
    expect(s().tree!.nodes[s().tree!.rootId]!.childIds).toHaveLength(1);
    expect(s().notice?.text).toMatch(/cancelled/i);
  });

  it('the count is kept between 1 and 4', async () => {
    const { s } = await setup();
    s().setPrompt({ count: 9 });
    expect(s().prompt.count).toBe(4);
    s().setPrompt({ count: 0 });
    expect(s().prompt.count).toBe(1);
  });
});
