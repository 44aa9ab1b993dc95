/**
 * @file Runs in a real Chromium page (served through Vite): the engine's own modules on onnxruntime-web's
 * WebGPU EP, fed the PyTorch golden's inputs, so e2e/pipeline.spec.ts can compare the final latents.
 */
import * as ort from 'onnxruntime-web/webgpu';
import type { ModelFiles } from '../../workers/api/types';
import { parseManifest, type GraphFiles } from '../../workers/bundle/manifest';
import { sampleLatents } from '../../workers/kontext/edit';
import { getLatentGeometry, getLatentShape, packLatents, unpackLatents } from '../../workers/kontext/pack';
import { getSchedule } from '../../workers/kontext/schedule';
import { measureAttentionError } from '../../workers/runtime/attentionCheck';
import { requestGpu } from '../../workers/runtime/gpu';
import { createSessionModels } from '../../workers/runtime/kontextModels';

/** A WebGPU device and session-backed models for the bundle served at `bundleUrl`. */
async function openOnWebGpu(bundleUrl: string) {
  const gpu = await requestGpu(navigator.gpu);
  if (!('device' in gpu)) throw new Error(`no WebGPU: ${gpu.reason}`);
  const manifest = parseManifest(await (await fetch(`${bundleUrl}manifest.json`)).json());
  const blob = async (path: string) => (await fetch(bundleUrl + path)).blob();
  const load = async (f: GraphFiles): Promise<ModelFiles> => ({
    name: f.graph,
    graph: await blob(f.graph),
    externalData: await Promise.all(f.data.map(async (path) => ({ path, data: await blob(path) }))),
  });
  const models = createSessionModels(ort, { backend: 'webgpu', device: gpu.device }, manifest, load);
  return { gpu, manifest, models };
}

export interface GoldenInputs {
  t5Ids: number[];
  clipIds: number[];
  ref1: number[];
  ref2: number[];
  mask: number[];
  noise: number[];
  guidance: number;
  steps: number;
}

/** The golden pipeline on WebGPU: returns final latents [1,16,8,8] and the readback counts. */
export async function runGolden(bundleUrl: string, g: GoldenInputs) {
  const { gpu, manifest, models } = await openOnWebGpu(bundleUrl);
  const text = await models.encodeText(Int32Array.from(g.t5Ids), Int32Array.from(g.clipIds));
  const geometry = getLatentGeometry(manifest.model);
  const target = getLatentShape(64, 64, geometry);
  const ref2 = getLatentShape(64, 48, geometry);
  const references = [
    { tokens: packLatents(await models.encodeImage(Float32Array.from(g.ref1), 64, 64), target), shape: target },
    { tokens: packLatents(await models.encodeImage(Float32Array.from(g.ref2), 64, 48), ref2), shape: ref2 },
  ];
  const maskLatent = new Float32Array(16 * 64);
  for (let c = 0; c < 16; c++) maskLatent.set(g.mask, c * 64);
  const before = models.readbacks;
  let stepsSeen = 0;
  const tokens = await sampleLatents({
    models,
    text,
    target,
    references,
    guidance: g.guidance,
    timesteps: getSchedule(g.steps, 16, manifest.sampling),
    noise: packLatents(Float32Array.from(g.noise), target),
    mask: packLatents(maskLatent, target),
    onStep: () => {
      stepsSeen++;
    },
  });
  const after = models.readbacks;
  await models.release();
  gpu.device.destroy();
  return {
    latents: Array.from(unpackLatents(tokens, target)),
    deviceLoop: Boolean(models.denoiseOnDevice),
    stepsSeen,
    readbacksInSteps: after.inStep - before.inStep,
    previewReadbacks: after.preview - before.preview,
    otherReadbacks: after.other - before.other,
  };
}

/** The fused-attention known-answer check on devices with and without 'subgroups'. */
export async function checkAttention(): Promise<{
  subgroupsAvailable: boolean;
  withSubgroups: number | null;
  without: number;
}> {
  const run = async (subgroups: boolean) => {
    const gpu = await requestGpu(navigator.gpu, { subgroups });
    if (!('device' in gpu)) throw new Error(gpu.reason);
    try {
      return { used: gpu.info.subgroups, error: await measureAttentionError(ort, gpu.device) };
    } finally {
      gpu.device.destroy();
    }
  };
  const withSub = await run(true);
  const without = await run(false);
  return {
    subgroupsAvailable: withSub.used,
    withSubgroups: withSub.used ? withSub.error : null,
    without: without.error,
  };
}

/** The DiT alone on the WebGPU EP, fed dit.safetensors' inputs: returns the velocity. */
export async function runDitGolden(bundleUrl: string, g: Record<string, number[]>): Promise<number[]> {
  const input = (name: string): number[] => {
    const values = g[name];
    if (!values) throw new Error(`the DiT golden inputs have no '${name}'`);
    return values;
  };
  const scalar = (name: string): number => {
    const [value] = input(name);
    if (value === undefined) throw new Error(`the DiT golden input '${name}' is empty`);
    return value;
  };
  const txtIds = input('txt_ids');
  const inputs = {
    hiddenStates: Float32Array.from(input('hidden_states')),
    runs: 1,
    imgIds: Float32Array.from(input('img_ids')),
    text: {
      text: Float32Array.from(input('encoder_hidden_states')),
      length: txtIds.length / 3,
      pooled: Float32Array.from(input('pooled_projections')),
    },
    txtIds: Float32Array.from(txtIds),
    timestep: scalar('timestep'),
    guidance: scalar('guidance'),
  };
  const { gpu, models } = await openOnWebGpu(bundleUrl);
  const velocity = await models.velocity(inputs);
  await models.release();
  gpu.device.destroy();
  return Array.from(velocity);
}
