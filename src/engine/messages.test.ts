import { describe, expect, it } from 'vitest';
import { ENGINE_ERROR_CODES, EngineError, type EngineErrorCode } from '../../workers/api';
import { describeEngineError } from './messages';

const adviceOf = (code: EngineErrorCode) => describeEngineError(new EngineError(code, ''));

describe('describeEngineError', () => {
  it('has its own plain advice for every code and keeps the engine detail', () => {
    const advice = ENGINE_ERROR_CODES.map(adviceOf);
    for (const text of advice) expect(text.length).toBeGreaterThan(8);
    expect(new Set(advice).size).toBe(ENGINE_ERROR_CODES.length); // no two codes share advice
    expect(describeEngineError(new EngineError('quota', 'QuotaExceededError'))).toMatch(
      /ran out of storage.*\(QuotaExceededError\)/,
    );
    expect(describeEngineError(new EngineError('cancelled', 'job x cancelled'))).toBe('Cancelled.');
  });

  it('tells a missing, a half-downloaded and an unrunnable model apart from a bad manifest', () => {
    expect(adviceOf('bundle-not-found')).toMatch(/not stored in this browser.*Add it again/);
    expect(adviceOf('bundle-incomplete')).toMatch(/not completely downloaded.*Resume/);
    expect(adviceOf('unsupported')).toMatch(/cannot run that model/);
    expect(adviceOf('busy')).toMatch(/another tab/);
    expect(adviceOf('out-of-memory')).toMatch(/ran out of memory.*smaller image/);
    expect(adviceOf('device-lost')).toMatch(/GPU stopped responding/);
    for (const code of ['bundle-not-found', 'bundle-incomplete', 'unsupported'] as const)
      expect(adviceOf(code)).not.toMatch(/not a usable Kontext bundle|went wrong/);
    expect(
      describeEngineError(new EngineError('out-of-memory', 'the edit ran out of memory (std::bad_alloc)')),
    ).toMatch(/smaller.*\(the edit ran out of memory \(std::bad_alloc\)\)$/);
  });

  it('recovers the code from an error that crossed the worker boundary', () => {
    const crossed = Object.assign(new Error('bogus.onnx is not an ONNX model'), { name: 'EngineError:bad-model' });
    expect(describeEngineError(crossed)).toMatch(/not what this engine expects.*bogus.onnx is not an ONNX model/);
    const incomplete = Object.assign(new Error('x is not completely downloaded yet'), {
      name: 'EngineError:bundle-incomplete',
    });
    expect(describeEngineError(incomplete)).toMatch(/^That model is not completely downloaded/);
    expect(describeEngineError('boom')).toMatch(/went wrong.*boom/);
  });
});
