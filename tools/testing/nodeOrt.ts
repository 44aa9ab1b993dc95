/**
 * @file onnxruntime-node behind the engine's `Ort` adapter, for tests and benchmarks: the same engine code
 * that runs in the worker runs here. The engine names the CPU provider 'wasm' (onnxruntime-web's);
 * onnxruntime-node calls its CPU provider 'cpu'.
 */
import * as ortNode from 'onnxruntime-node';
import type { Ort } from '../../workers/runtime/ort';

type CreateArgs = Parameters<Ort['InferenceSession']['create']>;

type ExternalFile = { path: string; data: Blob | Uint8Array | ArrayBuffer | string };

const InferenceSession = {
  /** Maps 'wasm' to 'cpu' and reads Blob external data into memory (the Node binding takes buffers only). */
  create: async (model: CreateArgs[0], options?: CreateArgs[1]) => {
    const providers = options?.executionProviders?.map((p) => (p === 'wasm' ? 'cpu' : p));
    const externalData = options?.externalData
      ? await Promise.all(
          (options.externalData as ExternalFile[]).map(async (f) => ({
            path: f.path,
            data: f.data instanceof Blob ? new Uint8Array(await f.data.arrayBuffer()) : f.data,
          })),
        )
      : undefined;
    return ortNode.InferenceSession.create(model as Uint8Array, { ...options, executionProviders: providers, externalData } as never);
  },
};

/** onnxruntime-node, shaped as the engine's Ort dependency. */
export const nodeOrt = { InferenceSession, Tensor: ortNode.Tensor, env: ortNode.env } as unknown as Ort;
