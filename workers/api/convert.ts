/**
 * @file The conversion worker's API (workers/convert.worker.ts), exposed with Comlink: a model folder the user
 * picked (FLUX.1 Kontext [dev] checkpoints, official layout or as people have them) → a bundle in the same
 * IndexedDB store the engine reads. Every method may throw an EngineError (toEngineError on the UI side).
 */

/** The conversion's steps, in order: each one's files are complete once it is `stored`. */
export const CONVERT_STEPS = ['dit', 't5', 'clip', 'ae', 'extras'] as const;
export type ConvertStep = (typeof CONVERT_STEPS)[number];

/** The bundle format asked for (the CLI's --dtype and --segments). */
export interface ConvertFormat {
  weights: 'int4' | 'fp16' | 'fp32';
  /** DiT graphs the transformer is cut into (1 = one graph). */
  segments: number;
}

/**
 * What the user picked: `files` are named by their path inside the picked folder (`text_encoder/config.json`),
 * `name` is the folder's own name.
 */
export interface ConvertRequest {
  name: string;
  files: File[];
  format: ConvertFormat;
}

/** One step's progress: bytes of its source tensors and, while it runs, the time left at its current rate. */
export interface ConvertStepState {
  step: ConvertStep;
  doneBytes: number;
  totalBytes: number;
  state: 'pending' | 'converting' | 'stored';
  etaSeconds: number | null;
}

/**
 * A conversion stopped before it finished (cancelled, failed, or the tab closed). Its stored steps are kept;
 * converting the same folder with the same format again resumes at the first step not stored. The picked files
 * themselves are not kept (storing a `File` in IndexedDB copies it: 34 GB for FLUX), so a resume asks for the
 * folder again and checks it is the same one.
 */
export interface PendingConversion {
  /** The bundle id it will publish. */
  id: string;
  /** The picked folder's name. */
  name: string;
  format: ConvertFormat;
  stored: ConvertStep[];
  /** The picked files, to recognise the same folder again. */
  files: { path: string; bytes: number }[];
}

export interface ConvertApi {
  /**
   * Converts the picked folder into the bundle store, resuming a pending conversion of the same folder and
   * format. The bundle is listed (and selectable) only once every file is stored whole (hashed as written, every
   * chunk present).
   * `onProgress` (pass it through Comlink.proxy) gets every step's state.
   * @returns the new bundle's id.
   * @throws EngineError `bad-input` naming what is missing or wrong in the folder (e.g. tokenizer files), or that
   *   the bundle is installed already; `cancelled` after {@link cancel}; `quota` when storage runs out.
   */
  convert(request: ConvertRequest, onProgress: (steps: ConvertStepState[]) => void): Promise<string>;
  /** Stops the running conversion before its next tensor; what is stored stays for a resume. */
  cancel(): Promise<void>;
  /** Conversions stored in this browser and not finished. */
  listPending(): Promise<PendingConversion[]>;
  /** Forgets a pending conversion and deletes what it stored. */
  discardPending(id: string): Promise<void>;
}
