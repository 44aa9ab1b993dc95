/**
 * @file The studio store: one zustand vanilla store holding {@link StudioState} and every action. No React
 * and no browser APIs here: the engine, storage, ids, time and randomness come in as {@link StudioDeps}.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createCanvasActions, type CanvasActions } from './actions/canvas';
import type { ActionContext } from './actions/context';
import { createConvertActions, type ConvertActions } from './actions/convert';
import { createDiagnosticsActions, type DiagnosticsActions } from './actions/diagnostics';
import { createDownscaleActions, type DownscaleActions } from './actions/downscale';
import { createJobActions, type JobActions } from './actions/job';
import { createModelActions, type ModelActions } from './actions/models';
import { createSessionActions, type SessionActions } from './actions/session';
import type { Settings, StudioDeps } from './ports';
import { followNotice } from './notices';
import { followImagesToPrepare } from './prepareImages';
import { selectActiveBundle, selectModelLoading } from './selectors';
import { createInitialState, differsFromDefaults, SAMPLER_KEYS, type PromptSettings, type StudioState } from './state';

interface BootActions {
  /** Loads settings and the last session, starts the engine, lists bundles. Call once. */
  boot(): Promise<void>;
}

type StudioActions = SessionActions &
  CanvasActions &
  JobActions &
  ModelActions &
  ConvertActions &
  DiagnosticsActions &
  DownscaleActions &
  BootActions;
export type Studio = StudioState & StudioActions;
export type StudioStore = StoreApi<Studio>;

/** The settings part of the state, as it is saved. */
export function selectSettings(s: StudioState): Settings {
  return {
    lastSessionId: s.sessionId,
    promptHistory: s.promptHistory,
    selectedBundleId: s.selectedBundleId,
    bundleUrls: s.bundleUrls,
    brush: s.brush,
    keepUnchanged: s.prompt.keepUnchanged,
    backend: s.backendChoice,
    vramBudgetGiB: s.vramBudgetGiB,
    ...(s.prompt.sampling === 'custom'
      ? { steps: s.prompt.steps, guidance: s.prompt.guidance, average: s.prompt.average }
      : { steps: null, guidance: null, average: null }),
  };
}

/** The prompt with the active bundle's steps, guidance and average, while the user has not chosen their own. */
function withModelDefaults(s: StudioState): PromptSettings {
  const defaults = selectActiveBundle(s)?.defaults;
  if (s.prompt.sampling !== 'model' || !defaults || !differsFromDefaults(s.prompt, defaults)) return s.prompt;
  const { steps, guidance, average } = defaults;
  return { ...s.prompt, steps, guidance, average };
}

export function createStudioStore(deps: StudioDeps): StudioStore {
  const store = createStore<Studio>()((set, get) => {
    const ctx = { set, get, deps } as ActionContext<StudioActions>;
    const session = createSessionActions(ctx);
    const models = createModelActions(ctx);
    const initial = createInitialState();
    return {
      ...initial,
      // The embedded model's sampler values from the first frame (they follow the active bundle once one is listed).
      prompt: deps.embeddedDefaults ? { ...initial.prompt, ...deps.embeddedDefaults } : initial.prompt,
      ...session,
      ...createCanvasActions(ctx),
      ...createJobActions(ctx),
      ...models,
      ...createConvertActions(ctx),
      ...createDiagnosticsActions(ctx),
      ...createDownscaleActions(ctx),
      async boot() {
        // Settings first (one small read): the engine starts on the backend the user chose last time.
        const settingsRead = deps.sessions.loadSettings();
        const engineReady = settingsRead.then(
          async (settings) => {
            if (settings.vramBudgetGiB != null) await models.setVramBudget(settings.vramBudgetGiB);
            await models.chooseBackend(settings.backend ?? 'auto');
            // A saved WebGPU choice on a machine that lost its GPU: start on Auto rather than not at all.
            if (!get().capabilities && settings.backend && settings.backend !== 'auto')
              await models.chooseBackend('auto');
          },
          () => models.chooseBackend('auto'),
        );
        let last: string | null = null;
        try {
          const settings = await settingsRead;
          set((s) => ({
            promptHistory: settings.promptHistory ?? [],
            selectedBundleId: settings.selectedBundleId ?? null,
            bundleUrls: settings.bundleUrls ?? {},
            brush: settings.brush ?? s.brush,
            prompt: {
              ...s.prompt,
              steps: settings.steps ?? s.prompt.steps,
              guidance: settings.guidance ?? s.prompt.guidance,
              average: settings.average ?? s.prompt.average,
              keepUnchanged: settings.keepUnchanged ?? s.prompt.keepUnchanged,
              sampling: SAMPLER_KEYS.some((k) => settings[k] != null) ? 'custom' : 'model',
            },
          }));
          await session.refreshSessions();
          last = settings.lastSessionId ?? null;
          // Only while the user has not opened anything yet: their own choice wins over the restore.
          if (last && get().restore.phase === 'checking' && get().sessions.some((m) => m.id === last))
            await session.restoreSession(last);
        } catch (e) {
          set({ notice: { severity: 'error', text: `Saved work could not be read: ${(e as Error).message}` } });
        }
        // A session the user opened during boot changed before the autosave listened (it waits for `ready`): count
        // it as a change, so it is saved like any later one. The restored session itself is already stored.
        set((s) => ({
          ready: true,
          restore: { phase: 'idle' },
          revision: s.sessionId && s.sessionId !== last ? s.revision + 1 : s.revision,
        }));
        await engineReady;
        await models.installEmbeddedBundle();
        await models.refreshStorage();
      },
    };
  });
  // One place follows bundle changes (install, select, delete, refresh) with the sampler defaults.
  store.subscribe((s) => {
    const prompt = withModelDefaults(s);
    if (prompt !== s.prompt) store.setState({ prompt });
  });
  // A Generate pressed while the model loaded runs once it is ready (or says why it cannot, if none came).
  store.subscribe((s) => {
    if (!s.waitingForModel || selectModelLoading(s) !== null) return;
    store.setState({ waitingForModel: false });
    void s.generate();
  });
  followImagesToPrepare(store, deps.engine);
  // …and one place turns each new notice into a toast. It compares with the last notice it saw, not the listener's
  // `prev`, which is stale when another listener's setState ran in between.
  let seen = store.getState().notice;
  let toastId = 0;
  store.subscribe(() => {
    const { notice, toasts } = store.getState();
    if (notice === seen) return;
    seen = notice;
    store.setState({ toasts: followNotice(toasts, notice, ++toastId) });
  });
  return store;
}
