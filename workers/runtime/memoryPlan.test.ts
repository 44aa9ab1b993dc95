import { describe, expect, it } from 'vitest';
import { chooseEvictions, getComponentBytes, planMemory, PlanError, type ComponentBytes } from './memoryPlan';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** FLUX.1 Kontext [dev] int4 as the converter wrote it (README § Disk and memory). */
const DEV_INT4: ComponentBytes = {
  dit: 6.94 * GiB,
  t5: 2.77 * GiB,
  clip: 74 * MiB,
  aeEncoder: 131 * MiB,
  aeDecoder: 189 * MiB,
  previewDecoder: 0,
};
const BIG_GPU = { maxBufferSize: 4 * GiB, maxStorageBufferBindingSize: 2 * GiB };
const RESERVE = 512 * MiB; // two 256 MiB buffers
const total = (b: ComponentBytes) => Object.values(b).reduce((n, x) => n + x, 0);
const plan = (budget: number | null, over: Partial<Parameters<typeof planMemory>[0]> = {}) =>
  planMemory({ bytes: DEV_INT4, limits: BIG_GPU, budget, memoryTight: true, ...over });

describe('planMemory', () => {
  it('keeps everything open when the whole bundle and the activation reserve fit', () => {
    const p = plan(total(DEV_INT4) + RESERVE);
    expect(p.kind).toBe('all-resident');
    expect(p.resident).toEqual(['dit', 'aeDecoder', 'aeEncoder', 'clip', 't5']);
    expect(p.reserve).toBe(RESERVE);
    expect(p.storageBufferCacheMode).toBe('simple');
  });

  it('keeps the DiT and the AE when the text encoders do not fit beside them', () => {
    const p = plan(total(DEV_INT4) + RESERVE - 1);
    expect(p.kind).toBe('dit-ae-resident');
    expect(p.resident).toEqual(['dit', 'aeDecoder', 'aeEncoder', 'clip']); // CLIP still fits; T5 does not
    const tight = plan(DEV_INT4.dit + DEV_INT4.aeDecoder + DEV_INT4.aeEncoder + RESERVE);
    expect(tight.kind).toBe('dit-ae-resident');
    expect(tight.resident).toEqual(['dit', 'aeDecoder', 'aeEncoder']);
  });

  it('goes phase by phase when the DiT does not fit beside the AE, releasing buffers at once', () => {
    const p = plan(DEV_INT4.dit + DEV_INT4.aeDecoder + RESERVE);
    expect(p.kind).toBe('per-phase');
    expect(p.resident).toEqual(['dit', 'aeDecoder']);
    expect(p.storageBufferCacheMode).toBe('lazyRelease');
  });

  it('refuses a budget below the largest component, naming it and the numbers', () => {
    expect(() => plan(7 * GiB)).toThrow(PlanError);
    expect(() => plan(7 * GiB)).toThrow(
      'the DiT alone needs 6.94 GB, and the VRAM budget of 7.00 GB leaves 6.50 GB for weights after 512.0 MB for activations',
    );
  });

  it('with no budget: unbounded, unless the converter marked the bundle memory-tight (8 GiB then)', () => {
    expect(plan(null, { memoryTight: false }).kind).toBe('all-resident');
    const tight = plan(null);
    expect(tight.budget).toBe(8 * GiB);
    expect(tight.kind).toBe('dit-ae-resident');
  });

  it('reserves two of the largest buffers the device allows (capped at 256 MiB), none on WASM', () => {
    expect(plan(null, { limits: { maxBufferSize: 4 * GiB, maxStorageBufferBindingSize: 128 * MiB } }).reserve).toBe(
      256 * MiB,
    );
    const wasm = plan(total(DEV_INT4), { limits: null });
    expect(wasm.reserve).toBe(0);
    expect(wasm.kind).toBe('all-resident');
    expect(wasm.storageBufferCacheMode).toBeNull();
  });
});

describe('chooseEvictions', () => {
  const ditAe = plan(DEV_INT4.dit + DEV_INT4.aeDecoder + DEV_INT4.aeEncoder + RESERVE);

  it('closes nothing while everything fits', () => {
    expect(chooseEvictions(plan(null, { memoryTight: false }), ['dit', 'aeDecoder', 't5'], ['clip'])).toEqual([]);
  });

  it('closes sessions outside the plan first, and only as many as it must: T5 before the DiT opens, not CLIP', () => {
    expect(chooseEvictions(ditAe, ['t5', 'clip', 'aeEncoder'], ['dit'])).toEqual(['t5']);
    expect(chooseEvictions(ditAe, ['t5', 'clip', 'aeEncoder', 'aeDecoder'], ['dit'])).toEqual(['t5', 'clip']);
  });

  it('closes residents from the least important when it must: T5 for a new prompt takes the AE, then the DiT', () => {
    expect(chooseEvictions(ditAe, ['dit', 'aeDecoder', 'aeEncoder'], ['t5'])).toEqual([
      'aeEncoder',
      'aeDecoder',
      'dit',
    ]);
    // CLIP is small: the AE encoder alone makes room.
    expect(chooseEvictions(ditAe, ['dit', 'aeDecoder', 'aeEncoder'], ['clip'])).toEqual(['aeEncoder']);
  });

  it('never closes what is needed, even when the rest cannot make room', () => {
    const p = plan(DEV_INT4.dit + RESERVE);
    expect(chooseEvictions(p, ['dit', 'aeEncoder'], ['previewDecoder', 'dit'])).toEqual(['aeEncoder']);
  });
});

describe('getComponentBytes', () => {
  it('adds each graph and its external data from the manifest, every DiT segment together', () => {
    const g = (name: string) => ({ graph: `${name}.onnx`, data: [`${name}.onnx.data`, `${name}.onnx.data2`] });
    const names = ['dit0', 'dit1', 't5', 'clip', 'enc', 'dec'];
    const files = names.flatMap((n, i) =>
      [`${n}.onnx`, `${n}.onnx.data`, `${n}.onnx.data2`].map((path, j) => ({ path, bytes: 1000 * i + j, sha256: '' })),
    );
    const tokenizer = { json: 'tok.json', config: 'tok_config.json' };
    const components = {
      dit: [g('dit0'), g('dit1')],
      t5: g('t5'),
      clip: g('clip'),
      aeEncoder: g('enc'),
      aeDecoder: g('dec'),
      aeDecoderStages: null,
      previewDecoder: null,
      t5Tokenizer: tokenizer,
      clipTokenizer: tokenizer,
    };
    expect(getComponentBytes({ files, components })).toEqual({
      dit: 0 + 1 + 2 + 1000 + 1001 + 1002,
      t5: 6003,
      clip: 9003,
      aeEncoder: 12003,
      aeDecoder: 15003,
      previewDecoder: 0,
    });
  });
});
