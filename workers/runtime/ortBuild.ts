/**
 * @file Which onnxruntime-web build runs the models, and loading it: the native WebGPU EP (never the deprecated
 * JSEP default import) with JSPI where the browser has it (smaller, streams Blob weights), else the Asyncify
 * build. Both carry the WASM EP. The worker and `npm run bench` load it here, so the bench times what the app runs.
 */
import type { Ort } from './ort';

export const ORT_BUILD: 'jspi' | 'asyncify' = 'Suspending' in WebAssembly ? 'jspi' : 'asyncify';

export function importOrt(): Promise<Ort> {
  return ORT_BUILD === 'jspi' ? import('onnxruntime-web/jspi') : import('onnxruntime-web/webgpu');
}
