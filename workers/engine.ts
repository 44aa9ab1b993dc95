import { EngineError } from './api/errors';
import type { EngineApi } from './api/engine';
import type { BundleStore } from './cache';
import { createEditing, getUnsupportedReason } from './editing';
import type { BackendChoice, Capabilities, ModelFiles, RgbaImage, RoundTripResult } from './api/types';
import { imageToTensor, psnr, tensorToImage } from './kontext/image';
import { getWasmThreads, prepareBackend } from './runtime/backend';
import type { Ort, RuntimeTarget } from './runtime/ort';
import { runAutoencoder } from './runtime/roundTrip';
import { createQueue } from './runtime/session';

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
    const gpu = await prepareBackend(await deps.loadOrt(), choice, deps);
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
      refusedAdapter: choice === 'auto' && gpu && 'reason' in gpu ? gpu.refusedAdapter : undefined,
      gpu: gpuHandle ? gpuHandle.info : null,
      ortBuild: deps.ortBuild,
      ortVersion: deps.ortVersion,
      wasmThreads: getWasmThreads(deps),
      crossOriginIsolated: deps.crossOriginIsolated,
    };
    return capabilities;
  }

  async function roundTrip(encoder: ModelFiles, decoder: ModelFiles, image: RgbaImage): Promise<RoundTripResult> {
    const where = requireTarget();
    if (image.width % 8 !== 0 || image.height % 8 !== 0 || image.width === 0 || image.height === 0) {
      throw new EngineError(
        'bad-image',
        `The image is ${image.width}×${image.height}; both sides must be non-zero multiples of 8.`,
      );
    }
    const pass = await runAutoencoder(await deps.loadOrt(), where, encoder, decoder, {
      data: imageToTensor(image),
      dims: [1, 3, image.height, image.width],
    });
    const [, , h, w] = pass.decoded.dims;
    if (h !== image.height || w !== image.width) {
      throw new EngineError('bad-model', `the decoder returned ${w}×${h} for a ${image.width}×${image.height} input`);
    }
    const out = tensorToImage(pass.decoded.data, w, h);
    requireTarget(); // a device lost mid-run must not pass off garbage as a result
    return {
      image: out,
      decoded: pass.decoded.data,
      latentShape: pass.latent.dims,
      psnr: psnr(image, out),
      backend: where.backend,
      encodeMs: pass.encodeMs,
      decodeMs: pass.decodeMs,
    };
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
