/**
 * @file The browser half of `npm run bench`, loaded through Vite into a Chromium page: the same editBench
 * on onnxruntime-web (WASM EP), and one edit on the WebGPU EP to count readbacks per step.
 */
import * as ort from 'onnxruntime-web/webgpu';
import type { ModelFiles } from '../../workers/api/types';
import { parseManifest, type GraphFiles, type Manifest } from '../../workers/bundle/manifest';
import { createPromptTokenizer } from '../../workers/kontext/text';
import { requestGpu } from '../../workers/runtime/gpu';
import { hashImage } from '../../workers/runtime/hashImage';
import { createSessionModels } from '../../workers/runtime/kontextModels';
import type { RuntimeTarget } from '../../workers/runtime/ort';
import { benchEdits, type BenchResult } from './editBench';

async function openBundle(url: string) {
  const manifest: Manifest = parseManifest(await (await fetch(`${url}manifest.json`)).json());
  const blob = async (path: string) => (await fetch(url + path)).blob();
  const json = async (path: string) => JSON.parse(await (await blob(path)).text()) as Record<string, unknown>;
  const load = async (f: GraphFiles): Promise<ModelFiles> => ({
    name: f.graph,
    graph: await blob(f.graph),
    externalData: await Promise.all(f.data.map(async (path) => ({ path, data: await blob(path) }))),
  });
  const { t5Tokenizer: t5, clipTokenizer: clip } = manifest.components;
  const tokenizers = {
    t5: createPromptTokenizer(await json(t5.json), await json(t5.config), manifest.model.t5.maxLength),
    clip: createPromptTokenizer(await json(clip.json), await json(clip.config), manifest.model.clip.maxLength),
  };
  return { manifest, tokenizers, load };
}

/** editBench on the WASM EP (threads as the page allows). */
export async function benchWasm(url: string, edits: number): Promise<BenchResult & { threads: number }> {
  const { manifest, tokenizers, load } = await openBundle(url);
  ort.env.wasm.numThreads = self.crossOriginIsolated ? 0 : 1;
  const models = createSessionModels(ort, { backend: 'wasm' }, manifest, load);
  const result = await benchEdits(manifest, tokenizers, models, edits, hashImage);
  await models.release();
  return {
    ...result,
    threads: self.crossOriginIsolated ? Math.min(4, Math.max(1, Math.floor(navigator.hardwareConcurrency / 2))) : 1,
  };
}

/** One edit on the WebGPU EP: readbacks inside denoising steps, per step. */
export async function countWebGpuReadbacks(url: string): Promise<{ steps: number; inStep: number; other: number }> {
  const { manifest, tokenizers, load } = await openBundle(url);
  const gpu = await requestGpu(navigator.gpu);
  if (!('device' in gpu)) throw new Error(gpu.reason);
  const target: RuntimeTarget = { backend: 'webgpu', device: gpu.device };
  const models = createSessionModels(ort, target, manifest, load);
  const result = await benchEdits(
    { ...manifest, sampling: { ...manifest.sampling, defaultSteps: 2, defaultAverage: 1 } },
    tokenizers,
    models,
    1,
    hashImage,
  );
  const r = models.readbacks;
  await models.release();
  gpu.device.destroy();
  return { steps: result.steps * 2, inStep: r.inStep, other: r.other }; // warm-up + one timed edit
}
