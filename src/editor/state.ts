/**
 * @file The studio's state: everything the UI shows, held outside React in one zustand vanilla store.
 */
import type {
  BackendChoice,
  BundleInfo,
  Capabilities,
  ConvertFormat,
  ConvertStepState,
  EditMemory,
  FileProgress,
  JobProgress,
  MaskImage,
  ModelFiles,
  RgbaImage,
  PendingConversion,
  RoundTripResult,
  SamplingDefaults,
  StorageInfo,
} from '../../workers/api';
import type { HistoryTree, ImageRef } from './history/types';
import type { SessionMeta } from './ports';
import type { ActiveTool } from './tools/CanvasTools';
import type { Size, Viewport } from './viewport';

/**
 * How much a message matters: info (what happened, fades by itself), warning (worth reading, not a failure),
 * error (something the user asked for did not happen).
 */
type NoticeSeverity = 'info' | 'warning' | 'error';

/** A message for the user. Actions set the latest one as `notice`; the store stacks them as `toasts`. */
export interface Notice {
  severity: NoticeSeverity;
  text: string;
}

/** A notice on screen; `id` tells equal texts apart so one toast can be dismissed. */
export interface Toast extends Notice {
  id: number;
}

export type View = 'editor' | 'sessions' | 'models' | 'diagnostics';

/**
 * Boot's restore of the last session: `checking` until boot knows whether there is one, `restoring` while it loads,
 * `idle` once it is shown, failed, or was overridden by the user opening something else. Until then the canvas shows
 * that work is being restored, not the start screen, so nothing clicked there is lost when the session appears.
 */
type RestoreState = { phase: 'checking' } | { phase: 'restoring'; sessionId: string; name: string } | { phase: 'idle' };

/** A side panel shown as a drawer over the canvas (narrow windows; on wide ones both panels are always there). */
export type Drawer = 'left' | 'right';

/** The next edit's settings. `seedMode` random draws a new seed per Generate; locked reuses `seed`. */
export interface PromptSettings {
  text: string;
  steps: number;
  guidance: number;
  /** Denoising runs averaged into each result (EditJob.average). */
  average: number;
  seedMode: 'random' | 'locked';
  seed: number;
  size: 'input' | 'native';
  /** 'model': steps, guidance and average follow the active bundle's defaults; 'custom': the user chose them. */
  sampling: 'model' | 'custom';
  /** Variations per Generate: sibling turns from the same input, seeds random or locked seed, seed+1, … */
  count: number;
  /** Copy pixels the model left unchanged back from the input (EditJob.keepUnchanged), so turns do not soften them. */
  keepUnchanged: boolean;
}

/** Earlier masks, newest last; `null` stands for "no mask". Kept in memory only, at most MASK_UNDO_LIMIT. */
export interface MaskHistory {
  undo: (MaskImage | null)[];
  redo: (MaskImage | null)[];
}

export const NO_MASK_HISTORY: MaskHistory = { undo: [], redo: [] };
export const MASK_UNDO_LIMIT = 30;

/** The edit that is running. */
export interface RunningJob {
  id: string;
  sessionId: string;
  parentId: string;
  startedAt: number;
  progress: JobProgress | null;
  preview: RgbaImage | null;
  cancelling: boolean;
  /** Which of the Generate's variations this is (1-based), and how many were asked for. */
  variation: { index: number; total: number };
}

/** An image over the size limit, and the size it would have downscaled: downscale it, or leave it? */
export interface DownscaleOffer {
  name: string;
  width: number;
  height: number;
  /** The size after downscaling: the longer side at `maxSide`, the aspect ratio kept. */
  target: Size;
  maxSide: number;
}

/** An image the user dropped or pasted while a session was open: new session, or reference? */
interface PendingImage {
  name: string;
  image: RgbaImage;
}

export interface StudioState {
  view: View;
  helpOpen: boolean;
  /** The side panel open as a drawer, if any. */
  drawer: Drawer | null;
  /** The latest message; setting it to null withdraws every toast (what they reported no longer applies). */
  notice: Notice | null;
  /** The messages on screen, oldest first (see notices.ts). */
  toasts: Toast[];
  /** True once boot finished loading settings and the last session. */
  ready: boolean;
  restore: RestoreState;

  // session
  sessionId: string | null;
  sessionName: string;
  sessionCreatedAt: number;
  tree: HistoryTree | null;
  images: Record<string, RgbaImage>;
  masks: Record<string, MaskImage>;
  references: ImageRef[];
  /** The mask for the next edit, at the current image's size. Painted in place; `maskRevision` counts changes. */
  mask: MaskImage | null;
  maskRevision: number;
  /** The mask before each change since it was last reset (strokes, invert, clear), for Ctrl+Z; and what undo took back. */
  maskHistory: MaskHistory;
  /** Bumps whenever something that is saved changed (the autosave listens to it). */
  revision: number;
  sessions: SessionMeta[];
  pendingImage: PendingImage | null;
  downscaleOffer: DownscaleOffer | null;

  // canvas
  tool: ActiveTool;
  brush: { size: number; feather: number };
  overlayVisible: boolean;
  viewport: Viewport;
  viewSize: Size;
  /** True until the user zooms or pans: a resized canvas then refits the image. */
  autoFit: boolean;
  compare: boolean;
  compareSplit: number;

  // prompt + job
  prompt: PromptSettings;
  promptHistory: string[];
  job: RunningJob | null;

  // models + engine
  backendChoice: BackendChoice;
  capabilities: Capabilities | null;
  engineStarting: boolean;
  /** The VRAM budget the engine plans its sessions for (GiB); null: none set. */
  vramBudgetGiB: number | null;
  /** What the last edit held per phase (the Engine panel shows it). */
  lastEditMemory: EditMemory | null;
  bundles: BundleInfo[] | null;
  /** True once first-run installation of the shipped bundle has finished (or found none to install). */
  embeddedChecked: boolean;
  /** Generate was pressed before the model was ready: the edit starts when it is (cancel clears it). */
  waitingForModel: boolean;
  /**
   * The bundle and backend (`preparedKey`) whose sessions the engine has created and warmed up (selectBundle
   * returned, or failed: then the edit reports why). Until then the model is not ready: a first edit would wait.
   */
  preparedBundle: string | null;
  /** The images the engine has encoded for the next edit (prepareImages.ts), by their key; null: none yet. */
  preparedImages: string | null;
  /** The bundle the user chose; each job names the active one (selectActiveBundle) and the engine opens it. */
  selectedBundleId: string | null;
  bundleUrls: Record<string, string>;
  /** Downloads running or failed, by source key (the URL, or `files:<folder>`); `bundleId` once one is stored. */
  downloads: Record<
    string,
    { label: string; files: FileProgress[]; error: string | null; running: boolean; bundleId?: string }
  >;
  storage: StorageInfo | null;
  conversion: ConversionState;

  // diagnostics (autoencoder round trip)
  diagnostics: {
    image: { name: string; pixels: RgbaImage } | null;
    encoder: ModelFiles | null;
    decoder: ModelFiles | null;
    result: RoundTripResult | null;
    busy: boolean;
  };
}

/** Converting a model folder in the browser (the conversion worker). */
export interface ConversionState {
  /** The bundle format the next conversion writes. */
  format: ConvertFormat;
  /** The running conversion, or the last one that stopped (with why); null once it finished or was dismissed. */
  current: { name: string; steps: ConvertStepState[]; running: boolean; error: string | null } | null;
  /** Conversions stored in this browser and not finished: picking the same folder again resumes them. */
  pending: PendingConversion[];
}

/** The prompt settings that follow the active bundle's sampler defaults until the user chooses their own. */
export const SAMPLER_KEYS = ['steps', 'guidance', 'average'] as const satisfies readonly (keyof SamplingDefaults &
  keyof PromptSettings)[];

/** Whether the prompt's sampler settings differ from a bundle's defaults. */
export function differsFromDefaults(prompt: PromptSettings, defaults: SamplingDefaults): boolean {
  return SAMPLER_KEYS.some((k) => prompt[k] !== defaults[k]);
}

/** Steps, guidance and average here apply only while no bundle with defaults is active. */
const DEFAULT_PROMPT: PromptSettings = {
  text: '',
  steps: 8,
  guidance: 2.5,
  average: 1,
  seedMode: 'random',
  seed: 0,
  size: 'input',
  sampling: 'model',
  count: 1,
  keepUnchanged: true,
};

export function createInitialState(): StudioState {
  return {
    view: 'editor',
    helpOpen: false,
    drawer: null,
    notice: null,
    toasts: [],
    ready: false,
    restore: { phase: 'checking' },
    sessionId: null,
    sessionName: '',
    sessionCreatedAt: 0,
    tree: null,
    images: {},
    masks: {},
    references: [],
    mask: null,
    maskRevision: 0,
    maskHistory: NO_MASK_HISTORY,
    revision: 0,
    sessions: [],
    pendingImage: null,
    downscaleOffer: null,
    tool: 'brush',
    brush: { size: 24, feather: 0.3 },
    overlayVisible: true,
    viewport: { zoom: 1, panX: 0, panY: 0 },
    viewSize: { width: 800, height: 600 },
    autoFit: true,
    compare: false,
    compareSplit: 0.5,
    prompt: { ...DEFAULT_PROMPT },
    promptHistory: [],
    job: null,
    backendChoice: 'auto',
    capabilities: null,
    engineStarting: false,
    vramBudgetGiB: null,
    lastEditMemory: null,
    bundles: null,
    embeddedChecked: false,
    waitingForModel: false,
    preparedBundle: null,
    preparedImages: null,
    selectedBundleId: null,
    bundleUrls: {},
    downloads: {},
    storage: null,
    // int4 in 4 DiT segments: what the README's CLI example writes for FLUX.1 Kontext [dev]
    conversion: { format: { weights: 'int4', segments: 4 }, current: null, pending: [] },
    diagnostics: { image: null, encoder: null, decoder: null, result: null, busy: false },
  };
}
