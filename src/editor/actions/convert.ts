/**
 * @file Converting a model folder in the browser: the picked files go to the conversion worker, its per-step
 * progress comes back into `conversion`, and the new bundle shows in Models once the worker has published it.
 */
import type { ConvertFormat } from '../../../workers/api';
import { toEngineError } from '../../../workers/api';
import type { ActionContext } from './context';

export interface ConvertActions {
  setConvertFormat(format: Partial<ConvertFormat>): void;
  /**
   * Converts the picked folder (`files` named by their path inside it) in `format` (the chosen one when absent);
   * the same folder and format as a pending conversion resumes it.
   */
  convertFolder(name: string, files: File[], format?: ConvertFormat): Promise<void>;
  /** Stops the running conversion; the steps it stored stay for a resume. */
  cancelConversion(): Promise<void>;
  /** Reads the pending conversions from the worker's store. */
  refreshConversions(): Promise<void>;
  /** Forgets a pending conversion and what it stored. */
  discardConversion(id: string): Promise<void>;
  /** Clears the last conversion's error panel. */
  dismissConversion(): void;
}

/** The bundle list and storage, refreshed after a conversion ends (models.ts provides them). */
interface After {
  refreshBundles(): Promise<void>;
  refreshStorage(): Promise<void>;
}

export function createConvertActions(ctx: ActionContext<ConvertActions & After>): ConvertActions {
  const { get, set, deps } = ctx;
  const setConversion = (patch: Partial<ReturnType<typeof get>['conversion']>) =>
    set((s) => ({ conversion: { ...s.conversion, ...patch } }));
  const converter = () => {
    if (!deps.converter) throw new Error('This build has no conversion worker.');
    return deps.converter;
  };

  const actions: ConvertActions = {
    setConvertFormat(format) {
      setConversion({ format: { ...get().conversion.format, ...format } });
    },

    async convertFolder(name, files, format = get().conversion.format) {
      if (get().conversion.current?.running) return;
      setConversion({ current: { name, steps: [], running: true, error: null } });
      set({ notice: null });
      // Ask for persistent storage as the bundle starts to fill it (workers cannot ask).
      void deps.requestPersistence?.().catch(() => false);
      try {
        const id = await converter().convert({ name, files, format }, (steps) => {
          const current = get().conversion.current;
          if (current?.running) setConversion({ current: { ...current, steps } });
        });
        setConversion({ current: null });
        set({ notice: { severity: 'info', text: `${name} is converted: ${id} is ready in Models.` } });
      } catch (e) {
        const error = toEngineError(e);
        const text =
          error.code === 'cancelled'
            ? 'Cancelled. The steps already stored are kept: pick the same folder again to resume.'
            : error.message;
        setConversion({ current: { ...get().conversion.current!, running: false, error: text } });
        if (error.code !== 'cancelled') set({ notice: { severity: 'error', text: `${name}: ${text}` } });
      }
      await Promise.all([get().refreshBundles(), get().refreshStorage(), actions.refreshConversions()]);
    },

    async cancelConversion() {
      await deps.converter?.cancel();
    },

    async refreshConversions() {
      if (!deps.converter) return;
      try {
        setConversion({ pending: await deps.converter.listPending() });
      } catch (e) {
        set({
          notice: { severity: 'error', text: `Stored conversions could not be read: ${toEngineError(e).message}` },
        });
      }
    },

    async discardConversion(id) {
      try {
        await converter().discardPending(id);
      } catch (e) {
        set({ notice: { severity: 'error', text: toEngineError(e).message } });
      }
      await Promise.all([actions.refreshConversions(), get().refreshStorage()]);
    },

    dismissConversion() {
      if (!get().conversion.current?.running) setConversion({ current: null });
    },
  };
  return actions;
}
