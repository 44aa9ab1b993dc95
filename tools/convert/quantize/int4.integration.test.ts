import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../onnx/GraphBuilder';
import { getOutput } from '../../testing/outputs';
import { addLinearWeights } from '../onnx/linear';
import { saveModel } from '../onnx/save';
import { ShardWriter } from '../onnx/shardWriter';
import { makeRandomFloats, makeRng, makeTempDir } from '../testing';
import { dequantizeInt4, INT4_MAX_LEVEL, INT4_ZERO_POINT, quantizeInt4 } from './int4';
import { getRelativeError, runGraph } from './runOrt';
import { openFolderSink } from '../node/folderSink';

const temp = makeTempDir('int4-test');
afterAll(() => temp.cleanup());

describe('quantizeInt4', () => {
  it('packs two codes per byte, low nibble first, in [N, kBlocks, blockSize/2] with one scale per block', () => {
    // Row 0: block 0 holds 0..15 scaled so that |max| = 7·scale; everything else is zero.
    const k = 40; // two blocks of 32, the second padded with zeros
    const w = new Float32Array(2 * k);
    for (let i = 0; i < 16; i++) w[i] = (i - 8) / 8; // -1 … 0.875, amax 1 → scale 1/7
    const q = quantizeInt4(w, 2, k, 32);
    expect(q.kBlocks).toBe(2);
    expect(q.packed.length).toBe(2 * 2 * 16);
    expect(q.scales.length).toBe(2 * 2);
    expect(q.scales[0]).toBeCloseTo(1 / 7, 7);
    expect([q.scales[1], q.scales[2], q.scales[3]]).toEqual([0, 0, 0]);
    const codes = Array.from({ length: 16 }, (_, i) => Math.round(w[i]! * 7) + INT4_ZERO_POINT);
    expect(q.packed[0]).toBe(codes[0]! | (codes[1]! << 4));
    expect(q.packed[3]).toBe(codes[6]! | (codes[7]! << 4));
    // Zero blocks and the zero padding of K hold the zero point in both nibbles.
    expect(q.packed[16]).toBe(INT4_ZERO_POINT | (INT4_ZERO_POINT << 4));
    expect(q.packed[31]).toBe(0x88);
  });

  it('keeps every weight within scale/2 of its dequantized value (block 32 and 64, K not a block multiple)', () => {
    const rng = makeRng(7);
    for (const blockSize of [32, 64]) {
      const n = 17;
      const k = 150;
      const w = makeRandomFloats(rng, n * k, 3);
      w[5] = 40; // an outlier widens only its own block
      const q = quantizeInt4(w, n, k, blockSize);
      const deq = dequantizeInt4(q);
      let worstRatio = 0;
      for (let row = 0; row < n; row++) {
        for (let i = 0; i < k; i++) {
          const blk = Math.floor(i / blockSize);
          const scale = q.scales[row * q.kBlocks + blk]!;
          let amax = 0;
          for (let j = blk * blockSize; j < Math.min(k, (blk + 1) * blockSize); j++)
            amax = Math.max(amax, Math.abs(w[row * k + j]!));
          expect(scale).toBeCloseTo(amax / INT4_MAX_LEVEL, 6);
          worstRatio = Math.max(worstRatio, Math.abs(w[row * k + i]! - deq[row * k + i]!) / scale);
        }
      }
      console.log(`int4 block ${blockSize}: max |w − deq(w)| / scale = ${worstRatio.toFixed(6)} (bound 0.5)`);
      expect(worstRatio).toBeLessThanOrEqual(0.5 + 1e-6);
      expect(worstRatio).toBeGreaterThan(0.4); // random data gets close to the bound, so it is not loose
    }
  });

  it('refuses block sizes MatMulNBits does not take and mismatched sizes', () => {
    expect(() => quantizeInt4(new Float32Array(96), 1, 96, 48)).toThrow(/power of two/);
    expect(() => quantizeInt4(new Float32Array(96), 1, 96, 8)).toThrow(/power of two/);
    expect(() => quantizeInt4(new Float32Array(95), 1, 96, 32)).toThrow(/expected 1×96/);
  });
});

describe('MatMulNBits from quantizeInt4 (onnxruntime-node and onnxruntime-web WASM)', () => {
  const rng = makeRng(11);
  const [m, n, k] = [5, 48, 100];
  const weight = makeRandomFloats(rng, n * k);
  const bias = makeRandomFloats(rng, n);
  const x = makeRandomFloats(rng, m * k);

  /** x @ deq(W)^T + b in float64. */
  function computeReference(deq: Float32Array): Float32Array {
    const y = new Float32Array(m * n);
    for (let r = 0; r < m; r++) {
      for (let o = 0; o < n; o++) {
        let acc = bias[o]!;
        for (let i = 0; i < k; i++) acc += x[r * k + i]! * deq[o * k + i]!;
        y[r * n + o] = acc;
      }
    }
    return y;
  }

  for (const blockSize of [32, 64]) {
    it(`equals the JS dequantized matmul within 1e-5 (block ${blockSize}, K = ${k})`, async () => {
      const fileName = `q4_${blockSize}.onnx`;
      const writer = new ShardWriter(openFolderSink(temp.dir), { dataFileName: `${fileName}.data` });
      const b = new GraphBuilder({ sink: writer, externalThresholdBytes: 64 });
      const input = b.addInput('x', 'float', [1, 'M', k]);
      const y = addLinearWeights(
        b,
        input,
        { weight, bias, inFeatures: k, outFeatures: n, name: 'fc' },
        'int4',
        blockSize,
      );
      b.addOutput(y, 'y', 'float', [1, 'M', n]);
      const saved = saveModel(b, openFolderSink(temp.dir), { fileName, shardWriter: writer });
      const expected = computeReference(dequantizeInt4(quantizeInt4(weight, n, k, blockSize)));
      const exact = computeReference(weight);
      for (const runtime of ['node', 'web'] as const) {
        const out = await runGraph(runtime, temp.dir, saved.modelFile, saved.dataFiles, {
          x: { data: x, dims: [1, m, k] },
        });
        const y = getOutput(out, 'y');
        expect(y.dims).toEqual([1, m, n]);
        const err = getRelativeError(y.data, expected);
        console.log(
          `MatMulNBits block ${blockSize} on ${runtime}: rel err vs JS dequantized = ${err.toExponential(2)}, vs unquantized = ${getRelativeError(y.data, exact).toFixed(4)}`,
        );
        expect(err).toBeLessThanOrEqual(1e-5);
      }
    });
  }
});
