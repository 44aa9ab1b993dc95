/**
 * @file onnxruntime for tests and benchmarks in Node, behind the engine's `Ort` adapter, so the same engine
 * code that runs in the worker runs here: onnxruntime-node (native CPU EP, provider 'cpu') or onnxruntime-web's
 * Node build (the WASM EP the browser falls back to). The engine names the CPU provider 'wasm'.
 */
import * as ortNode from 'onnxruntime-node';
import type { Ort, OrtSession } from '../../workers/runtime/ort';

type CreateArgs = Parameters<Ort['InferenceSession']['create']>;
type ExternalFile = { path: string; data: Blob | Uint8Array | ArrayBuffer | string };
type OrtModule = typeof ortNode;

/**
 * Wraps a module so sessions accept the engine's options: 'wasm' maps to `cpuProvider`, Blobs become bytes;
 * `extra` session options (e.g. intraOpNumThreads) apply to every session.
 */
function adapt(ort: OrtModule, cpuProvider: 'cpu' | 'wasm' | 'webgpu', extra: Record<string, unknown> = {}): Ort {
  const InferenceSession = {
    create: async (model: CreateArgs[0], options?: CreateArgs[1]) => {
      const providers = options?.executionProviders?.map((p) => (p === 'wasm' ? cpuProvider : p));
      const externalData = options?.externalData
        ? await Promise.all(
            (options.externalData as ExternalFile[]).map(async (f) => ({
              path: f.path,
              data: f.data instanceof Blob ? new Uint8Array(await f.data.arrayBuffer()) : f.data,
            })),
          )
        : undefined;
      return ort.InferenceSession.create(model, {
        ...extra,
        ...options,
        executionProviders: providers,
        externalData,
      } as never);
    },
  };
  return { InferenceSession, Tensor: ort.Tensor, env: ort.env } as unknown as Ort;
}

/** onnxruntime-node, shaped as the engine's Ort dependency. */
export const nodeOrt = adapt(ortNode, 'cpu');

/** onnxruntime-node with session options of its own, e.g. an explicit intraOpNumThreads for the bench. */
export const nodeOrtWith = (options: Record<string, unknown>): Ort => adapt(ortNode, 'cpu', options);

/**
 * onnxruntime-node with the engine's 'wasm' provider mapped to its WebGPU EP (Dawn, its own device; the linux-x64
 * build carries it): `npm run bench:gpu` where Chromium sees no GPU. The engine then runs its CPU-tensor path.
 */
export const nodeWebGpuOrt = adapt(ortNode, 'webgpu');

/**
 * onnxruntime-node whose sessions call `onRun` before every run, so a test can count runs by graph (its input and
 * output names, or the feeds' names) instead of timing them.
 */
export function nodeOrtObservingRuns(onRun: (session: OrtSession, feeds: object) => void): Ort {
  const create = async (...args: Parameters<Ort['InferenceSession']['create']>) => {
    const session = await nodeOrt.InferenceSession.create(...args);
    const run = session.run.bind(session);
    return Object.assign(session, {
      run: (...a: Parameters<OrtSession['run']>) => {
        onRun(session, a[0]);
        return run(...a);
      },
    });
  };
  return { ...nodeOrt, InferenceSession: { ...nodeOrt.InferenceSession, create } } as Ort;
}

let web: Promise<Ort> | undefined;

/** onnxruntime-web's Node build (WASM EP, one thread), shaped as the engine's Ort dependency. */
export function loadWebOrt(): Promise<Ort> {
  web ??= import('onnxruntime-web').then((m) => {
    const ort = ((m as { default?: unknown }).default ?? m) as OrtModule;
    ort.env.wasm.numThreads = 1;
    return adapt(ort, 'wasm');
  });
  return web;
}
