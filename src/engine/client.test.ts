import { describe, expect, it } from 'vitest';
import { createFakeEngine } from '../testing/fakes';
import { ENGINE_METHODS, type EngineMethods } from './client';

describe('the engine client', () => {
  it('forwards every EngineApi method (the fake engine implements the same interface)', () => {
    const {
      bundles: _b,
      jobs: _j,
      hold: _h,
      release: _r,
      failNext: _f,
      memoryBudget: _m,
      prepared: _p,
      ...api
    } = createFakeEngine();
    expect(Object.keys(ENGINE_METHODS).sort()).toEqual(Object.keys(api).sort());
  });

  it('does not compile with a method missing (checked by npm run typecheck)', () => {
    const { cancel: _cancel, ...withoutCancel } = ENGINE_METHODS;
    // @ts-expect-error a method list without `cancel` is not an EngineMethods
    const incomplete: EngineMethods = withoutCancel;
    expect(Object.keys(incomplete)).not.toContain('cancel');
  });
});
