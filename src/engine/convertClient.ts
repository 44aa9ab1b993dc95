import type { ConvertApi } from '../../workers/api';
import { wrapWorker, type ApiMethods, type WorkerClient } from './workerClient';

/** The UI's handle on the conversion worker. */
export type ConvertClient = WorkerClient<ConvertApi>;

/** Every ConvertApi method (a missing one does not compile); the client forwards exactly these. */
const CONVERT_METHODS: ApiMethods<ConvertApi> = {
  convert: true,
  cancel: true,
  listPending: true,
  discardPending: true,
};

/**
 * Starts the conversion worker (a module worker of its own, so edits go on while a model converts) and wraps
 * it with Comlink.
 */
export function createConvertClient(): ConvertClient {
  return wrapWorker<ConvertApi>(
    () =>
      new Worker(new URL('../../workers/convert.worker.ts', import.meta.url), {
        type: 'module',
        name: 'kontext-convert',
      }),
    CONVERT_METHODS,
  );
}
