/**
 * @file openFolderEngine(): the real engine (createEngine, the code the worker runs) in Node on a bundle folder,
 * with onnxruntime-node or onnxruntime-web's WASM build, for tests and benchmarks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleInfo } from '../../workers/api/jobs';
import { createBundleStore, createMemoryStore } from '../../workers/cache';
import { createEngine } from '../../workers/engine';
import { hashImage } from '../../workers/runtime/hashImage';
import { loadWebOrt, nodeOrt } from './nodeOrt';

export type NodeRuntime = 'node' | 'web';

/** Stores the folder's files in an in-memory bundle store and selects it. */
export async function openFolderEngine(dir: string, runtime: NodeRuntime = 'node'): Promise<{ engine: ReturnType<typeof createEngine>; bundle: BundleInfo }> {
  const files = readdirSync(dir).filter((f) => f !== 'build-stamp.json').map((f) => new File([readFileSync(join(dir, f))], f));
  const engine = createEngine({
    loadOrt: async () => (runtime === 'web' ? loadWebOrt() : nodeOrt), gpu: undefined, ortBuild: 'jspi', ortVersion: runtime,
    crossOriginIsolated: false, hardwareConcurrency: 2, hashImage,
    bundles: createBundleStore({ store: createMemoryStore(), fetch, subtle: crypto.subtle, storage: null }),
  });
  await engine.init('wasm');
  const bundle = await engine.addBundle({ kind: 'files', files }, () => undefined);
  await engine.selectBundle(bundle.id);
  return { engine, bundle };
}
