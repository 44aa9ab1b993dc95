import type * as OrtWeb from 'onnxruntime-web';

/**
 * The onnxruntime module the engine runs on. The worker entry injects onnxruntime-web (the native WebGPU
 * build); Node tests inject onnxruntime-node. Only the shared onnxruntime-common surface is used.
 */
export type Ort = Pick<typeof OrtWeb, 'InferenceSession' | 'Tensor' | 'env'>;
export type OrtSession = OrtWeb.InferenceSession;
export type OrtTensor = OrtWeb.Tensor;

/** Where sessions run: the WebGPU EP on our own device, or the WASM (CPU) EP. */
export type RuntimeTarget = { backend: 'webgpu'; device: GPUDevice } | { backend: 'wasm' };
