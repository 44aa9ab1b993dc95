/**
 * @file The autoencoder check (Diagnostics view): encode → decode an image on the chosen backend.
 */
import type { ModelFiles, RgbaImage } from '../../../workers/api';
import { describeEngineError } from '../../engine/messages';
import type { ActionContext } from './context';

export interface DiagnosticsActions {
  setDiagnosticsImage(name: string, pixels: RgbaImage): void;
  setModel(role: 'encoder' | 'decoder', files: ModelFiles): void;
  runRoundTrip(): Promise<void>;
}

export function createDiagnosticsActions(ctx: ActionContext<DiagnosticsActions>): DiagnosticsActions {
  const { get, set, deps } = ctx;
  const patch = (d: Partial<ReturnType<typeof get>['diagnostics']>) =>
    set((s) => ({ diagnostics: { ...s.diagnostics, ...d } }));
  return {
    setDiagnosticsImage(name, pixels) {
      patch({ image: { name, pixels }, result: null });
      set({ notice: null });
    },
    setModel(role, files) {
      patch(role === 'encoder' ? { encoder: files } : { decoder: files });
      set({ notice: null });
    },
    async runRoundTrip() {
      const { image, encoder, decoder } = get().diagnostics;
      if (!image) return set({ notice: { severity: 'error', text: 'Open an image first.' } });
      if (!encoder || !decoder)
        return set({
          notice: { severity: 'error', text: 'Choose both the encoder and the decoder model files first.' },
        });
      patch({ busy: true });
      set({ notice: null });
      try {
        patch({ result: await deps.engine.roundTrip(encoder, decoder, image.pixels) });
      } catch (e) {
        set({ notice: { severity: 'error', text: describeEngineError(e) } });
      } finally {
        patch({ busy: false });
      }
    },
  };
}
