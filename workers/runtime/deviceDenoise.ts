/**
 * @file The GPU-resident Euler loop (onnxruntime-web WebGPU EP): the DiT input [x; references], text
 * embeddings and ids are uploaded once into GPU buffers; every step runs the DiT segments with GPU
 * outputs and updates x in place with a compute pass. Only a preview's x0 is ever read back mid-loop.
 */
import { EngineError } from '../api/errors';
import type { DitConfig } from '../bundle/manifest';
import type { DeviceDenoiseRequest } from '../kontext/models';
import { runDitSegments } from './ditSegments';
import { createEulerKernel, readBuffer } from './eulerKernel';
import type { Ort, OrtSession, OrtTensor } from './ort';

export interface DeviceDenoiseDeps {
  ort: Ort;
  device: GPUDevice;
  dit: DitConfig;
  /** The DiT segments, created with GPU outputs. */
  openSegments: () => Promise<OrtSession[]>;
  /** Counts GPU→CPU reads: previews and the final result. */
  countReadback: (kind: 'preview' | 'result') => void;
}

function throwIfAborted(signal: AbortSignal | undefined, step: number): void {
  if (signal?.aborted) throw new EngineError('cancelled', `denoising cancelled at step ${step}`);
}

/** Runs the whole loop on the device; returns the final target tokens (one readback). */
export async function denoiseOnDevice(deps: DeviceDenoiseDeps, r: DeviceDenoiseRequest): Promise<Float32Array> {
  const { ort, device, dit } = deps;
  const owned: GPUBuffer[] = [];
  const upload = (data: Float32Array, dims: number[], extraUsage = 0): { buffer: GPUBuffer; tensor: OrtTensor } => {
    const buffer = device.createBuffer({
      size: data.byteLength,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC | extraUsage,
    });
    device.queue.writeBuffer(buffer, 0, data as Float32Array<ArrayBuffer>);
    owned.push(buffer);
    return { buffer, tensor: ort.Tensor.fromGpuBuffer(buffer, { dataType: 'float32', dims }) };
  };
  // WebGPU reports a failed allocation to an error scope, not by throwing: without one, an image too large for
  // the GPU would run on with invalid buffers and fail later with an unrelated message.
  device.pushErrorScope('out-of-memory');
  const length = r.imgIds.length / 3;
  const targetFloats = r.targetLength * dit.inChannels;
  const hidden = upload(r.hiddenStates, [1, length, dit.inChannels]);
  const x0 = upload(new Float32Array(targetFloats), [1, r.targetLength, dit.inChannels]);
  const fixed: Record<string, OrtTensor> = {
    hidden_states: hidden.tensor,
    encoder_hidden_states: upload(r.text.text, [1, r.text.length, dit.contextInDim]).tensor,
    pooled_projections: upload(r.text.pooled, [1, dit.vecInDim]).tensor,
    img_ids: upload(r.imgIds, [length, 3]).tensor,
    txt_ids: upload(r.txtIds, [r.text.length, 3]).tensor,
  };
  const blend = r.mask ? { mask: r.mask.mask, image: r.mask.imageLatents, noise: r.mask.noise } : null;
  const kernel = createEulerKernel(device, hidden.buffer, x0.buffer, targetFloats, blend);
  try {
    const oom = await device.popErrorScope();
    if (oom) throw new EngineError('out-of-memory', `the GPU has no room for the denoising buffers (${oom.message})`);
    const segments = await deps.openSegments();
    const steps = r.timesteps.length - 1;
    for (let step = 0; step < steps; step++) {
      const t = r.timesteps[step]!;
      const tNext = r.timesteps[step + 1]!;
      throwIfAborted(r.signal, step);
      // timestep and guidance are 4-byte uploads; everything else is already on the device.
      const values: Record<string, OrtTensor> = {
        ...fixed,
        timestep: new ort.Tensor('float32', new Float32Array([t]), [1]),
        guidance: new ort.Tensor('float32', new Float32Array([r.guidance]), [1]),
      };
      const { velocity, intermediates } = await runDitSegments(segments, values);
      if (velocity.location !== 'gpu-buffer')
        throw new EngineError('bad-model', 'the DiT did not leave "velocity" on the GPU');
      kernel.run({ velocity: velocity.gpuBuffer, dt: tNext - t, tNext });
      await device.queue.onSubmittedWorkDone(); // the pass has read v: ORT may now reuse its buffer
      velocity.dispose();
      for (const tensor of intermediates) tensor.dispose();
      throwIfAborted(r.signal, step);
      await r.onStep?.({ step, steps, t, tNext }, async () => {
        deps.countReadback('preview');
        return readBuffer(device, x0.buffer, targetFloats);
      });
    }
    deps.countReadback('result');
    return await readBuffer(device, hidden.buffer, targetFloats);
  } finally {
    kernel.destroy();
    for (const b of owned) b.destroy();
  }
}
