/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import type { Ort } from './runtime/ort';
import { createEngine } from './engine';

// The native WebGPU EP (never the deprecated JSEP default import): the JSPI build where the browser has
// JSPI (smaller, streams Blob weights), else the Asyncify build. Both also carry the WASM EP.
const hasJspi = 'Suspending' in WebAssembly;
const ortPromise: Promise<Ort> = hasJspi ? import('onnxruntime-web/jspi') : import('onnxruntime-web/webgpu');

Comlink.expose(
  createEngine({
    loadOrt: () => ortPromise,
    gpu: self.navigator.gpu,
    ortBuild: hasJspi ? 'jspi' : 'asyncify',
    ortVersion: __ORT_VERSION__,
    crossOriginIsolated: self.crossOriginIsolated,
    hardwareConcurrency: self.navigator.hardwareConcurrency,
  }),
);
