/**
 * @file Backend setup on the onnxruntime module: the WASM EP's thread count and, unless the user chose the
 * CPU, a WebGPU device, without 'subgroups' until a bundle's attention check passes (attentionGate.ts). The
 * engine decides what to do with the result.
 */
import type { BackendChoice } from '../api/types';
import { ATTENTION_GRAPH } from './attentionGraph';
import { requestGpu, type GpuHandle, type GpuUnavailable } from './gpu';
import type { Ort } from './ort';

/** What the host can offer a backend. */
interface BackendHost {
  gpu: GPU | undefined;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
}

/**
 * Threads the WASM EP will use: every core when the page is cross-origin isolated, else 1 (threads need
 * SharedArrayBuffer). onnxruntime's own default, min(4, cores / 2), left a 2-core machine on one thread.
 */
export function getWasmThreads(host: BackendHost): number {
  return host.crossOriginIsolated ? Math.max(1, Math.floor(host.hardwareConcurrency) || 1) : 1;
}

/**
 * Starts onnxruntime's WebAssembly runtime (fetches and compiles the .wasm, starts its threads) by creating and
 * releasing a session of a one-node graph: the worker does it as soon as onnxruntime is imported, while the page
 * still boots, instead of inside the first model's session creation (~0.4 s of a cached bundle's load). The thread
 * count is fixed here; it depends on the host only, not on the backend the user picks later.
 */
export async function startRuntime(ort: Ort, host: BackendHost): Promise<void> {
  ort.env.wasm.numThreads = getWasmThreads(host);
  const session = await ort.InferenceSession.create(ATTENTION_GRAPH, { executionProviders: ['wasm'] });
  await session.release();
}

/**
 * Configures the WASM EP and requests a GPU device unless `choice` is 'wasm'. Auto refuses a software
 * adapter (SwiftShader, llvmpipe): WASM is ~50× faster there. An explicit 'webgpu' takes whatever exists.
 * @returns null for 'wasm', else the device or the reason WebGPU is unavailable.
 */
export async function prepareBackend(
  ort: Ort,
  choice: BackendChoice,
  host: BackendHost,
): Promise<GpuHandle | GpuUnavailable | null> {
  ort.env.wasm.numThreads = getWasmThreads(host);
  if (choice === 'wasm') return null;
  return requestGpu(host.gpu, { refuseSoftware: choice === 'auto' });
}
