/**
 * @file The model calls the Kontext pipeline makes, as plain data in and out. The runtime implements them
 * on onnxruntime sessions (WebGPU or WASM in the worker, onnxruntime-node in tests); the pipeline never
 * sees a session. Layouts follow docs/graph-contract.md.
 */
import type { FirstBlockCache } from './firstBlockCache';

/** Text conditioning: T5 sequence [1, L_txt, D_t5] and CLIP pooled vector [1, D_clip]. */
export interface TextConditioning {
  text: Float32Array;
  /** L_txt, the number of text tokens. */
  length: number;
  pooled: Float32Array;
}

/** One DiT evaluation: everything the graph takes (img tokens = target then references). */
export interface VelocityInputs {
  /** [runs, L_img, C]: each run's tokens back to back. */
  hiddenStates: Float32Array;
  /** Runs in this call (the DiT's batch axis, manifest `dit_batch`); they share text, ids, timestep and guidance. */
  runs: number;
  imgIds: Float32Array;
  text: TextConditioning;
  txtIds: Float32Array;
  timestep: number;
  guidance: number;
  /** This run's first-block cache (fast mode); only given when the DiT is laid out for it. */
  cache?: FirstBlockCache;
}

/** Where one Euler step got to (progress without reading tensors back). */
export interface StepInfo {
  step: number;
  steps: number;
  t: number;
  tNext: number;
}

/** The whole denoising loop for models that keep it on the device (see sampleLatents for the semantics). */
export interface DeviceDenoiseRequest {
  /** [1, L_img, C]: the starting target tokens followed by every reference's tokens. */
  hiddenStates: Float32Array;
  targetLength: number;
  imgIds: Float32Array;
  text: TextConditioning;
  txtIds: Float32Array;
  timesteps: readonly number[];
  guidance: number;
  mask?: { mask: Float32Array; imageLatents: Float32Array; noise: Float32Array };
  signal?: AbortSignal;
  /** After every step; `readX0` fetches the x0 estimate (x − t·v) for a preview — a counted readback. */
  onStep?: (info: StepInfo, readX0: () => Promise<Float32Array>) => void | Promise<void>;
}

export interface KontextModels {
  /** T5 ids [1, L_txt] and CLIP ids [1, L_clip] → conditioning. */
  encodeText(t5Ids: Int32Array, clipIds: Int32Array): Promise<TextConditioning>;
  /** Pixels [1, 3, H, W] in [-1, 1] → transformer-space latents [1, Z, H/f, W/f]. */
  encodeImage(pixels: Float32Array, width: number, height: number): Promise<Float32Array>;
  /** Velocity for every image token of every run, [runs, L_img, C]. */
  velocity(inputs: VelocityInputs): Promise<Float32Array>;
  /** Latents [1, Z, h, w] → pixels [1, 3, f·h, f·w] in about [-1, 1]. */
  decode(latents: Float32Array, height: number, width: number): Promise<Float32Array>;
  /** A cheap decoder for live previews (same contract as decode); absent when the bundle has none. */
  decodePreview?: (latents: Float32Array, height: number, width: number) => Promise<Float32Array>;
  /**
   * Present when the models can run the Euler loop without leaving the device (WebGPU): latents, text
   * and ids stay in GPU buffers, and nothing is read back inside a step. Returns the final target tokens.
   */
  denoiseOnDevice?: (request: DeviceDenoiseRequest) => Promise<Float32Array>;
}
