/**
 * @file Test helpers for the text-encoder and autoencoder converters (Node only): run a converted graph
 * on onnxruntime-node (CPU) or onnxruntime-web (WASM EP, its Node build) with int32/float32 feeds,
 * read the tiny fixtures and goldens, and measure relative error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import { REPO_ROOT } from '../paths';
import { dequantizeInt4, quantizeInt4 } from '../quantize/int4';
import {
  openSafetensors,
  openTensorSource,
  writeSafetensors,
  type TensorSource,
  type WritableTensor,
} from '../node/nodeFiles';
import { forwardTensorSource } from '../safetensors';
import { hasLength } from '../tuple';
import type { ConvertedGraph, ConvertOptions } from './types';

/** The tiny model in the official folder layout and its goldens. */
export const TINY_MODEL_DIR = join(REPO_ROOT, 'training', 'fixtures', 'tiny', 'model');
const TINY_GOLDENS_DIR = join(REPO_ROOT, 'training', 'fixtures', 'tiny', 'goldens');

/** Converter options for tests: fp32 unless overridden. */
export function makeTestOptions(overrides: Partial<ConvertOptions> = {}): ConvertOptions {
  return { weights: 'fp32', blockSize: 32, maxShardBytes: 512 * 1024 * 1024, ...overrides };
}

/** Which onnxruntime runs the graph. */
export type Runtime = 'node' | 'web';

/** One graph input. */
export type Feed =
  { type: 'int32'; data: Int32Array; dims: number[] } | { type: 'float32'; data: Float32Array; dims: number[] };

type OrtModule = typeof ortNode;
let webOrt: Promise<OrtModule> | undefined;

function loadOrt(runtime: Runtime): Promise<OrtModule> {
  if (runtime === 'node') return Promise.resolve(ortNode);
  webOrt ??= import('onnxruntime-web').then((m) => {
    const ort = ((m as { default?: unknown }).default ?? m) as OrtModule;
    ort.env.wasm.numThreads = 1; // the Node build of the WASM EP; one thread keeps runs deterministic
    return ort;
  });
  return webOrt;
}

/** Runs a converted graph from `dir` and returns each output as float32 with its dims. */
export async function runConverted(
  runtime: Runtime,
  dir: string,
  graph: ConvertedGraph,
  feeds: Readonly<Record<string, Feed>>,
): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const ort = await loadOrt(runtime);
  const model = new Uint8Array(readFileSync(join(dir, graph.graph)));
  const externalData = graph.data.map((path) => ({ path, data: new Uint8Array(readFileSync(join(dir, path))) }));
  const session = await ort.InferenceSession.create(model, {
    executionProviders: [runtime === 'node' ? 'cpu' : 'wasm'],
    externalData,
  } as never);
  try {
    const inputs = Object.fromEntries(
      Object.entries(feeds).map(([name, f]) => [name, new ort.Tensor(f.type, f.data, f.dims)]),
    );
    const out = await session.run(inputs);
    return Object.fromEntries(
      Object.entries(out).map(([name, t]) => [name, { data: t.data as Float32Array, dims: [...t.dims] }]),
    );
  } finally {
    await session.release();
  }
}

/** Opens a goldens file, e.g. `t5` → goldens/t5.safetensors. */
export function openGolden(name: string): Promise<TensorSource> {
  return openSafetensors(join(TINY_GOLDENS_DIR, `${name}.safetensors`));
}

/** Opens a tiny-model component folder or file and its parsed config.json when there is one. */
export async function openTinyComponent(path: string): Promise<{ source: TensorSource; config: unknown }> {
  const full = join(TINY_MODEL_DIR, path);
  const source = await openTensorSource(full);
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(join(full, 'config.json'), 'utf8'));
  } catch {
    config = undefined;
  }
  return { source, config };
}

import { getRelativeError as getRelativeErrorLocal } from '../../testing/numerics';
export { getRelativeError } from '../../testing/numerics';

/** Edits for {@link writeEditedCheckpoint}. */
export interface CheckpointEdits {
  drop?: readonly string[];
  /** Replaces (or adds) tensors, e.g. with a wrong shape. */
  put?: Readonly<Record<string, { shape: number[]; data: Float32Array }>>;
  /** safetensors metadata of the copy (none by default). */
  metadata?: Record<string, string>;
}

/** Writes an edited float32 copy of `src` to `file` and opens it (tiny checkpoints only). */
export async function writeEditedCheckpoint(
  src: TensorSource,
  file: string,
  edits: CheckpointEdits,
): Promise<TensorSource> {
  const tensors: Record<string, WritableTensor> = {};
  for (const t of src.listTensors()) {
    if (!edits.drop?.includes(t.name))
      tensors[t.name] = { shape: t.shape, data: Float32Array.from(await src.readFloat32(t.name)) };
  }
  for (const [name, t] of Object.entries(edits.put ?? {})) tensors[name] = t;
  await writeSafetensors(file, tensors, edits.metadata);
  return openSafetensors(file);
}

/**
 * Wraps `src` so that the tensors `isLinear` selects read back int4-quantized and dequantized: an fp32
 * graph built from it computes what an int4 graph should, isolating quantization error from graph bugs.
 */
function makeDequantizedSource(
  src: TensorSource,
  isLinear: (name: string) => boolean,
  blockSize: number,
): TensorSource {
  return forwardTensorSource(src, {
    async readFloat32(name) {
      const data = await src.readFloat32(name);
      if (!isLinear(name)) return data;
      const { shape } = src.getTensorInfo(name);
      if (!hasLength(shape, 2))
        throw new Error(`${src.path}: '${name}' has shape [${shape.join(', ')}], expected a 2-D Linear weight`);
      const [n, k] = shape;
      return dequantizeInt4(quantizeInt4(data, n, k, blockSize));
    },
  });
}

/** What {@link checkInt4Conversion} needs from one component's test. */
export interface Int4Check<C> {
  label: string;
  source: TensorSource;
  /** Which source tensors int4 bundles quantize (Linear weights, token embeddings). */
  isInt4: (name: string) => boolean;
  /** Converts with the given weight format into `dir`. */
  convert: (source: TensorSource, dir: string, weights: 'fp32' | 'int4') => Promise<C>;
  run: (runtime: Runtime, dir: string, converted: C) => Promise<Float32Array>;
  golden: Float32Array;
  /** The asserted bound against the golden (measured on the tiny random weights). */
  goldenBound: number;
  dir: string;
}

/**
 * The int4 graph must equal an fp32 graph of the same weights quantized and dequantized (≤ 1e-5 on node and
 * web: the graph adds no error of its own), and stay within the measured bound of the golden.
 */
export async function checkInt4Conversion<C>(
  c: Int4Check<C>,
  expect: (v: number, bound: number) => void,
): Promise<void> {
  const int4Dir = join(c.dir, 'int4');
  const int4 = await c.convert(c.source, int4Dir, 'int4');
  const deqDir = join(c.dir, 'int4-dequantized');
  const deq = await c.convert(makeDequantizedSource(c.source, c.isInt4, 32), deqDir, 'fp32');
  const expected = await c.run('node', deqDir, deq);
  for (const runtime of ['node', 'web'] as const) {
    const actual = await c.run(runtime, int4Dir, int4);
    const vsDequantized = getRelativeErrorLocal(actual, expected);
    const vsGolden = getRelativeErrorLocal(actual, c.golden);
    console.log(
      `${c.label} int4 ${runtime}: rel ${vsGolden.toExponential(2)} vs golden, ${vsDequantized.toExponential(2)} vs fp32 on dequantized weights`,
    );
    expect(vsDequantized, 1e-5);
    expect(vsGolden, c.goldenBound);
  }
}
