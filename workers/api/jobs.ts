import type { MaskImage } from './mask';
import type { Backend, RgbaImage } from './types';

/** One edit: the input image (the context), an instruction, optional extra references and a mask. */
export interface EditJob {
  /** Chosen by the caller (e.g. crypto.randomUUID()), so it can cancel the job before it finishes. */
  id: string;
  /**
   * The stored bundle to edit with. The engine opens it (or switches to it) itself, so the caller keeps no
   * record of what the engine has open; it must be complete and runnable here (checked before anything loads).
   */
  bundleId: string;
  image: RgbaImage;
  prompt: string;
  /** Extra reference images, in order; they become reference 2, 3, … (the input image is reference 1). */
  references: RgbaImage[];
  /**
   * Local edit, at the image's size: kept pixels come back bit-identical to the input, repainted ones follow
   * compositeMasked (api/mask.ts). Needs `size` 'input'.
   */
  mask: MaskImage | null;
  /** JOB_LIMITS (api/limits.ts) bounds this and every number below; the engine refuses a job outside them. */
  steps: number;
  guidance: number;
  /**
   * Denoising runs averaged into the result (1 = one plain sample). Run 0 starts from the seed's noise,
   * run r from a seed hashed from (seed, r). For a model trained to regress an exact edit, averaging removes its
   * sampling noise; a model that should pick one of many plausible images (the real FLUX.1 Kontext) wants 1.
   */
  average: number;
  /** uint32; the same seed, bundle and backend give identical output bytes. */
  seed: number;
  /** 'input': the result has the input's size and aspect; 'native': the model's bucket size. */
  size: 'input' | 'native';
  /** Send a decoded x0 preview every this many steps (0 = none). */
  previewEvery: number;
  /**
   * Copy every pixel the model left (nearly) unchanged back from the input, byte for byte, so untouched areas
   * do not soften turn after turn (kontext/keepUnchanged). Needs a result at the input's size; a global edit
   * (over a quarter of the picture changed) comes back as the model made it.
   */
  keepUnchanged: boolean;
  /**
   * Fast mode, off when absent or 0: the relative-L1 threshold of the first-block cache (kontext/firstBlockCache):
   * a step whose first DiT block changed less than this since the last full step skips the other blocks. Only
   * bundles converted with `--first-block-cache` can; others run every block. It runs the step-by-step loop,
   * which reads the velocity back every step, also on WebGPU.
   */
  firstBlockCache?: number;
}

/** Denoising steps a job runs in all (every averaged run counts): what progress, ETA and previews count. */
export const countJobSteps = (job: Pick<EditJob, 'steps' | 'average'>): number => job.steps * job.average;

export type JobPhase = 'queued' | 'loading' | 'encoding-text' | 'encoding-images' | 'denoising' | 'decoding' | 'done';

/** Progress of one job, sent through a Comlink-proxied callback. */
export interface JobProgress {
  jobId: string;
  phase: JobPhase;
  /** Denoising step (0 … steps) and total steps (steps × average: every averaged run counts). */
  step: number;
  steps: number;
  /** 0 … 1 over the whole job. */
  fraction: number;
  /** Estimated milliseconds left, null until it can be estimated. */
  etaMs: number | null;
  /** The current x0 estimate, decoded, when a preview is due. */
  preview?: RgbaImage;
}

export interface EditResult {
  jobId: string;
  image: RgbaImage;
  seed: number;
  steps: number;
  guidance: number;
  average: number;
  bundleId: string;
  backend: Backend;
  /** Wall time per phase, ms. */
  timings: Partial<Record<JobPhase, number>> & { totalMs: number };
  /** Which sessions the memory plan kept, what this edit opened, and the bytes each phase held. */
  memory: EditMemory;
}

/**
 * Which sessions stay open across phases and edits (workers/runtime/memoryPlan.ts): all of them; the DiT and the
 * AE, with the text encoders opened for new prompts; or each phase's own, the DiT reopened every edit.
 */
export type MemoryPlanKind = 'all-resident' | 'dit-ae-resident' | 'per-phase';

/** onnxruntime's WebGPU storage-buffer cache modes. */
export type BufferCacheMode = 'disabled' | 'lazyRelease' | 'simple' | 'bucket';

/** What one phase of an edit held at its peak. */
export interface PhaseMemory {
  /** Weight bytes of the sessions open (the manifest's sizes). */
  sessionBytes: number;
  /** Bytes in live GPU buffers, counted at createBuffer/destroy; null on WASM. */
  gpuBytes: number | null;
  /** onnxruntime sessions this phase created (each DiT segment counts). */
  sessionsCreated: number;
}

export interface EditMemory {
  plan: MemoryPlanKind;
  /** The budget planned for, bytes; null when unbounded. */
  budgetBytes: number | null;
  /** The storage-buffer cache mode the sessions asked onnxruntime for; null on WASM. */
  storageBufferCacheMode: BufferCacheMode | null;
  sessionsCreated: number;
  phases: Partial<Record<JobPhase, PhaseMemory>>;
}

/**
 * Where a bundle comes from: a URL of its folder (manifest.json inside), files the user picked, or the
 * bundle shipped with the app (kontext-micro), which is fetched from our own origin like any URL.
 */
export type BundleSource = { kind: 'url'; url: string } | { kind: 'files'; files: File[] } | { kind: 'embedded' };

/** Where the shipped bundle lives, relative to the app's base URL (public/bundles/kontext-micro/). */
export const EMBEDDED_BUNDLE_PATH = 'bundles/kontext-micro/';

/** Download/verification state of one bundle file. */
export interface FileProgress {
  path: string;
  bytes: number;
  loaded: number;
  state: 'pending' | 'downloading' | 'verifying' | 'verified' | 'failed';
}

/** A LoRA the converter merged into the DiT weights (before quantisation), as the model manager shows it. */
export interface BundleLora {
  /** The LoRA file's name without `.safetensors`. */
  name: string;
  /** Of the LoRA file as given to the converter. */
  sha256: string;
  /** 1 = as trained; the merged update is strength · alpha/rank · B·A. */
  strength: number;
}

/** A bundle known to this browser. */
export interface BundleInfo {
  id: string;
  name: string;
  weights: 'fp32' | 'fp16' | 'int4';
  /** Components whose graphs compute in fp16 (manifest `precision`), e.g. ['dit', 't5']; they need shader-f16. */
  fp16Activations: string[];
  totalBytes: number;
  /** True when every file is stored and its sha256 matched the manifest. */
  complete: boolean;
  files: FileProgress[];
  /** Why this machine cannot run it, if it cannot (checked before any download). */
  unsupportedReason: string | null;
  embedded: boolean;
  /** The sampler settings the bundle was made for (manifest `sampling`); null while its manifest is unread. */
  defaults: SamplingDefaults | null;
  /** LoRAs merged into its DiT (manifest `loras`); empty when none or while its manifest is unread. */
  loras: BundleLora[];
  /** The images the model was made for (manifest `domain`); null when it takes any image, or is unread. */
  domain: InputDomain | null;
}

/**
 * A model's input domain, from its manifest: the UI says so when an image is outside it (src/lib/imageDomain.ts
 * measures the image). Real FLUX.1 Kontext bundles declare none.
 */
export interface InputDomain {
  /** In words, after "made for": e.g. "simple drawings, 64×64". */
  description: string;
  /** An image shrunk to this size (the model's native resolution) with fewer flat neighbour pairs is outside. */
  minFlatShare: number;
  /** [width, height]: the manifest's first resolution bucket. */
  measureSize: [number, number];
}

export interface SamplingDefaults {
  steps: number;
  guidance: number;
  average: number;
}

/** Browser storage as the Storage API reports it. */
export interface StorageInfo {
  usage: number;
  quota: number;
  persisted: boolean;
}
