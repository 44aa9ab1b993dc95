/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { createStore, get, set } from 'idb-keyval';
import { createEngine } from './engine';
import { createReadsThread } from './readsWorker';
import { hashImage } from './runtime/hashImage';
import type { AttentionVerdict } from './runtime/attentionGate';
import { startRuntime } from './runtime/backend';
import { importOrt, ORT_BUILD } from './runtime/ortBuild';
import { timed } from './runtime/timeline';
import { openLastBundleStore, openWorkerBundleStore } from './workerStores';

const host = {
  gpu: self.navigator.gpu,
  crossOriginIsolated: self.crossOriginIsolated,
  hardwareConcurrency: self.navigator.hardwareConcurrency,
};
// The bundle opened last is read on a thread of its own from now on: starting the runtime holds this one ~0.7 s.
const reads = createReadsThread(
  () => new Worker(new URL('./reads.worker.ts', import.meta.url), { type: 'module', name: 'kontext-reads' }),
);
const early = reads.readAhead();
// Started at once: the runtime loads, compiles and starts its threads while the page boots. A failed start is left
// for the first session creation to report (onnxruntime keeps the failure), with the engine's own message.
const ortPromise = timed('import onnxruntime', importOrt).then(async (ort) => {
  await timed('start runtime', () => startRuntime(ort, host)).catch((e) =>
    console.warn('onnxruntime did not start', e),
  );
  return ort;
});
// Attention-check verdicts per adapter (attentionGate.ts), so the check runs once per GPU and bundle shape.
const verdictStore = createStore('kontext-gpu-checks', 'verdicts');

Comlink.expose(
  createEngine({
    loadOrt: () => ortPromise,
    ortBuild: ORT_BUILD,
    ortVersion: __ORT_VERSION__,
    ...host,
    bundles: openWorkerBundleStore(),
    hashImage,
    verdicts: {
      get: (key) => get<AttentionVerdict>(key, verdictStore),
      set: (key, verdict) => set(key, verdict, verdictStore),
    },
    readWhole: reads.readWhole,
    lastBundle: openLastBundleStore(),
    early,
  }),
);
