import { describe, expect, it } from 'vitest';
import { EngineError, type EngineErrorCode } from '../../workers/api';
import { describeEngineError } from './messages';

describe('describeEngineError', () => {
  it('has plain advice for every code and keeps the engine detail', () => {
    const codes: EngineErrorCode[] = [
      'no-webgpu',
      'no-shader-f16',
      'device-lost',
      'not-initialized',
      'bad-model',
      'missing-external-data',
      'bad-image',
      'bad-input',
      'quota',
      'hash-mismatch',
      'bad-manifest',
      'cancelled',
      'runtime',
    ];
    for (const code of codes)
      expect(describeEngineError(new EngineError(code, 'detail here')).length).toBeGreaterThan(8);
    expect(describeEngineError(new EngineError('quota', 'QuotaExceededError'))).toMatch(
      /ran out of storage.*\(QuotaExceededError\)/,
    );
    expect(describeEngineError(new EngineError('cancelled', 'job x cancelled'))).toBe('Cancelled.');
  });

  it('recovers the code from an error that crossed the worker boundary', () => {
    const crossed = Object.assign(new Error('bogus.onnx is not an ONNX model'), { name: 'EngineError:bad-model' });
    expect(describeEngineError(crossed)).toMatch(/not what this engine expects.*bogus.onnx is not an ONNX model/);
    expect(describeEngineError('boom')).toMatch(/went wrong.*boom/);
  });
});
