/** The contract between the UI and the inference worker. Types only: the UI imports this, never onnxruntime. */

/** Which onnxruntime-web execution provider runs the models. */
export type Backend = 'webgpu' | 'wasm';

/** What the user asked for: a specific backend, or the best one available. */
export type BackendChoice = Backend | 'auto';

/** The WebGPU adapter the worker found and the device it requested. */
export interface GpuInfo {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
  shaderF16: boolean;
  /** Whether onnxruntime may use subgroup (flash-attention) kernels: only after they passed a known-answer check. */
  subgroups: boolean;
  /** What the attention check found, in words (e.g. why subgroups were turned off). */
  attentionCheck?: string;
  /** The device's limits that decide which bundles fit (bytes). */
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number; maxComputeWorkgroupStorageSize: number };
}

/** What this machine can run, reported by {@link EngineApi.init}. */
export interface Capabilities {
  backend: Backend;
  /** True when WebGPU was wanted (auto) but the worker fell back to WASM; `fallbackReason` says why. */
  fallback: boolean;
  fallbackReason?: string;
  /** null when no WebGPU adapter exists or none was used. */
  gpu: GpuInfo | null;
  /** The software adapter (e.g. 'SwiftShader') Auto found and refused, so `gpu` is null although one exists. */
  refusedAdapter?: string;
  /** Which onnxruntime-web build the worker loaded: the native WebGPU EP with JSPI or with Asyncify. */
  ortBuild: 'jspi' | 'asyncify';
  ortVersion: string;
  wasmThreads: number;
  crossOriginIsolated: boolean;
}

/** One ONNX graph plus the external-data files it references (by the `location` stored in the graph). */
export interface ModelFiles {
  name: string;
  graph: Blob;
  externalData: { path: string; data: Blob }[];
}

/** RGBA pixels, row-major, as in ImageData. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Result of an autoencoder encode → decode round trip. */
export interface RoundTripResult {
  image: RgbaImage;
  /** The decoder's raw output, [1, 3, H, W] float32 in about [-1, 1], before clamping and rounding. */
  decoded: Float32Array;
  latentShape: number[];
  /** PSNR of the reconstruction against the input, on [0,1] values (dB). */
  psnr: number;
  backend: Backend;
  encodeMs: number;
  decodeMs: number;
}
