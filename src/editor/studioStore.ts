import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BackendChoice, Capabilities, EngineApi, ModelFiles, RgbaImage, RoundTripResult } from '../../workers/api';

/** A message for the user: what went wrong (error) or what is happening (info). */
export interface Notice {
  kind: 'error' | 'info';
  text: string;
}

/** Everything the UI shows lives here, outside React. */
export interface StudioState {
  backendChoice: BackendChoice;
  capabilities: Capabilities | null;
  /** The image the user opened, with its file name. */
  image: { name: string; pixels: RgbaImage } | null;
  encoder: ModelFiles | null;
  decoder: ModelFiles | null;
  roundTrip: RoundTripResult | null;
  busy: boolean;
  notice: Notice | null;
}

/** The actions the UI calls; each one leaves the state consistent even when the engine throws. */
export interface StudioActions {
  chooseBackend(choice: BackendChoice): Promise<void>;
  setImage(name: string, pixels: RgbaImage): void;
  setModel(role: 'encoder' | 'decoder', files: ModelFiles): void;
  runRoundTrip(): Promise<void>;
  report(notice: Notice | null): void;
}

export type StudioStore = StoreApi<StudioState & StudioActions>;

/** Creates the store around an engine (the Comlink client in the app, anything EngineApi-shaped in tests). */
export function createStudioStore(engine: EngineApi): StudioStore {
  return createStore<StudioState & StudioActions>()((set, get) => {
    /** Runs one engine call with the busy flag up, turning a failure into a notice instead of lost state. */
    async function withEngine(work: () => Promise<void>): Promise<void> {
      set({ busy: true, notice: null });
      try {
        await work();
      } catch (e) {
        set({ notice: { kind: 'error', text: (e as Error).message } });
      } finally {
        set({ busy: false });
      }
    }

    return {
      backendChoice: 'auto',
      capabilities: null,
      image: null,
      encoder: null,
      decoder: null,
      roundTrip: null,
      busy: false,
      notice: null,

      chooseBackend: (choice) =>
        withEngine(async () => {
          set({ backendChoice: choice });
          set({ capabilities: await engine.init(choice) });
        }),
      setImage: (name, pixels) => set({ image: { name, pixels }, roundTrip: null, notice: null }),
      setModel: (role, files) => set(role === 'encoder' ? { encoder: files, notice: null } : { decoder: files, notice: null }),
      runRoundTrip: () =>
        withEngine(async () => {
          const { image, encoder, decoder } = get();
          if (!image) throw new Error('Open an image first.');
          if (!encoder || !decoder) throw new Error('Choose both the encoder and the decoder model files first.');
          set({ roundTrip: await engine.roundTrip(encoder, decoder, image.pixels) });
        }),
      report: (notice) => set({ notice }),
    };
  });
}
