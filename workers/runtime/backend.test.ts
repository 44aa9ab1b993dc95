import { describe, expect, it } from 'vitest';
import { getWasmThreads, prepareBackend } from './backend';
import { softwareAdapterName } from './gpu';
import type { Ort } from './ort';

/** A navigator.gpu with one adapter described by `info`; counts devices made from it. */
function fakeGpu(info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean }) {
  const made = { devices: 0 };
  const device = { features: new Set<string>(), limits: {}, destroy() {}, lost: new Promise(() => {}) };
  const adapter = {
    info: { vendor: '', architecture: '', device: '', description: '', ...info },
    limits: {},
    features: new Set<string>(),
    requestDevice: () => {
      made.devices++;
      return Promise.resolve(device);
    },
  };
  return { gpu: { requestAdapter: () => Promise.resolve(adapter) } as unknown as GPU, made };
}

const fakeOrt = () => ({ env: { wasm: {} as { numThreads?: number } } }) as unknown as Ort;

describe('software adapters', () => {
  it('names SwiftShader, llvmpipe and lavapipe from the adapter info, and any fallback adapter', () => {
    expect(softwareAdapterName({ vendor: 'google', architecture: 'swiftshader' }, true)).toBe('SwiftShader');
    expect(softwareAdapterName({ description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }, false)).toBe('llvmpipe');
    expect(softwareAdapterName({ device: 'Lavapipe' }, false)).toBe('lavapipe');
    expect(softwareAdapterName({ vendor: 'x' }, true)).toBe('a fallback adapter');
    expect(softwareAdapterName({ vendor: 'nvidia', architecture: 'ampere' }, false)).toBeNull();
  });

  it('Auto refuses a SwiftShader adapter before making a device, and says WASM is faster', async () => {
    const { gpu, made } = fakeGpu({ vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true });
    const host = { gpu, crossOriginIsolated: true, hardwareConcurrency: 2 };
    const result = await prepareBackend(fakeOrt(), 'auto', host);
    expect(result).toEqual({
      reason:
        'WebGPU adapter is a software fallback (SwiftShader): using WASM, which is faster here; choose WebGPU to use it anyway',
      refusedAdapter: 'SwiftShader',
    });
    expect(made.devices).toBe(0);
  });

  it('an explicit WebGPU choice still uses the software adapter', async () => {
    const { gpu, made } = fakeGpu({ vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true });
    const result = await prepareBackend(fakeOrt(), 'webgpu', {
      gpu,
      crossOriginIsolated: true,
      hardwareConcurrency: 2,
    });
    expect(result && 'device' in result && result.info.isFallbackAdapter).toBe(true);
    expect(made.devices).toBe(1);
  });

  it('Auto takes a real GPU', async () => {
    const { gpu } = fakeGpu({ vendor: 'nvidia', architecture: 'ampere' });
    const result = await prepareBackend(fakeOrt(), 'auto', { gpu, crossOriginIsolated: true, hardwareConcurrency: 8 });
    expect(result && 'device' in result).toBe(true);
  });
});

describe('WASM threads', () => {
  it('uses every core when cross-origin isolated, one thread otherwise, and tells onnxruntime so', async () => {
    expect(getWasmThreads({ gpu: undefined, crossOriginIsolated: true, hardwareConcurrency: 2 })).toBe(2);
    expect(getWasmThreads({ gpu: undefined, crossOriginIsolated: true, hardwareConcurrency: 16 })).toBe(16);
    expect(getWasmThreads({ gpu: undefined, crossOriginIsolated: false, hardwareConcurrency: 16 })).toBe(1);
    const ort = fakeOrt();
    await prepareBackend(ort, 'wasm', { gpu: undefined, crossOriginIsolated: true, hardwareConcurrency: 6 });
    expect(ort.env.wasm.numThreads).toBe(6);
  });
});
