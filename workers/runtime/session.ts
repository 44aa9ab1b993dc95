import { EngineError } from '../api/errors';
import type { ModelFiles } from '../api/types';
import { listExternalDataLocations } from '../bundle/onnxInspect';
import { weightsForOrt, type WholeReader } from './externalData';
import { toRuntimeFailure } from './failures';
import type { BufferCacheMode } from '../api/jobs';
import { timed } from './timeline';
import type { Ort, OrtSession, RuntimeTarget } from './ort';

/** A model's files read for a session: the graph's bytes and the weights as onnxruntime takes them. */
export interface ReadModel {
  name: string;
  graph: Uint8Array;
  externalData: { path: string; data: Uint8Array | Blob }[];
}

/**
 * Reads a model's graph and checks that every weights file it references was given; small weights files are
 * read whole (by `readWhole` when given), large ones stay Blobs (weightsForOrt).
 * @throws EngineError `bad-model` when the graph is not ONNX, `missing-external-data` when a file it references
 *   was not given.
 */
export function readModel(files: ModelFiles, readWhole?: WholeReader): Promise<ReadModel> {
  return timed(`read ${files.name}`, () => readModelFiles(files, readWhole));
}

async function readModelFiles(files: ModelFiles, readWhole?: WholeReader): Promise<ReadModel> {
  const graph = new Uint8Array(await files.graph.arrayBuffer());
  let locations: string[];
  try {
    locations = listExternalDataLocations(graph, files.name);
  } catch (e) {
    throw new EngineError('bad-model', (e as Error).message);
  }
  const given = new Set(files.externalData.map((f) => f.path));
  const missing = locations.filter((l) => !given.has(l));
  if (missing.length > 0) {
    throw new EngineError(
      'missing-external-data',
      `${files.name} needs its weights file${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}, ` +
        'which was not provided. Add it next to the model file.',
    );
  }
  try {
    const externalData = await Promise.all(
      files.externalData
        .filter((f) => locations.includes(f.path))
        .map(async (f) => ({ path: f.path, data: await weightsForOrt(f.data, { read: readWhole }) })),
    );
    return { name: files.name, graph, externalData };
  } catch (e) {
    throw toRuntimeFailure(e, `onnxruntime loading ${files.name}`);
  }
}

/** Options of a session: see {@link createSession}. */
export interface SessionOptions {
  gpuOutputs?: boolean;
  storageBufferCacheMode?: BufferCacheMode | null;
}

/**
 * Checks a model's files, then creates an onnxruntime session for it on `target`. With `gpuOutputs` (WebGPU
 * only) every output stays in a GPU buffer, for the next session or kernel to read in place;
 * `storageBufferCacheMode` (WebGPU only) is onnxruntime's, which it fixes per device at the first session.
 * @throws EngineError as readModel does, `out-of-memory` when it does not fit, `runtime` when onnxruntime rejects it.
 */
export async function createSession(
  ort: Ort,
  files: ModelFiles,
  target: RuntimeTarget,
  options: SessionOptions = {},
): Promise<OrtSession> {
  return createSessionFrom(ort, await readModel(files), target, options);
}

/** Creates an onnxruntime session for a model already read (readModel) on `target`. */
export async function createSessionFrom(
  ort: Ort,
  model: ReadModel,
  target: RuntimeTarget,
  { gpuOutputs = false, storageBufferCacheMode = null }: SessionOptions = {},
): Promise<OrtSession> {
  const executionProviders =
    target.backend === 'webgpu'
      ? [
          {
            name: 'webgpu' as const,
            device: target.device,
            ...(storageBufferCacheMode ? { storageBufferCacheMode } : {}),
          },
        ]
      : ['wasm'];
  try {
    // The first creation also starts the runtime unless the worker started it already (backend.ts startRuntime).
    return await timed(`create ${model.name}`, () =>
      ort.InferenceSession.create(model.graph, {
        executionProviders,
        externalData: model.externalData,
        graphOptimizationLevel: 'all',
        ...(gpuOutputs && target.backend === 'webgpu' ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
      }),
    );
  } catch (e) {
    throw toRuntimeFailure(e, `onnxruntime loading ${model.name}`);
  }
}

/**
 * Runs async work one piece at a time: onnxruntime-web cannot create or run sessions concurrently
 * ("Session already started"), and jobs must not interleave.
 */
export function createQueue(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>) => {
    const result = tail.then(work);
    tail = result.catch(() => undefined);
    return result;
  };
}
