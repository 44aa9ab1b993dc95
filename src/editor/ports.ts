/**
 * @file What the editor core needs from the outside, passed in at store creation: the engine, storage,
 * ids, time and randomness. The app passes the browser's; tests pass fakes.
 */
import type { BackendChoice, ConvertApi, EngineApi, MaskImage, RgbaImage, SamplingDefaults } from '../../workers/api';
import type { HistoryTree, ImageRef } from './history/types';

/** The next edit's inputs that are not part of the tree yet. */
interface Draft {
  mask: MaskImage | null;
  references: ImageRef[];
  prompt: string;
}

/** A whole session as the editor holds it: the tree, every image and mask it refers to, and the draft. */
export interface SessionSnapshot {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  tree: HistoryTree;
  /** Turn images and references, by ImageRef id. */
  images: Record<string, RgbaImage>;
  /** Masks the turns used, by ImageRef id. */
  masks: Record<string, MaskImage>;
  draft: Draft;
}

/** One line of the session list. */
export interface SessionMeta {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  turns: number;
  /** A small PNG of the current image, for the list. */
  thumbnail: Blob | null;
}

/** Settings that outlive a session. */
export interface Settings {
  lastSessionId: string | null;
  promptHistory: string[];
  selectedBundleId: string | null;
  /** Where a bundle added by URL came from, so an interrupted download can resume. */
  bundleUrls: Record<string, string>;
  brush: { size: number; feather: number };
  steps: number | null;
  guidance: number | null;
  /** null (or absent in settings saved before it existed): follow the model. */
  average?: number | null;
  keepUnchanged: boolean;
  /** The backend the user chose; absent in settings saved before it was kept (Auto). */
  backend?: BackendChoice;
  /** The VRAM budget in GiB; null or absent: none. */
  vramBudgetGiB?: number | null;
}

/** Session storage. `save` must never leave a record that points at a missing image. */
export interface SessionPort {
  save(session: SessionSnapshot): Promise<void>;
  /** @throws Error when the session does not exist or is damaged. */
  load(id: string): Promise<SessionSnapshot>;
  list(): Promise<SessionMeta[]>;
  remove(id: string): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  loadSettings(): Promise<Partial<Settings>>;
  saveSettings(settings: Settings): Promise<void>;
}

export interface StudioDeps {
  engine: EngineApi;
  /** The conversion worker (model folder → bundle in the engine's store); absent where no test needs it. */
  converter?: ConvertApi;
  sessions: SessionPort;
  newId(): string;
  now(): number;
  /** A uniformly random uint32. */
  randomSeed(): number;
  /** Asks the browser to keep our storage (navigator.storage.persist); absent in tests. */
  requestPersistence?: () => Promise<boolean>;
  /** Where the embedded bundle's folder is served (its manifest.json inside). */
  embeddedBundleUrl?: (id: string) => string;
  /**
   * The embedded bundle's sampler defaults, known before it is installed (its manifest, read at build time), so
   * the prompt shows the model's values from the first frame rather than generic ones that jump on install.
   */
  embeddedDefaults?: SamplingDefaults | null;
}
