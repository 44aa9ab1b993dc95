import * as Comlink from 'comlink';
import { toEngineError, type EngineApi } from '../../workers/api';

/** The UI's handle on the inference worker: the EngineApi, with errors turned back into EngineErrors. */
export interface EngineClient extends EngineApi {
  terminate(): void;
}

/** Starts the inference worker (a module worker) and wraps it with Comlink. */
export function createEngineClient(): EngineClient {
  const worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'kontext-engine' });
  const remote = Comlink.wrap<EngineApi>(worker);
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (e) {
      throw toEngineError(e);
    }
  };
  return {
    init: (choice) => call(() => remote.init(choice)),
    getCapabilities: () => call(() => remote.getCapabilities()),
    roundTrip: (encoder, decoder, image) => call(() => remote.roundTrip(encoder, decoder, image)),
    terminate: () => worker.terminate(),
  };
}
