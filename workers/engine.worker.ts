/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { createStore, get, set } from 'idb-keyval';
import { EMBEDDED_BUNDLE_PATH } from './api/jobs';
import { createBundleStore, openBundleKv } from './cache';
import { createEngine } from './engine';
import { hashImage } from './runtime/hashImage';
import type { AttentionVerdict } from './runtime/attentionGate';
import { startRuntime } from './runtime/backend';
import { importOrt, ORT_BUILD } from './runtime/ortBuild';
import { timed } from './runtime/timeline';

const host = {
  gpu: self.navigator.gpu,
  crossOriginIsolated: self.crossOriginIsolated,
  hardwareConcurrency: self.navigator.hardwareConcurrency,
};
// Started at once: the runtime loads, compiles and starts its threads while the page boots. A failed start is left
// for the first session creation to report (onnxruntime keeps the failure), with the engine's own message.
const ortPromise = timed('import onnxruntime', importOrt).then(async (ort) => {
  await timed('start runtime', () => startRuntime(ort, host)).catch((e) =>
    console.warn('onnxruntime did not start', e),
  );
  return ort;
});
const appBase = new URL(import.meta.env.BASE_URL, self.location.origin);
// Attention-check verdicts per adapter (attentionGate.ts), so the check runs once per GPU and bundle shape.
const verdictStore = createStore('kontext-gpu-checks', 'verdicts');

Comlink.expose(
  createEngine({
    loadOrt: () => ortPromise,
    ortBuild: ORT_BUILD,
    ortVersion: __ORT_VERSION__,
    ...host,
    bundles: createBundleStore({
      store: openBundleKv(),
      fetch: self.fetch.bind(self),
      subtle: self.crypto.subtle,
      storage: self.navigator.storage,
      embeddedUrl: new URL(EMBEDDED_BUNDLE_PATH, appBase).href,
      online: () => self.navigator.onLine, // tells "offline" from a server that refuses us
      locks: self.navigator.locks, // one download of a bundle at a time, across tabs
    }),
    hashImage,
    verdicts: {
      get: (key) => get<AttentionVerdict>(key, verdictStore),
      set: (key, verdict) => set(key, verdict, verdictStore),
    },
  }),
);
