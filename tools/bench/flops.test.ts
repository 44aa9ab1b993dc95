import { describe, expect, it } from 'vitest';
import { countNodeFlops } from './flops';
import { isSettled } from './settle';

describe('FLOPs from a profiled node run', () => {
  it('counts 2·M·K·N for MatMul, batched, transposed-A FusedMatMul and Gemm', () => {
    expect(
      countNodeFlops(
        'MatMul',
        [
          [52, 192],
          [192, 768],
        ],
        [[52, 768]],
      ),
    ).toBe(2 * 52 * 192 * 768);
    expect(
      countNodeFlops(
        'MatMul',
        [
          [1, 6, 52, 32],
          [1, 6, 32, 52],
        ],
        [[1, 6, 52, 52]],
      ),
    ).toBe(2 * 6 * 52 * 52 * 32);
    expect(
      countNodeFlops(
        'FusedMatMul',
        [
          [192, 52],
          [192, 768],
        ],
        [[52, 768]],
      ),
    ).toBe(2 * 52 * 192 * 768);
    expect(countNodeFlops('Gemm', [[1, 64], [64, 192], [192]], [[1, 192]])).toBe(2 * 64 * 192);
  });

  it('counts Conv by its weight, and nothing for elementwise ops', () => {
    // 3×3 conv 3 → 16 channels at 64×64: every output value is 27 multiply-adds.
    expect(countNodeFlops('Conv', [[1, 3, 64, 64], [16, 3, 3, 3], [16]], [[1, 16, 64, 64]])).toBe(
      2 * 16 * 64 * 64 * 27,
    );
    expect(
      countNodeFlops(
        'Add',
        [
          [1, 16],
          [1, 16],
        ],
        [[1, 16]],
      ),
    ).toBe(0);
  });
});

describe('settling', () => {
  it('needs a full window within the tolerance of its median', () => {
    expect(isSettled([500, 120, 101, 100, 102], 3, 0.05)).toBe(true);
    expect(isSettled([500, 120, 101, 100, 102], 4, 0.05)).toBe(false);
    expect(isSettled([100, 100], 3, 0.05)).toBe(false);
  });
});
