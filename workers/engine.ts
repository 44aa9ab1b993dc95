import { EngineError } from './api/errors';
import type { EngineApi } from './api/engine';
import type { BundleStore } from './cache';
import { createEditing, getUnsupportedReason } from './editing';
import type { BackendChoice, Capabilities, ModelFiles, RgbaImage, RoundTripResult } from './api/types';
import { imageToTensor, psnr, tensorToImage } from './kontext/image';
import { requestCheckedGpu } from './runtime/attentionCheck';
import type { Ort, OrtSession, RuntimeTarget } from './runtime/ort';
import { createQueue, createSession } from './runtime/session';

/** What the engine needs from its host; the worker entry passes the browser's, tests pass Node's. */
export interface EngineDeps {
  /** Resolves to the onnxruntime module (imported lazily so the worker can answer at once). */
  loadOrt: () => Promise<Ort>;
  gpu: GPU | undefined;
  ortBuild: Capabilities['ortBuild'];
  ortVersion: string;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /** Stored bundles (IndexedDB in the worker, memory in tests). */
  bundles: BundleStore;
  /** Content key of an image (SHA-256 of its pixels) for the encoder cache. */
  hashImage: (image: RgbaImage) => Promise<string>;
}

/** Builds the EngineApi the worker exposes. No global state: everything lives in this closure. */
export function createEngine(deps: EngineDeps): EngineApi {
  const serial = createQueue();
  let target: RuntimeTarget | null = null;
  let capabilities: Capabilities | null = null;
  let lostReason: string | null = null;
  const editing = createEditing({
    bundles: deps.bundles,
    loadOrt: deps.loadOrt,
    getTarget: requireTarget,
    getCapabilities: () => capabilities,
    serial,
    hashImage: deps.hashImage,
  });

  function requireTarget(): RuntimeTarget {
    if (lostReason)
      throw new EngineError(
        'device-lost',
        `The GPU device was lost (${lostReason}). Choose a backend again to recover.`,
      );
    if (!target) throw new EngineError('not-initialized', 'The engine has not been initialised yet.');
    return target;
  }

  async function init(choice: BackendChoice): Promise<Capabilities> {
    const ort = await deps.loadOrt();
    // numThreads 0 = onnxruntime's choice (half the cores, at most 4); it needs cross-origin isolation.
    ort.env.wasm.numThreads = deps.crossOriginIsolated ? 0 : 1;
    const gpu = choice === 'wasm' ? null : await requestCheckedGpu(deps.gpu, ort);
    const gpuHandle = gpu && 'device' in gpu ? gpu : null;
    if (choice === 'webgpu' && !gpuHandle) {
      throw new EngineError(
        'no-webgpu',
        `WebGPU is not available: ${gpu && 'reason' in gpu ? gpu.reason : 'unknown reason'}.`,
      );
    }
    await editing.reset(); // sessions belong to the old backend
    if (target?.backend === 'webgpu') target.device.destroy();
    lostReason = null;
    if (gpuHandle) {
      const device = gpuHandle.device;
      target = { backend: 'webgpu', device };
      void device.lost.then((info) => {
        if (target?.backend === 'webgpu' && target.device === device && info.reason !== 'destroyed') {
          lostReason = info.message || info.reason;
        }
      });
    } else {
      target = { backend: 'wasm' };
    }
    capabilities = {
      backend: target.backend,
      fallback: choice === 'auto' && !gpuHandle,
      fallbackReason: choice === 'auto' && gpu && 'reason' in gpu ? gpu.reason : undefined,
      gpu: gpuHandle ? gpuHandle.info : null,
      ortBuild: deps.ortBuild,
      ortVersion: deps.ortVersion,
      wasmThreads: deps.crossOriginIsolated ? Math.min(4, Math.max(1, Math.floor(deps.hardwareConcurrency / 2))) : 1,
      crossOriginIsolated: deps.crossOriginIsolated,
    };
    return capabilities;
  }

  async function run(session: OrtSession, ort: Ort, input: string, data: Float32Array, dims: number[], output: string) {
    const feeds = { [input]: new ort.Tensor('float32', data, dims) };
    const results = await session.run(feeds);
    const tensor = results[output];
    if (!tensor)
      throw new EngineError(
        'bad-model',
        `the model has no output "${output}" (it has ${session.outputNames.join(', ')})`,
      );
    return { data: (await tensor.getData()) as Float32Array, dims: [...tensor.dims] };
  }

  async function roundTrip(encoder: ModelFiles, decoder: ModelFiles, image: RgbaImage): Promise<RoundTripResult> {
    const where = requireTarget();
    if (image.width % 8 !== 0 || image.height % 8 !== 0 || image.width === 0 || image.height === 0) {
      throw new EngineError(
        'bad-image',
        `The image is ${image.width}×${image.height}; both sides must be non-zero multiples of 8.`,
      );
    }
    const ort = await deps.loadOrt();
    const sessions: OrtSession[] = [];
    try {
      const enc = await createSession(ort, encoder, where);
      sessions.push(enc);
      const dec = await createSession(ort, decoder, where);
      sessions.push(dec);
      const t0 = performance.now();
      const latent = await run(enc, ort, 'image', imageToTensor(image), [1, 3, image.height, image.width], 'latent');
      const t1 = performance.now();
      const pixels = await run(dec, ort, 'latent', latent.data, latent.dims, 'image');
      const t2 = performance.now();
      const [, , h, w] = pixels.dims;
      if (h !== image.height || w !== image.width) {
        throw new EngineError('bad-model', `the decoder returned ${w}×${h} for a ${image.width}×${image.height} input`);
      }
      const out = tensorToImage(pixels.data, w, h);
      requireTarget(); // a device lost mid-run must not pass off garbage as a result
      return {
        image: out,
        decoded: pixels.data,
        latentShape: latent.dims,
        psnr: psnr(image, out),
        backend: where.backend,
        encodeMs: t1 - t0,
        decodeMs: t2 - t1,
      };
    } finally {
      await Promise.all(sessions.map((s) => s.release()));
    }
  }

  return {
    init: (choice) => serial(() => init(choice)),
    getCapabilities: async () => {
      requireTarget();
      return capabilities!;
    },
    roundTrip: (encoder, decoder, image) => serial(() => roundTrip(encoder, decoder, image)),
    listBundles: async () =>
      (await deps.bundles.listBundles()).map((b) => ({
        ...b,
        unsupportedReason: getUnsupportedReason(b, capabilities),
      })),
    addBundle: (source, onProgress) => deps.bundles.addBundle(source, onProgress),
    deleteBundle: async (id) => {
      if (editing.getSelected() === id) await serial(() => editing.reset());
      await deps.bundles.deleteBundle(id);
    },
    selectBundle: (id) => editing.selectBundle(id),
    getStorageInfo: () => deps.bundles.getStorageInfo(),
    edit: (job, onProgress) => editing.edit(job, onProgress),
    cancel: (jobId) => editing.cancel(jobId),
  };
}
