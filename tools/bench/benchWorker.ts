/// <reference lib="webworker" />
/**
 * @file The browser half of `npm run bench`, in a module Worker as the app's engine runs: the onnxruntime-web
 * build the app loads (workers/runtime/ortBuild.ts: JSPI where the browser has it), the WASM EP with the app's
 * own thread count (workers/runtime/backend.ts), the edit benchmark and the bare-MatMul ceiling on it.
 */
import * as Comlink from 'comlink';
import { getWasmThreads } from '../../workers/runtime/backend';
import { hashImage } from '../../workers/runtime/hashImage';
import { createSessionModels } from '../../workers/runtime/kontextModels';
import { importOrt, ORT_BUILD } from '../../workers/runtime/ortBuild';
import { openBundle } from './browserBundle';
import { measureCeiling, type CeilingGraph } from './ceiling';
import { benchEdits, type CpuClock } from './editBench';
import type { SettleOptions } from './settle';

const ortPromise = importOrt().then((ort) => {
  ort.env.wasm.numThreads = getWasmThreads({
    gpu: undefined,
    crossOriginIsolated: self.crossOriginIsolated,
    hardwareConcurrency: self.navigator.hardwareConcurrency,
  });
  return ort;
});

const api = {
  /**
   * The edit benchmark on the WASM EP, and the threads onnxruntime was given once it ran; `cpu` reads the page's
   * CPU time from outside (a worker cannot read its own process's).
   */
  async benchWasm(url: string, options: SettleOptions, cpu?: CpuClock) {
    const ort = await ortPromise;
    const { manifest, tokenizers, load } = await openBundle(url);
    const models = createSessionModels(ort, { backend: 'wasm' }, manifest, load);
    const result = await benchEdits({ manifest, tokenizers, models, hashImage }, options, cpu);
    await models.release();
    return {
      ...result,
      threads: ort.env.wasm.numThreads ?? 0,
      build: ORT_BUILD,
      crossOriginIsolated: self.crossOriginIsolated,
      cores: self.navigator.hardwareConcurrency,
    };
  },
  /** A MatMul ceiling graph (fetched from `graphUrl`) timed on the WASM EP. */
  async ceiling(graphUrl: string, graph: Omit<CeilingGraph, 'model'>, options: SettleOptions) {
    const ort = await ortPromise;
    const model = new Uint8Array(await (await fetch(graphUrl)).arrayBuffer());
    return measureCeiling(ort, { ...graph, model }, options, ['wasm']);
  },
};

export type BenchWorkerApi = typeof api;
Comlink.expose(api);
