/**
 * @file openFolderEngine(): the real engine (createEngine, the code the worker runs) in Node on a bundle folder,
 * with onnxruntime-node or onnxruntime-web's WASM build, for tests and benchmarks; openFolderPipeline(): the
 * same folder's manifest, tokenizers and models, for code that calls the pipeline (runEdit) directly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleInfo } from '../../workers/api/jobs';
import { parseManifest, type GraphFiles, type Manifest } from '../../workers/bundle/manifest';
import { createBundleStore, createMemoryStore } from '../../workers/cache';
import { createEngine } from '../../workers/engine';
import { createPromptTokenizer, type PromptTokenizer } from '../../workers/kontext/text';
import { readJsonFile } from '../convert/node/nodeFiles';
import { hashImage } from '../../workers/runtime/hashImage';
import type { GraphLoader } from '../../workers/runtime/graphReads';
import { createSessionModels, type SessionModels } from '../../workers/runtime/kontextModels';
import type { Ort } from '../../workers/runtime/ort';
import { loadWebOrt, nodeOrt } from './nodeOrt';

/**
 * A bundle folder's manifest, prompt tokenizers and WASM-backend models on `ort` (release the models after);
 * `editManifest` changes the parsed manifest first (e.g. to run a bundle as an older one without some graphs).
 */
export function openFolderPipeline(
  dir: string,
  ort: Ort,
  options: { aeBufferBudget?: number; editManifest?: (m: Manifest) => Manifest } = {},
): { manifest: Manifest; tokenizers: { t5: PromptTokenizer; clip: PromptTokenizer }; models: SessionModels } {
  const parsed = parseManifest(readJsonFile(join(dir, 'manifest.json')));
  const manifest = options.editManifest ? options.editManifest(parsed) : parsed;
  const json = (p: string) => readJsonFile<Record<string, unknown>>(join(dir, p));
  const { t5Tokenizer: t5, clipTokenizer: clip } = manifest.components;
  const tokenizers = {
    t5: createPromptTokenizer(json(t5.json), json(t5.config), manifest.model.t5.maxLength),
    clip: createPromptTokenizer(json(clip.json), json(clip.config), manifest.model.clip.maxLength),
  };
  const load = folderGraphLoader(dir);
  return {
    manifest,
    tokenizers,
    models: createSessionModels(ort, { backend: 'wasm' }, manifest, load, { aeBufferBudget: options.aeBufferBudget }),
  };
}

/** A GraphLoader over a bundle folder on disk: each graph and its weights files read as Blobs. */
export const folderGraphLoader =
  (dir: string): GraphLoader =>
  async (g: GraphFiles) => ({
    name: g.graph,
    graph: new Blob([readFileSync(join(dir, g.graph))]),
    externalData: g.data.map((path) => ({ path, data: new Blob([readFileSync(join(dir, path))]) })),
  });

export type NodeRuntime = 'node' | 'web';

/** Stores the folder's files in an in-memory bundle store and selects it. */
export async function openFolderEngine(
  dir: string,
  runtime: NodeRuntime = 'node',
): Promise<{ engine: ReturnType<typeof createEngine>; bundle: BundleInfo }> {
  const files = readdirSync(dir)
    .filter((f) => f !== 'build-stamp.json')
    .map((f) => new File([readFileSync(join(dir, f))], f));
  const engine = createEngine({
    loadOrt: async () => (runtime === 'web' ? loadWebOrt() : nodeOrt),
    gpu: undefined,
    ortBuild: 'jspi',
    ortVersion: runtime,
    crossOriginIsolated: false,
    hardwareConcurrency: 2,
    hashImage,
    bundles: createBundleStore({ store: createMemoryStore(), fetch, subtle: crypto.subtle, storage: null }),
  });
  await engine.init('wasm');
  const bundle = await engine.addBundle({ kind: 'files', files }, () => undefined);
  await engine.selectBundle(bundle.id);
  return { engine, bundle };
}
