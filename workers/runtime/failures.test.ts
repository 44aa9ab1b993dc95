import { describe, expect, it } from 'vitest';
import { EngineError } from '../api/errors';
import { toRuntimeFailure } from './failures';

describe('toRuntimeFailure', () => {
  it('names allocation failures out-of-memory, as onnxruntime, WebAssembly and WebGPU word them', () => {
    for (const message of [
      'std::bad_alloc',
      '[ErrorCode:RuntimeException] Failed to allocate memory for requested buffer of size 123456789',
      'WebAssembly.Memory.grow(): Maximum memory size exceeded',
      'Array buffer allocation failed',
      'Cannot enlarge memory arrays to size 4294967296 bytes (OOM)',
    ]) {
      expect(toRuntimeFailure(new Error(message), 'running the DiT')).toMatchObject({
        code: 'out-of-memory',
        message: `running the DiT ran out of memory (${message})`,
      });
    }
    const gpu = Object.assign(new Error('buffer allocation'), { name: 'GPUOutOfMemoryError' });
    expect(toRuntimeFailure(gpu, 'x').code).toBe('out-of-memory');
  });

  it('names a lost device, keeps EngineErrors and calls the rest runtime with their message', () => {
    expect(toRuntimeFailure(new Error('Device was lost'), 'x').code).toBe('device-lost');
    const cancelled = new EngineError('cancelled', 'stopped');
    expect(toRuntimeFailure(cancelled, 'x')).toBe(cancelled);
    expect(toRuntimeFailure(new Error('Unexpected input "y"'), 'running the DiT')).toMatchObject({
      code: 'runtime',
      message: 'running the DiT failed: Unexpected input "y"',
    });
    expect(toRuntimeFailure('a string', 'x').message).toBe('x failed: a string');
  });
});
