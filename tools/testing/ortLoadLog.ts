/**
 * @file What onnxruntime-node does to a graph while it loads it: its verbose log, read through a child process
 * (ORT writes its log to the native stderr, which a test cannot capture in its own process). Used to show which
 * initializers a graph transformer (e.g. ConstantFolding) consumed at load, i.e. turned into new CPU-made tensors.
 * Run directly, `node --import tsx tools/testing/ortLoadLog.ts <graph.onnx>` creates one CPU session, verbose.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { listExternalDataLocations } from '../../workers/bundle/onnxInspect';

/** One initializer ORT dropped at load, and the transformer that had just modified the graph. */
export interface DroppedInitializer {
  name: string;
  transformer: string;
}

/** Loads `graphPath` (external data beside it) in a child process and returns ORT's verbose log. */
export function readOrtLoadLog(graphPath: string): string {
  const script = fileURLToPath(import.meta.url);
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, graphPath], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`loading ${graphPath} failed (${run.status}):\n${run.stderr.slice(-2000)}`);
  return run.stdout + run.stderr;
}

/**
 * The initializers ORT removed while transforming the graph, each with the last transformer that reported a
 * modification before the removal (ORT logs "GraphTransformer X modified: 1", then "Removing initializer 'w'").
 */
export function getDroppedInitializers(log: string): DroppedInitializer[] {
  const dropped: DroppedInitializer[] = [];
  let transformer = '';
  for (const line of log.split('\n')) {
    const modified = /GraphTransformer (\w+) modified: 1/.exec(line);
    if (modified) transformer = modified[1]!;
    const removed = /Removing initializer '([^']+)'/.exec(line);
    if (removed) dropped.push({ name: removed[1]!, transformer });
  }
  return dropped;
}

async function main(graphPath: string): Promise<void> {
  const dir = dirname(graphPath);
  const model = new Uint8Array(readFileSync(graphPath));
  const externalData = listExternalDataLocations(model, basename(graphPath)).map((path) => ({
    path,
    data: new Uint8Array(readFileSync(join(dir, path))),
  }));
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    logSeverityLevel: 0,
    logVerbosityLevel: 0,
    externalData,
  } as never);
  await session.release();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ort.env.logLevel = 'verbose';
  await main(process.argv[2]!);
}
