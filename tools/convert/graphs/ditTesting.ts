/**
 * @file Test helpers for the DiT converter (Node only): the golden inputs of the tiny fixture and a
 * runner that chains K segment graphs by the rule in docs/graph-contract.md ("DiT segments").
 */
import { join } from 'node:path';
import { openSafetensors } from '../node/nodeFiles';
import { REPO_ROOT } from '../paths';
import { runGraph, type Feed, type OrtRuntime } from '../quantize/runOrt';
import { DIT_INPUT_NAMES, DIT_OUTPUT_NAME, SEGMENT_OUTPUT_SUFFIX } from './ditSegments';
import type { ConvertedGraph } from './types';

/** The tiny random Kontext checkpoint (bf16, with `__metadata__.config`). */
export const TINY_DIT_CHECKPOINT = join(REPO_ROOT, 'training/fixtures/tiny/model/flux1-kontext-dev.safetensors');

/** Goldens of the PyTorch reference for that checkpoint (float64 math, fp32 storage). */
const TINY_DIT_GOLDENS = join(REPO_ROOT, 'training/fixtures/tiny/goldens/dit.safetensors');

/** Reads the golden DiT inputs and the expected velocity. */
export async function readDitGoldens(): Promise<{ feeds: Record<string, Feed>; velocity: Float32Array }> {
  const src = await openSafetensors(TINY_DIT_GOLDENS);
  try {
    const feeds: Record<string, Feed> = {};
    for (const name of DIT_INPUT_NAMES)
      feeds[name] = { data: (await src.readFloat32(name)).slice(), dims: src.getTensorInfo(name).shape };
    return { feeds, velocity: (await src.readFloat32(DIT_OUTPUT_NAME)).slice() };
  } finally {
    await src.close();
  }
}

/**
 * Runs the segment graphs in order: every input is fed from the pool of named values (the contract
 * inputs plus all earlier outputs), where an output `x_out` is pooled as `x`. Returns the velocity.
 */
export async function runDitSegments(
  runtime: OrtRuntime,
  dir: string,
  graphs: readonly ConvertedGraph[],
  feeds: Readonly<Record<string, Feed>>,
): Promise<Float32Array> {
  const pool = new Map<string, Feed>(Object.entries(feeds));
  for (const graph of graphs) {
    const outputs = await runGraph(runtime, dir, graph.graph, graph.data, Object.fromEntries(pool));
    for (const [name, value] of Object.entries(outputs)) {
      pool.set(name.endsWith(SEGMENT_OUTPUT_SUFFIX) ? name.slice(0, -SEGMENT_OUTPUT_SUFFIX.length) : name, value);
    }
  }
  const velocity = pool.get(DIT_OUTPUT_NAME);
  if (!velocity) throw new Error('the last segment produced no velocity');
  return velocity.data as Float32Array;
}
