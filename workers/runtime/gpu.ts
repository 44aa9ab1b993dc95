import type { GpuInfo } from '../api/types';

/** The device we requested and own for the worker's lifetime (so session.release() never destroys it). */
export interface GpuHandle {
  device: GPUDevice;
  info: GpuInfo;
  /** Whether the adapter offers 'subgroups' (the device has them only when asked for: info.subgroups). */
  adapterSubgroups: boolean;
}

/** Why no device was made; `refusedAdapter` names the software adapter that was there but refused. */
export interface GpuUnavailable {
  reason: string;
  refusedAdapter?: string;
}

/** Limits onnxruntime's WebGPU kernels may need beyond the defaults; we ask for the adapter's maximum. */
const WANTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

/**
 * Optional features onnxruntime uses when present. 'subgroups' turns on its flash-attention kernels, which
 * gave wrong results on SwiftShader (and, per upstream reports, some GPUs): the engine asks for it only
 * together with a known-answer check (attentionCheck.ts).
 */
const WANTED_FEATURES: GPUFeatureName[] = ['shader-f16', 'timestamp-query'];

/** Words in an adapter's info that mark a CPU implementation of WebGPU. */
const SOFTWARE_ADAPTERS: [RegExp, string][] = [
  [/swiftshader/i, 'SwiftShader'],
  [/llvmpipe/i, 'llvmpipe'],
  [/lavapipe/i, 'lavapipe'],
  [/software/i, 'software renderer'],
];

/**
 * Names the software (CPU) implementation behind an adapter, or null for a real GPU. Chromium reports
 * SwiftShader as a fallback adapter; Mesa's llvmpipe/lavapipe may only say so in their info strings.
 */
export function softwareAdapterName(
  info: { vendor?: string; architecture?: string; device?: string; description?: string },
  isFallbackAdapter: boolean,
): string | null {
  const words = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  for (const [pattern, name] of SOFTWARE_ADAPTERS) if (pattern.test(words)) return name;
  return isFallbackAdapter ? 'a fallback adapter' : null;
}

/** Why Auto runs on WASM when the only adapter is software: on SwiftShader an edit took ~1 min against ~1 s. */
function softwareAdapterReason(name: string): string {
  return `WebGPU adapter is a software fallback (${name}): using WASM, which is faster here; choose WebGPU to use it anyway`;
}

function isFallback(adapter: GPUAdapter): boolean {
  return Boolean(
    (adapter.info as { isFallbackAdapter?: boolean }).isFallbackAdapter ??
    (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter,
  );
}

/**
 * Requests a high-performance adapter and a device with its maximum limits (plus shader-f16 when present).
 * With `refuseSoftware`, a software adapter is refused before any device is made (Auto prefers WASM then).
 * @returns the device, or a reason why WebGPU is unavailable.
 */
export async function requestGpu(
  gpu: GPU | undefined,
  options: { subgroups?: boolean; refuseSoftware?: boolean } = {},
): Promise<GpuHandle | GpuUnavailable> {
  if (!gpu) return { reason: 'this browser has no WebGPU (navigator.gpu is missing)' };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { reason: `requestAdapter failed: ${(e as Error).message}` };
  }
  if (!adapter) return { reason: 'no WebGPU adapter is available on this machine' };
  const software = softwareAdapterName(adapter.info, isFallback(adapter));
  if (options.refuseSoftware && software) return { reason: softwareAdapterReason(software), refusedAdapter: software };

  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) {
    const value = (adapter.limits as unknown as Record<string, number | undefined>)[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  const wanted = options.subgroups ? [...WANTED_FEATURES, 'subgroups' as GPUFeatureName] : WANTED_FEATURES;
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const info = adapter.info;
  return {
    device,
    adapterSubgroups: adapter.features.has('subgroups'),
    info: {
      vendor: info.vendor,
      architecture: info.architecture,
      description: info.description,
      isFallbackAdapter: software !== null,
      shaderF16: device.features.has('shader-f16'),
      subgroups: device.features.has('subgroups'),
      limits: {
        maxBufferSize: device.limits.maxBufferSize,
        maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
        maxComputeWorkgroupStorageSize: device.limits.maxComputeWorkgroupStorageSize,
      },
    },
  };
}
