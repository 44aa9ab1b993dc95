import { describe, expect, it } from 'vitest';
import { allotSeconds, estimateAttentionCheckSeconds, getEditTokens, parseGpuBenchArgs } from './gpuPlan';
import { describePart, formatGpuTable, getPeakGpuBytes, type GpuBenchResults } from './gpuReport';

describe('parseGpuBenchArgs', () => {
  it('defaults to the real shapes at 512² and 1024², both bundles, 10 minutes', () => {
    expect(parseGpuBenchArgs([])).toMatchObject({
      scale: 1,
      sizes: [512, 1024],
      modes: ['int4-fp16', 'int4-fp32'],
      runtime: 'auto',
      budgetSeconds: 600,
      torchDevice: 'cuda',
      keepSource: false,
    });
  });

  it('reads a reduced run and refuses what it cannot use', () => {
    const o = parseGpuBenchArgs([
      '--scale',
      '0.05',
      '--sizes',
      '128,64,128',
      '--modes',
      'int4-fp32',
      '--runtime',
      'node',
    ]);
    expect(o).toMatchObject({ scale: 0.05, depth: 0.05, sizes: [64, 128], modes: ['int4-fp32'], runtime: 'node' });
    expect(parseGpuBenchArgs(['--depth', '0.1'])).toMatchObject({ scale: 1, depth: 0.1 });
    expect(() => parseGpuBenchArgs(['--depth', '0'])).toThrow(/depth/);
    expect(() => parseGpuBenchArgs(['--scale', '2'])).toThrow(/scale/);
    expect(() => parseGpuBenchArgs(['--sizes', '100'])).toThrow(/multiples of 16/);
    expect(() => parseGpuBenchArgs(['--modes', 'fp8'])).toThrow(/unknown mode "fp8"/);
    expect(() => parseGpuBenchArgs(['--budget-seconds'])).toThrow(/needs a value/);
    expect(() => parseGpuBenchArgs(['--fast'])).toThrow(/usage: npm run bench:gpu/);
  });
});

describe('the shapes and the budget', () => {
  it('counts 8,704 tokens at 1024² with one input image and 512 text tokens', () => {
    expect(getEditTokens(1024, 512)).toEqual({ image: 8192, total: 8704 });
    expect(getEditTokens(512, 512).total).toBe(2560);
  });

  it('estimates the attention check from its checked rows × tokens', () => {
    const at = estimateAttentionCheckSeconds(8704, 128);
    expect(at).toBeGreaterThan(1);
    expect(at).toBeLessThan(10); // was 78 s for every row: it starved the AE decode on the H200
    expect(estimateAttentionCheckSeconds(4352, 128)).toBeCloseTo(at / 2, 6); // 256 rows either way
    expect(estimateAttentionCheckSeconds(128, 128)).toBeCloseTo(estimateAttentionCheckSeconds(256, 128) / 4, 6);
  });

  it('shares the time left by weight, giving a finished part’s savings to the rest', () => {
    expect(allotSeconds(600, [3, 2, 2, 1], 0)).toBe(225);
    expect(allotSeconds(500, [3, 2, 2, 1], 1)).toBe(200);
    expect(allotSeconds(100, [3, 2, 2, 1], 3)).toBe(100);
    expect(allotSeconds(-5, [1, 1], 0)).toBe(0);
  });
});

describe('the report', () => {
  const results: GpuBenchResults = {
    started: '',
    options: parseGpuBenchArgs(['--sizes', '64,128', '--modes', 'int4-fp32']),
    runtime: { chosen: 'chromium', why: '', adapter: null },
    generateMs: 0,
    bundles: {},
    runs: {
      'int4-fp32': {
        'dit 64': { coldMs: 900, warmMs: 300, peakGpuBytes: 5 * 1024 ** 2 },
        'dit 128': { skipped: '3 s left, needs about 9 s' },
        'ae decode 128': { coldMs: 20_000, warmMs: 12_345, peakGpuBytes: 7 * 1024 ** 2 },
        'attention check 640': { maxError: 2e-7, passed: true, ms: 40 },
      },
    },
    torch: { 'dit 64': { warmMs: 100 } },
    nodeGpuPeak: {},
  };

  it('says what each part measured or why it did not', () => {
    expect(describePart(results.runs['int4-fp32']!['dit 64'])).toBe('300 ms (first 900 ms)');
    expect(describePart(results.runs['int4-fp32']!['dit 128'])).toBe('skipped (3 s left, needs about 9 s)');
    expect(describePart({ error: 'boom' })).toBe('error: boom');
    const ort =
      "Non-zero status code returned while running Cast node. Name:'Cast_2' Status Message: shader_helper.cc:416 GenerateSourceCode Program Cast requires f16 but the device does not support it.";
    expect(describePart({ error: ort })).toBe('error: Program Cast requires f16 but the device does not support it.');
    expect(describePart(undefined)).toBe('–');
    expect(getPeakGpuBytes(results.runs['int4-fp32'])).toBe(7 * 1024 ** 2);
    expect(getPeakGpuBytes({})).toBeNull();
  });

  it('prints a row per part with the ratio to PyTorch', () => {
    const table = formatGpuTable(results);
    expect(table).toMatch(/one DiT step 64² \+ 64² input\s+300 ms \(first 900 ms\)\s+100 ms\s+3\.0×/);
    expect(table).toMatch(/AE decode 128²\s+12\.3 s \(first 20\.0 s\)/);
    expect(table).toMatch(/peak live GPU bytes \(buffers\)\s+7\.0 MB/);
    expect(table).toMatch(/attention check\s+640 tokens: pass, max error 2\.0e-7 \(40 ms\)/);
    expect(table).not.toMatch(/bundle notes/);
    results.runs['int4-fp32']!.stopped = 'int4-fp32 ran past its share of the budget';
    expect(formatGpuTable(results)).toMatch(/bundle notes\s+int4-fp32 ran past its share of the budget/);
  });
});
