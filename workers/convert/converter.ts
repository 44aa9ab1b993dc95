/**
 * @file The conversion worker's API over a key-value store and a decoder runtime: one conversion at a time,
 * cancellable; the worker entry (workers/convert.worker.ts) exposes it with Comlink, Node tests call it directly.
 */
import type { ConvertApi } from '../api/convert';
import { EngineError } from '../api/errors';
import type { KeyValueStore } from '../cache/kvStore';
import type { StorageLike } from '../cache/storageRoom';
import type { OpenDecoder } from '../../tools/convert/bundle/previewFit';
import { discardConversion, listPendingConversions, runConversion } from './convertJob';

export interface ConverterDeps {
  /** The engine's bundle store (kontext-bundles/files): what is converted here, the engine lists and runs. */
  kv: KeyValueStore;
  /** The preview fit's decoder runtime (onnxruntime-web's WASM backend on one thread). */
  openDecoder: OpenDecoder;
  /** navigator.storage, for refusing a bundle that cannot fit before converting; null skips the check. */
  storage: StorageLike | null;
}

export function createConverter(deps: ConverterDeps): ConvertApi {
  const { kv } = deps;
  let running: AbortController | null = null;
  return {
    async convert(request, onProgress) {
      if (running) throw new EngineError('busy', 'A conversion is running already; cancel it or wait for it.');
      running = new AbortController();
      try {
        return await runConversion(deps, request, onProgress, running.signal);
      } finally {
        running = null;
      }
    },
    async cancel() {
      running?.abort();
    },
    listPending: () => listPendingConversions(kv),
    async discardPending(id) {
      if (running) throw new EngineError('busy', 'Cancel the running conversion first.');
      await discardConversion(kv, id);
    },
  };
}
