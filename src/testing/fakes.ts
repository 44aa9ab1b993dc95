/**
 * @file Test doubles for the editor: an EngineApi that "edits" by inverting colours (respecting the mask
 * contract: outside pixels untouched) and a complete set of deps over in-memory storage.
 */
import {
  compositeMasked,
  EngineError,
  type BundleInfo,
  type Capabilities,
  type EditJob,
  type EngineApi,
  type RgbaImage,
} from '../../workers/api';
import { createMemoryKv } from '../persistence/kv';
import { createSessionRepository } from '../persistence/repository';
import type { StudioDeps } from '../editor/ports';

export const TEST_BUNDLE: BundleInfo = {
  id: 'kontext-micro',
  name: 'kontext-micro',
  weights: 'fp32',
  fp16Activations: [],
  totalBytes: 1000,
  complete: true,
  files: [],
  unsupportedReason: null,
  embedded: true,
  defaults: { steps: 12, guidance: 2.5, average: 1 },
  domain: null,
  loras: [],
};

const CAPS: Capabilities = {
  backend: 'webgpu',
  fallback: false,
  gpu: null,
  ortBuild: 'jspi',
  ortVersion: 'test',
  wasmThreads: 1,
  crossOriginIsolated: true,
};

export interface FakeEngine extends EngineApi {
  bundles: BundleInfo[];
  jobs: EditJob[];
  /** When set, edit() waits for release() (to test progress and cancel mid-run). */
  hold: boolean;
  release(): void;
  failNext: EngineError | null;
  /** Every prepareImages call's images, in order. */
  prepared: RgbaImage[][];
  /** The last budget setMemoryBudget was given (GiB). */
  memoryBudget: number | null;
}

/** Inverts RGB, composited through the mask by the engine's own rule (everywhere without a mask). */
function fakeEdit(job: EditJob): RgbaImage {
  const data = new Uint8ClampedArray(job.image.data);
  for (let p = 0; p < data.length / 4; p++) for (let c = 0; c < 3; c++) data[p * 4 + c] = 255 - data[p * 4 + c]!;
  const inverted = { width: job.image.width, height: job.image.height, data };
  return job.mask ? compositeMasked(job.image, inverted, job.mask) : inverted;
}

export function createFakeEngine(): FakeEngine {
  let releaseHeld: (() => void) | null = null;
  let rejectHeld: ((e: Error) => void) | null = null;
  const engine: FakeEngine = {
    bundles: [TEST_BUNDLE],
    jobs: [],
    hold: false,
    failNext: null,
    release: () => releaseHeld?.(),
    init: async (choice) => ({ ...CAPS, backend: choice === 'wasm' ? 'wasm' : 'webgpu' }),
    getCapabilities: async () => CAPS,
    roundTrip: async () => {
      throw new EngineError('not-initialized', 'no round trip here');
    },
    listBundles: async () => engine.bundles,
    addBundle: async (_source, onProgress) => {
      onProgress([{ path: 'manifest.json', bytes: 10, loaded: 10, state: 'verified' }]);
      return TEST_BUNDLE;
    },
    deleteBundle: async (id) => {
      engine.bundles = engine.bundles.filter((b) => b.id !== id);
    },
    selectBundle: async (id) => engine.bundles.find((b) => b.id === id)!,
    prepared: [],
    prepareImages: async (_id, images) => {
      engine.prepared.push(images);
      return true;
    },
    getStorageInfo: async () => ({ usage: 1, quota: 100, persisted: false }),
    async edit(job, onProgress) {
      engine.jobs.push(job);
      if (!engine.bundles.some((b) => b.id === job.bundleId))
        throw new EngineError('bundle-not-found', `No bundle "${job.bundleId}" is stored in this browser.`);
      if (engine.failNext) {
        const e = engine.failNext;
        engine.failNext = null;
        throw e;
      }
      onProgress({
        jobId: job.id,
        phase: 'denoising',
        step: 1,
        steps: job.steps,
        fraction: 0.5,
        etaMs: 1000,
        preview: job.image,
      });
      if (engine.hold) {
        await new Promise<void>((resolve, reject) => {
          releaseHeld = resolve;
          rejectHeld = reject;
        });
      }
      return {
        jobId: job.id,
        image: fakeEdit(job),
        seed: job.seed,
        steps: job.steps,
        guidance: job.guidance,
        average: job.average,
        bundleId: job.bundleId,
        backend: 'webgpu',
        timings: { totalMs: 42, denoising: 30 },
        memory: {
          plan: 'all-resident',
          budgetBytes: engine.memoryBudget === null ? null : engine.memoryBudget * 1024 ** 3,
          storageBufferCacheMode: 'simple',
          sessionsCreated: 0,
          phases: {},
        },
      };
    },
    cancel: async () => {
      rejectHeld?.(new EngineError('cancelled', 'The edit was cancelled.'));
    },
    memoryBudget: null,
    setMemoryBudget: async (gib) => {
      engine.memoryBudget = gib;
    },
  };
  return engine;
}

/** Deps for a test store: fake engine, in-memory sessions, counting ids, a fixed clock and seed. */
export function createTestDeps(engine: EngineApi = createFakeEngine()) {
  let n = 0;
  const stores = { records: createMemoryKv(), blobs: createMemoryKv(), settings: createMemoryKv() };
  const sessions = createSessionRepository(stores, () => 1000 + n);
  const deps: StudioDeps = { engine, sessions, newId: () => `id${++n}`, now: () => 1000 + n, randomSeed: () => 777 };
  return { deps, stores, sessions };
}

/** A w×h opaque image whose pixel p has RGB (p, 2p, 3p) mod 256. */
export function testImage(width = 16, height = 12): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) data.set([p & 255, (2 * p) & 255, (3 * p) & 255, 255], p * 4);
  return { width, height, data };
}

/** A photo stand-in: smooth colour waves plus per-pixel noise, as a camera sees texture and sensor noise. */
export function photoLikeImage(width: number, height: number, noise: number, seed = 7): RgbaImage {
  let state = seed;
  const jitter = () => ((state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 2 * noise;
  const data = new Uint8ClampedArray(4 * width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const waves = [120 + 80 * Math.sin(x / 37), 100 + 60 * Math.cos(y / 23), (255 * y) / height];
      data.set([...waves.map((v) => v + jitter()), 255], 4 * (y * width + x));
    }
  return { width, height, data };
}
