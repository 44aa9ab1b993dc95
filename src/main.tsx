import { startTransition, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { registerSW } from 'virtual:pwa-register';
import { App } from './app/App';
import './app/app.css';
import './app/panels.css';
import './app/history.css';
import './app/restore.css';
import { ServicesContext } from './app/services';
import { createStudioStore } from './editor/store';
import { createStoreTools } from './editor/tools/bindTools';
import { createEngineClient } from './engine/client';
import { createConvertClient } from './engine/convertClient';
import { StudioContext } from './hooks/useStudio';
import { startAutosave } from './persistence/autosave';
import { createIdbKv } from './persistence/kv';
import { createSessionRepository } from './persistence/repository';

const sessions = createSessionRepository({
  records: createIdbKv('sessions'),
  blobs: createIdbKv('blobs'),
  settings: createIdbKv('settings'),
});
const store = createStudioStore({
  engine: createEngineClient(),
  converter: createConvertClient(),
  sessions,
  newId: () => crypto.randomUUID(),
  now: () => Date.now(),
  randomSeed: () => crypto.getRandomValues(new Uint32Array(1))[0]!,
  requestPersistence: () => navigator.storage?.persist?.() ?? Promise.resolve(false),
  embeddedBundleUrl: (id) => new URL(`bundles/${id}/`, document.baseURI).href,
  embeddedDefaults: __EMBEDDED_SAMPLING__,
});
const tools = createStoreTools(store);
const autosave = startAutosave(store, sessions);
// Best effort: write what is pending when the tab is hidden or closed (a crash still keeps the last save).
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') void autosave.flush();
});
window.addEventListener('pagehide', () => void autosave.flush());

void sessions
  .sweep()
  .catch(() => undefined)
  .then(() => store.getState().boot());
// The service worker precaches the app shell and onnxruntime's wasm; the engine keeps bundles in IndexedDB.
registerSW({ immediate: true });

// As a transition, the first render yields to the browser every few milliseconds: Chromium starts the engine worker
// created above only once this thread is free, and a render in one piece held it back by ~300 ms.
const root = createRoot(document.getElementById('root')!);
startTransition(() =>
  root.render(
    <StrictMode>
      <StudioContext.Provider value={store}>
        <ServicesContext.Provider value={{ tools, sessions }}>
          <App />
        </ServicesContext.Provider>
      </StudioContext.Provider>
    </StrictMode>,
  ),
);
