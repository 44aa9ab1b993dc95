/**
 * @file Backend setup on the onnxruntime module: the WASM EP's thread count and, unless the user chose the
 * CPU, a WebGPU device whose fused attention passed its check. The engine decides what to do with the result.
 */
import type { BackendChoice } from '../api/types';
import { requestCheckedGpu } from './attentionCheck';
import type { GpuHandle } from './gpu';
import type { Ort } from './ort';

/** What the host can offer a backend. */
interface BackendHost {
  gpu: GPU | undefined;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
}

/**
 * Threads the WASM EP will use: onnxruntime's own choice (half the cores, at most 4) when the page is
 * cross-origin isolated, else 1 (threads need SharedArrayBuffer).
 */
export function getWasmThreads(host: BackendHost): number {
  return host.crossOriginIsolated ? Math.min(4, Math.max(1, Math.floor(host.hardwareConcurrency / 2))) : 1;
}

/**
 * Configures the WASM EP and requests a checked GPU device unless `choice` is 'wasm'.
 * @returns null for 'wasm', else the device or the reason WebGPU is unavailable.
 */
export async function prepareBackend(
  ort: Ort,
  choice: BackendChoice,
  host: BackendHost,
): Promise<GpuHandle | { reason: string } | null> {
  // numThreads 0 = onnxruntime's choice (see getWasmThreads); it needs cross-origin isolation.
  ort.env.wasm.numThreads = host.crossOriginIsolated ? 0 : 1;
  return choice === 'wasm' ? null : requestCheckedGpu(host.gpu, ort);
}
