import * as Comlink from 'comlink';
import { toEngineError, type EngineApi } from '../../workers/api';

/** The UI's handle on the inference worker: the EngineApi, with errors turned back into EngineErrors. */
export interface EngineClient extends EngineApi {
  terminate(): void;
}

/**
 * Every EngineApi method, as keys: the type makes a missing (or misspelt) method a compile error, which a list
 * of names checked with `satisfies` would not. The client forwards exactly these.
 */
export type EngineMethods = Record<keyof EngineApi, true>;

export const ENGINE_METHODS: EngineMethods = {
  init: true,
  getCapabilities: true,
  roundTrip: true,
  listBundles: true,
  addBundle: true,
  deleteBundle: true,
  selectBundle: true,
  getStorageInfo: true,
  edit: true,
  cancel: true,
  setMemoryBudget: true,
};

/**
 * Starts the inference worker (a module worker) and wraps it with Comlink. Function arguments (progress
 * callbacks) are proxied so the worker can call them back; thrown errors come back as EngineErrors.
 */
export function createEngineClient(): EngineClient {
  const worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), {
    type: 'module',
    name: 'kontext-engine',
  });
  const remote = Comlink.wrap<EngineApi>(worker) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const client = { terminate: () => worker.terminate() } as Record<string, unknown>;
  for (const method of Object.keys(ENGINE_METHODS)) {
    client[method] = async (...args: unknown[]) => {
      try {
        return await remote[method]!(...args.map((a) => (typeof a === 'function' ? Comlink.proxy(a) : a)));
      } catch (e) {
        throw toEngineError(e);
      }
    };
  }
  return client as unknown as EngineClient;
}
