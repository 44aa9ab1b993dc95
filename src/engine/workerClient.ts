import * as Comlink from 'comlink';
import { toEngineError } from '../../workers/api';

/**
 * Every method of a worker API, as keys: the type makes a missing (or misspelt) method a compile error, which a
 * list of names checked with `satisfies` would not. A client forwards exactly these.
 */
export type ApiMethods<Api> = Record<keyof Api, true>;

/** A worker API on the UI side, plus ending the worker. */
export type WorkerClient<Api> = Api & { terminate(): void };

type Remote = Record<string, (...args: unknown[]) => Promise<unknown>>;

/**
 * Wraps a module worker that Comlink-exposes `Api`, started by `start` on the first call (a worker the page may
 * never need costs nothing): function arguments (progress callbacks) are proxied so the worker can call them
 * back; thrown errors come back as EngineErrors.
 */
export function wrapWorker<Api>(start: () => Worker, methods: ApiMethods<Api>): WorkerClient<Api> {
  let worker: { worker: Worker; remote: Remote } | null = null;
  const connect = () => {
    if (!worker) {
      const w = start();
      worker = { worker: w, remote: Comlink.wrap<Api>(w) as unknown as Remote };
    }
    return worker.remote;
  };
  const client = { terminate: () => worker?.worker.terminate() } as Record<string, unknown>;
  for (const method of Object.keys(methods)) {
    client[method] = async (...args: unknown[]) => {
      try {
        return await connect()[method]!(...args.map((a) => (typeof a === 'function' ? Comlink.proxy(a) : a)));
      } catch (e) {
        throw toEngineError(e);
      }
    };
  }
  return client as unknown as WorkerClient<Api>;
}
