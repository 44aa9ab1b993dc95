/**
 * Every job the engine refuses is refused before anything loads: the fake bundle store and onnxruntime below
 * count every read and load, and a refused job must leave all counts at zero and report no phase past 'queued'.
 */
import { describe, expect, it } from 'vitest';
import type { BundleInfo, EditJob, JobProgress } from './api/jobs';
import { JOB_LIMITS } from './api/limits';
import type { Capabilities, RgbaImage } from './api/types';
import type { BundleStore } from './cache';
import { createEditing, getUnsupportedReason } from './editing';
import type { Ort } from './runtime/ort';
import { createQueue } from './runtime/session';

const bundle = (id: string, over: Partial<BundleInfo> = {}): BundleInfo => ({
  id,
  name: `Bundle ${id}`,
  weights: 'fp32',
  fp16Activations: [],
  totalBytes: 10,
  complete: true,
  files: [{ path: 'dit.onnx', bytes: 10, loaded: 10, state: 'verified' }],
  unsupportedReason: null,
  embedded: false,
  defaults: { steps: 4, guidance: 2.5, average: 1 },
  domain: null,
  loras: [],
  ...over,
});

const BUNDLES = [
  bundle('ready'),
  bundle('partial', { complete: false, files: [{ path: 'dit.onnx', bytes: 10, loaded: 3, state: 'pending' }] }),
  bundle('half', { weights: 'fp16' }),
  bundle('mixed', { weights: 'int4', fp16Activations: ['dit', 't5'] }),
];

const CAPS: Capabilities = {
  backend: 'wasm',
  fallback: false,
  gpu: null,
  ortBuild: 'jspi',
  ortVersion: 'test',
  wasmThreads: 1,
  crossOriginIsolated: false,
};

/** What reached the point where an edit loads its bundle: every read and load is counted, then refused. */
function createCountingEditing() {
  const counts = { manifests: 0, files: 0, ortLoads: 0 };
  const reachedLoading = new Error('the edit got as far as loading its bundle');
  const bundles = {
    listBundles: async () => BUNDLES,
    getManifest: async () => {
      counts.manifests++;
      throw reachedLoading;
    },
    getFile: async () => {
      counts.files++;
      throw reachedLoading;
    },
  } as unknown as BundleStore;
  const editing = createEditing({
    bundles,
    loadOrt: async () => {
      counts.ortLoads++;
      return {} as Ort;
    },
    getTarget: () => ({ backend: 'wasm' }),
    getCapabilities: () => CAPS,
    serial: createQueue(),
    hashImage: async () => 'hash',
  });
  return { editing, counts };
}

const image = (width: number, height: number): RgbaImage => ({
  width,
  height,
  data: new Uint8ClampedArray(4 * width * height),
});

const job = (over: Partial<EditJob> = {}): EditJob => ({
  id: crypto.randomUUID(),
  bundleId: 'ready',
  image: image(64, 48),
  prompt: 'make it blue',
  references: [],
  mask: null,
  steps: 4,
  guidance: 2.5,
  average: 1,
  seed: 42,
  size: 'input',
  previewEvery: 1,
  keepUnchanged: true,
  ...over,
});

const mask = (width: number, height: number) => ({ width, height, data: new Uint8Array(width * height).fill(255) });

describe('an edit is refused before anything loads', () => {
  const refused: [string, Partial<EditJob>, string, RegExp][] = [
    ['NaN guidance', { guidance: Number.NaN }, 'bad-input', /guidance must be a number \(0–10\), got NaN/],
    ['negative guidance', { guidance: -1 }, 'bad-input', /guidance must be 0–10, got -1/],
    ['steps 0', { steps: 0 }, 'bad-input', /steps must be 1–100, got 0/],
    ['steps above the maximum', { steps: JOB_LIMITS.steps.max + 1 }, 'bad-input', /steps must be 1–100, got 101/],
    ['a non-integer average', { average: 2.5 }, 'bad-input', /average must be a whole number \(1–16\), got 2.5/],
    ['an average above the maximum', { average: 17 }, 'bad-input', /average must be 1–16/],
    ['a negative seed', { seed: -1 }, 'bad-input', /seed must be 0–4294967295, got -1/],
    ['a fractional seed', { seed: 0.5 }, 'bad-input', /seed must be a whole number/],
    ['NaN previewEvery', { previewEvery: Number.NaN }, 'bad-input', /previewEvery must be a number/],
    ['a negative firstBlockCache', { firstBlockCache: -0.1 }, 'bad-input', /firstBlockCache must be 0–1, got -0.1/],
    ['a NaN firstBlockCache', { firstBlockCache: Number.NaN }, 'bad-input', /firstBlockCache must be a number/],
    ['an unknown size mode', { size: 'huge' as EditJob['size'] }, 'bad-input', /size must be "input" or "native"/],
    ['a mask of the wrong size', { mask: mask(32, 48) }, 'bad-input', /the mask is 32×48 but the image is 64×48/],
    [
      'a mask with the wrong byte count',
      { mask: { ...mask(64, 48), data: new Uint8Array(10) } },
      'bad-input',
      /mask.*needs 3072 bytes, got 10/,
    ],
    [
      'a masked job at the native size',
      { mask: mask(64, 48), size: 'native' },
      'bad-input',
      /masked edit keeps the input size/,
    ],
    [
      'an image with a short pixel buffer',
      { image: { ...image(64, 48), data: new Uint8ClampedArray(5) } },
      'bad-image',
      /needs 12288 bytes, got 5/,
    ],
    ['an image too small', { image: image(4, 48) }, 'bad-image', /the image's width must be 8–8192, got 4/],
    [
      'a reference image too large',
      { references: [image(8193, 8)] },
      'bad-image',
      /reference image 2's width must be 8–8192/,
    ],
    ['no bundle', { bundleId: '' }, 'bad-input', /names no bundle/],
    ['an unknown bundle id', { bundleId: 'nowhere' }, 'bundle-not-found', /No bundle "nowhere" is stored/],
    [
      'an incomplete bundle',
      { bundleId: 'partial' },
      'bundle-incomplete',
      /Bundle partial is not completely downloaded yet \(1 of 1 files missing\)/,
    ],
    [
      'a bundle this machine cannot run',
      { bundleId: 'half' },
      'unsupported',
      /Bundle half cannot run here: fp16 bundles need WebGPU/,
    ],
    [
      'a bundle with fp16 activations on WASM',
      { bundleId: 'mixed' },
      'unsupported',
      /Bundle mixed cannot run here: its dit, t5 graphs compute in fp16, which needs WebGPU with shader-f16/,
    ],
  ];

  it.each(refused)('%s', async (_name, over, code, message) => {
    const { editing, counts } = createCountingEditing();
    const phases: JobProgress['phase'][] = [];
    await expect(editing.edit(job(over), (p) => phases.push(p.phase))).rejects.toMatchObject({
      code,
      message: expect.stringMatching(message),
    });
    expect(counts).toEqual({ manifests: 0, files: 0, ortLoads: 0 });
    expect(phases.filter((p) => p !== 'queued')).toEqual([]);
  });

  it('lets a good job through to loading its own bundle (the counts above can see a load)', async () => {
    const { editing, counts } = createCountingEditing();
    const phases: JobProgress['phase'][] = [];
    const masked = job({ mask: mask(64, 48), references: [image(8, 8192)], seed: JOB_LIMITS.seed.max });
    await expect(editing.edit(masked, (p) => phases.push(p.phase))).rejects.toThrow(/got as far as loading/);
    expect(counts.manifests).toBe(1);
    expect(phases).toEqual(['queued', 'loading']);
  });

  it('refuses selectBundle for the same reasons, before reading anything', async () => {
    const { editing, counts } = createCountingEditing();
    await expect(editing.selectBundle('nowhere')).rejects.toMatchObject({ code: 'bundle-not-found' });
    await expect(editing.selectBundle('partial')).rejects.toMatchObject({ code: 'bundle-incomplete' });
    await expect(editing.selectBundle('half')).rejects.toMatchObject({ code: 'unsupported' });
    expect(counts).toEqual({ manifests: 0, files: 0, ortLoads: 0 });
  });
});

describe('getUnsupportedReason', () => {
  const gpu = (shaderF16: boolean): Capabilities => ({
    ...CAPS,
    backend: 'webgpu',
    gpu: {
      vendor: 'test',
      architecture: 'test',
      description: 'test',
      isFallbackAdapter: false,
      shaderF16,
      subgroups: false,
      limits: { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30, maxComputeWorkgroupStorageSize: 16384 },
    },
  });
  const mixed = { weights: 'int4' as const, fp16Activations: ['dit'] };

  it('runs a bundle with fp16 activations only on WebGPU with shader-f16, and says why elsewhere', () => {
    expect(getUnsupportedReason(mixed, gpu(true))).toBeNull();
    expect(getUnsupportedReason(mixed, gpu(false))).toMatch(
      /its dit graphs compute in fp16, and this GPU has no shader-f16/,
    );
    expect(getUnsupportedReason(mixed, CAPS)).toMatch(/needs WebGPU with shader-f16/);
  });

  it('runs fp32-activation bundles (and fp16-emulated ones, fp32 tensors) everywhere', () => {
    const fp32 = { weights: 'int4' as const, fp16Activations: [] };
    for (const caps of [gpu(true), gpu(false), CAPS]) expect(getUnsupportedReason(fp32, caps)).toBeNull();
  });
});
