import type { BundleInfo, BundleSource, EditJob, EditResult, FileProgress, JobProgress, StorageInfo } from './jobs';
import type { BackendChoice, Capabilities, ModelFiles, RgbaImage, RoundTripResult } from './types';

/**
 * The inference worker's API, exposed with Comlink. Every method may throw an EngineError
 * (recover it on the UI side with toEngineError).
 */
export interface EngineApi {
  /** Picks the backend (WebGPU when an adapter exists, else WASM) and reports capabilities. Safe to call again. */
  init(choice: BackendChoice): Promise<Capabilities>;
  /** The capabilities of the current backend; throws `not-initialized` before init. */
  getCapabilities(): Promise<Capabilities>;
  /**
   * Encodes an image with an autoencoder's encoder and decodes it again (checks that a model works
   * on this machine). The image must have sides that are multiples of 8.
   */
  roundTrip(encoder: ModelFiles, decoder: ModelFiles, image: RgbaImage): Promise<RoundTripResult>;

  /** Bundles known to this browser (the embedded one first), with their verification state. */
  listBundles(): Promise<BundleInfo[]>;
  /**
   * Downloads (or imports) a bundle into the browser's storage, verifying every file's sha256; resumes at
   * the first unverified file. `onProgress` is called with every file's state (pass it through Comlink.proxy).
   */
  addBundle(source: BundleSource, onProgress: (files: FileProgress[]) => void): Promise<BundleInfo>;
  deleteBundle(id: string): Promise<void>;
  /**
   * Optional: opens a stored, complete bundle now (manifest, tokenizers), so the first edit on it starts
   * sooner. Edits never need it: each opens its own `job.bundleId`.
   * @throws EngineError `bundle-not-found`, `bundle-incomplete` or `unsupported`.
   */
  selectBundle(id: string): Promise<BundleInfo>;
  /**
   * Optional: encodes images (an edit's input and references) for the bundle open on this backend now, while the
   * user writes the prompt, so an edit on them skips the encoder. Resolves true when they are encoded, false when
   * it did nothing: the bundle is not open here yet (selectBundle), or a newer request replaced this one.
   */
  prepareImages(bundleId: string, images: RgbaImage[]): Promise<boolean>;
  getStorageInfo(): Promise<StorageInfo>;
  /**
   * Queues an edit on `job.bundleId`, opening or switching to that bundle itself; jobs run one at a time.
   * `onProgress` gets phase, step, ETA and previews. Everything that can be refused is refused before any model
   * loads: a bad job (`bad-input`, `bad-image`), an unknown, incomplete or unrunnable bundle (`bundle-not-found`,
   * `bundle-incomplete`, `unsupported`). Rejects with `cancelled` when {@link cancel} stops it.
   */
  edit(job: EditJob, onProgress: (progress: JobProgress) => void): Promise<EditResult>;
  /** Stops a queued or running job within one denoising step; the engine stays usable. */
  cancel(jobId: string): Promise<void>;
  /**
   * Sets the VRAM budget in GiB (VRAM_BUDGET_GIB), or none with null; the next edit plans its sessions for
   * it (workers/runtime/memoryPlan.ts), reopening them only if the plan changed.
   * @throws EngineError `bad-input` for a budget outside the limit.
   */
  setMemoryBudget(gib: number | null): Promise<void>;
}
