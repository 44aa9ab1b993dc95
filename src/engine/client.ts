import type { EngineApi } from '../../workers/api';
import { wrapWorker, type ApiMethods, type WorkerClient } from './workerClient';

/** The UI's handle on the inference worker: the EngineApi, with errors turned back into EngineErrors. */
export type EngineClient = WorkerClient<EngineApi>;

/** Every EngineApi method (a missing one does not compile); the client forwards exactly these. */
export type EngineMethods = ApiMethods<EngineApi>;

export const ENGINE_METHODS: EngineMethods = {
  init: true,
  getCapabilities: true,
  roundTrip: true,
  listBundles: true,
  addBundle: true,
  deleteBundle: true,
  selectBundle: true,
  prepareImages: true,
  getStorageInfo: true,
  edit: true,
  cancel: true,
  setMemoryBudget: true,
};

/**
 * Starts the inference worker (a module worker) at once, so onnxruntime loads while the page boots, and wraps
 * it with Comlink.
 */
export function createEngineClient(): EngineClient {
  const worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), {
    type: 'module',
    name: 'kontext-engine',
  });
  return wrapWorker<EngineApi>(() => worker, ENGINE_METHODS);
}
