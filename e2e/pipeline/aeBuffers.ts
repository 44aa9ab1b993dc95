/**
 * @file Runs in a real Chromium page: the engine's AE decode on onnxruntime-web's WebGPU EP with every
 * GPUDevice.createBuffer call counted, so e2e/aeBuffers.spec.ts can check the tile planner's buffer arithmetic
 * (workers/kontext/tiles.ts) against what onnxruntime really allocates.
 */
import * as ort from 'onnxruntime-web/webgpu';
import type { ModelFiles } from '../../workers/api/types';
import { parseManifest, type GraphFiles } from '../../workers/bundle/manifest';
import { requestGpu } from '../../workers/runtime/gpu';
import { createSessionModels } from '../../workers/runtime/kontextModels';

/**
 * Decodes a deterministic h×w latent of the bundle at `bundleUrl` on WebGPU (tiled when `aeBufferBudget` asks for
 * it) and returns the decoded pixels with the largest buffer any createBuffer call asked for meanwhile.
 */
export async function decodeCountingBuffers(bundleUrl: string, h: number, w: number, aeBufferBudget?: number) {
  const gpu = await requestGpu(navigator.gpu);
  if (!('device' in gpu)) throw new Error(`no WebGPU: ${gpu.reason}`);
  const manifest = parseManifest(await (await fetch(`${bundleUrl}manifest.json`)).json());
  const blob = async (path: string) => (await fetch(bundleUrl + path)).blob();
  const load = async (f: GraphFiles): Promise<ModelFiles> => ({
    name: f.graph,
    graph: await blob(f.graph),
    externalData: await Promise.all(f.data.map(async (path) => ({ path, data: await blob(path) }))),
  });
  // Count on the device itself, before the engine wraps it (its live-bytes counter wraps the instance's createBuffer,
  // which a GPUDevice.prototype wrapper would never see).
  const sizes: number[] = [];
  const create = gpu.device.createBuffer.bind(gpu.device);
  gpu.device.createBuffer = (descriptor: GPUBufferDescriptor) => {
    sizes.push(descriptor.size);
    return create(descriptor);
  };
  const target = { backend: 'webgpu' as const, device: gpu.device };
  const models = createSessionModels(ort, target, manifest, load, { aeBufferBudget });
  const z = manifest.model.ae.zChannels;
  const latent = Float32Array.from({ length: z * h * w }, (_, i) => Math.sin(i * 0.61) * 1.5);
  sizes.length = 0; // only the decode's
  try {
    const image = await models.decode(latent, h, w);
    return { decoded: Array.from(image), maxBuffer: Math.max(0, ...sizes), buffers: sizes.length };
  } finally {
    await models.release();
    gpu.device.destroy();
  }
}
