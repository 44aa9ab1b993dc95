/**
 * @file Saves the open session as it changes: debounced, one save at a time, and flushed at once when the
 * user switches session (so nothing typed or painted in the last moments is lost).
 */
import type { SessionPort, SessionSnapshot } from '../editor/ports';
import { selectSnapshot } from '../editor/selectors';
import { selectSettings, type StudioStore } from '../editor/store';

export interface Autosave {
  /** Writes whatever is pending now. */
  flush(): Promise<void>;
  stop(): void;
}

/**
 * Subscribes to the store. A session is saved `delayMs` after its last change (its `revision`); settings
 * are saved on change too. Errors become a notice; the next change tries again.
 */
export function startAutosave(store: StudioStore, port: SessionPort, delayMs = 400): Autosave {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: SessionSnapshot | null = null;
  let running: Promise<void> = Promise.resolve();
  let lastSettings = JSON.stringify(selectSettings(store.getState()));

  const write = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    const snapshot = pending;
    pending = null;
    if (!snapshot) return running;
    running = running.then(async () => {
      try {
        await port.save(snapshot);
        await store.getState().refreshSessions();
      } catch (e) {
        store
          .getState()
          .report({ severity: 'error', text: `Your session could not be saved: ${(e as Error).message}` });
      }
    });
    return running;
  };

  const unsubscribe = store.subscribe((state, prev) => {
    if (!state.ready) return; // boot is still loading what is stored
    if (state.sessionId !== prev.sessionId && pending && pending.id === prev.sessionId) void write();
    if (state.revision !== prev.revision || state.sessionName !== prev.sessionName) {
      const snapshot = selectSnapshot(state);
      if (snapshot) {
        pending = snapshot;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => void write(), delayMs);
      }
    }
    const settings = JSON.stringify(selectSettings(state));
    if (settings !== lastSettings) {
      lastSettings = settings;
      void port.saveSettings(selectSettings(state)).catch(() => undefined);
    }
  });

  return {
    flush: write,
    stop() {
      unsubscribe();
      if (timer) clearTimeout(timer);
    },
  };
}
