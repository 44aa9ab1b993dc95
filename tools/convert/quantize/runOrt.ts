/**
 * @file Test helper (Node only): runs a saved graph with its external-data files on onnxruntime-node
 * (CPU) or onnxruntime-web (WASM EP, Node build), so converter tests check both runtimes the app
 * relies on with the same feeds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';

/** Which onnxruntime runs the graph. */
export type OrtRuntime = 'node' | 'web';

/** A float32 or int64 input. */
export interface Feed {
  data: Float32Array | BigInt64Array;
  dims: readonly number[];
}

type OrtModule = typeof ortNode;

let webModule: Promise<OrtModule> | undefined;

/** onnxruntime-web resolves to its Node build under vitest; one thread keeps runs deterministic. */
async function loadOrt(runtime: OrtRuntime): Promise<OrtModule> {
  if (runtime === 'node') return ortNode;
  webModule ??= import('onnxruntime-web').then((m) => {
    const ort = ((m as { default?: unknown }).default ?? m) as OrtModule;
    ort.env.wasm.numThreads = 1;
    return ort;
  });
  return webModule;
}

/**
 * Runs `dir/graphFile` (external data `dataFiles`, relative to `dir`) on the feeds named by the
 * graph's inputs (others in `feeds` are ignored) and returns every output as float32 with its dims.
 * @throws Error naming a graph input missing from `feeds`.
 */
export async function runGraph(
  runtime: OrtRuntime,
  dir: string,
  graphFile: string,
  dataFiles: readonly string[],
  feeds: Readonly<Record<string, Feed>>,
): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const ort = await loadOrt(runtime);
  const model = new Uint8Array(readFileSync(join(dir, graphFile)));
  const externalData = dataFiles.map((path) => ({ path, data: new Uint8Array(readFileSync(join(dir, path))) }));
  const session = await ort.InferenceSession.create(model, {
    executionProviders: [runtime === 'node' ? 'cpu' : 'wasm'],
    externalData,
  } as never);
  try {
    const inputs = Object.fromEntries(
      session.inputNames.map((name) => {
        const f = feeds[name];
        if (!f) throw new Error(`${graphFile}: no feed for input '${name}'`);
        const tensor =
          f.data instanceof BigInt64Array
            ? new ort.Tensor('int64', f.data, f.dims)
            : new ort.Tensor('float32', f.data, f.dims);
        return [name, tensor];
      }),
    );
    const out = await session.run(inputs);
    return Object.fromEntries(
      Object.entries(out).map(([name, t]) => [name, { data: t.data as Float32Array, dims: [...t.dims] }]),
    );
  } finally {
    await session.release();
  }
}

export { getRelativeError } from '../../testing/numerics';
