import { EngineError } from './api/errors';
import { describeLimitViolation, VRAM_BUDGET_GIB } from './api/limits';
import type { EngineApi } from './api/engine';
import type { BundleStore } from './cache';
import { createEditing, getUnsupportedReason, type EditingDeps } from './editing';
import type { BackendChoice, Capabilities, ModelFiles, RgbaImage, RoundTripResult } from './api/types';
import { imageToTensor, psnr, tensorToImage } from './kontext/image';
import type { Manifest } from './bundle/manifest';
import { measureAttentionError } from './runtime/attentionCheck';
import {
  checkBundleAttention,
  createMemoryVerdicts,
  describeVerdict,
  type VerdictStore,
} from './runtime/attentionGate';
import { getWasmThreads, prepareBackend } from './runtime/backend';
import { requestGpu, type GpuHandle } from './runtime/gpu';
import type { Ort, RuntimeTarget } from './runtime/ort';
import { runAutoencoder } from './runtime/roundTrip';
import { createQueue } from './runtime/session';
import { timed } from './runtime/timeline';

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
  /** Attention-check verdicts per adapter (IndexedDB in the worker); in memory when absent. */
  verdicts?: VerdictStore;
  /** Reads weight files whole on another thread; on the engine's when absent. */
  readWhole?: EditingDeps['readWhole'];
  /** Where the bundle opened last is noted, for the next start to read ahead (readBundleAhead). */
  lastBundle?: EditingDeps['lastBundle'];
  /** What the reading thread started reading with the engine (readsWorker.ts), for that bundle's first sessions. */
  early?: EditingDeps['early'];
}

/** Builds the EngineApi the worker exposes. No global state: everything lives in this closure. */
export function createEngine(deps: EngineDeps): EngineApi {
  const serial = createQueue();
  let target: RuntimeTarget | null = null;
  let capabilities: Capabilities | null = null;
  let lostReason: string | null = null;
  let gpuHandle: GpuHandle | null = null;
  let memoryBudget: number | null = null;
  const verdicts = deps.verdicts ?? createMemoryVerdicts();
  const editing = createEditing({
    bundles: deps.bundles,
    loadOrt: deps.loadOrt,
    getTarget: requireTarget,
    prepareTarget,
    getCapabilities: () => capabilities,
    getMemoryBudget: () => memoryBudget,
    serial,
    hashImage: deps.hashImage,
    readWhole: deps.readWhole,
    lastBundle: deps.lastBundle,
    early: deps.early,
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

  /** Makes `handle`'s device the target, watching for its loss (a destroy() of ours is not a loss). */
  function adopt(handle: GpuHandle): void {
    const device = handle.device;
    gpuHandle = handle;
    target = { backend: 'webgpu', device };
    void device.lost.then((info) => {
      if (target?.backend === 'webgpu' && target.device === device && info.reason !== 'destroyed') {
        lostReason = info.message || info.reason;
      }
    });
  }

  /**
   * Runs before a bundle's sessions are created (none are open then): the attention check at its DiT's shape,
   * on a device of its own, or the verdict stored for this adapter; then the target gets 'subgroups' exactly
   * when the check passed, replacing the device if it has the wrong set.
   */
  async function prepareTarget(manifest: Manifest): Promise<void> {
    const handle = gpuHandle;
    if (!handle || target?.backend !== 'webgpu' || !handle.adapterSubgroups) return;
    const ort = await deps.loadOrt();
    const verdict = await checkBundleAttention(
      manifest.model.dit,
      { info: handle.info, ortVersion: deps.ortVersion },
      verdicts,
      async (shape) => {
        const probe = await requestGpu(deps.gpu, { subgroups: true });
        if (!('device' in probe)) throw new Error(probe.reason);
        try {
          return await measureAttentionError(ort, probe.device, shape);
        } finally {
          probe.device.destroy();
        }
      },
    );
    let next = handle;
    if (verdict.passed !== handle.info.subgroups) {
      const other = await requestGpu(deps.gpu, { subgroups: verdict.passed });
      if (!('device' in other)) throw new EngineError('no-webgpu', `WebGPU is not available: ${other.reason}.`);
      handle.device.destroy();
      next = other;
    }
    adopt({ ...next, info: { ...next.info, attentionCheck: describeVerdict(verdict, verdict.shape) } });
    if (capabilities) capabilities = { ...capabilities, gpu: gpuHandle!.info };
  }

  async function init(choice: BackendChoice): Promise<Capabilities> {
    const gpu = await prepareBackend(await deps.loadOrt(), choice, deps);
    const handle = gpu && 'device' in gpu ? gpu : null;
    if (choice === 'webgpu' && !handle) {
      throw new EngineError(
        'no-webgpu',
        `WebGPU is not available: ${gpu && 'reason' in gpu ? gpu.reason : 'unknown reason'}.`,
      );
    }
    // WASM again (Auto chose it, now the user does): the same target, so the open bundle's warmed sessions stay.
    if (handle || target?.backend !== 'wasm') {
      await editing.reset(); // sessions belong to the old backend
      if (target?.backend === 'webgpu') target.device.destroy();
      lostReason = null;
      if (handle) adopt(handle);
      else {
        target = { backend: 'wasm' };
        gpuHandle = null;
      }
    }
    capabilities = {
      backend: handle ? 'webgpu' : 'wasm',
      fallback: choice === 'auto' && !handle,
      fallbackReason: choice === 'auto' && gpu && 'reason' in gpu ? gpu.reason : undefined,
      refusedAdapter: choice === 'auto' && gpu && 'reason' in gpu ? gpu.refusedAdapter : undefined,
      gpu: handle ? handle.info : null,
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
    init: (choice) => serial(() => timed('init backend', () => init(choice))),
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
    addBundle: (source, onProgress) => timed('add bundle', () => deps.bundles.addBundle(source, onProgress)),
    deleteBundle: async (id) => {
      if (editing.getSelected() === id) await serial(() => editing.reset());
      await deps.bundles.deleteBundle(id);
    },
    selectBundle: (id) => editing.selectBundle(id),
    prepareImages: (id, images) => editing.prepareImages(id, images),
    getStorageInfo: () => deps.bundles.getStorageInfo(),
    edit: (job, onProgress) => editing.edit(job, onProgress),
    cancel: (jobId) => editing.cancel(jobId),
    setMemoryBudget: async (gib) => {
      const wrong = gib === null ? null : describeLimitViolation('The VRAM budget (GiB)', gib, VRAM_BUDGET_GIB);
      if (wrong) throw new EngineError('bad-input', `${wrong}.`);
      memoryBudget = gib === null ? null : Math.round(gib * 1024 ** 3);
    },
  };
}
