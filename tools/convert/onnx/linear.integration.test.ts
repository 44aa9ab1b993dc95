import { afterAll, describe, expect, it } from 'vitest';
import { convertFloat32ToHalf } from '../quantize/fp16';
import { getRelativeError, runGraph } from '../quantize/runOrt';
import { convertHalfToFloat32 } from '../safetensorsDtypes';
import { makeRandomFloats, makeRng, makeTempDir } from '../testing';
import type { WeightFormat } from '../graphs/types';
import { GraphBuilder } from './GraphBuilder';
import { getOutput } from '../../testing/outputs';
import { addLinearWeights } from './linear';
import { saveModel } from './save';
import { ShardWriter } from './shardWriter';
import { openFolderSink } from '../node/folderSink';

const temp = makeTempDir('linear-test');
afterAll(() => temp.cleanup());

const rng = makeRng(5);
const [m, n, k] = [4, 24, 40];
const weight = makeRandomFloats(rng, n * k);
const bias = makeRandomFloats(rng, n);
const x = makeRandomFloats(rng, m * k);

/** x @ W^T + b in float64. */
function computeReference(w: Float32Array): Float32Array {
  const y = new Float32Array(m * n);
  for (let r = 0; r < m; r++) {
    for (let o = 0; o < n; o++) {
      let acc = bias[o]!;
      for (let i = 0; i < k; i++) acc += x[r * k + i]! * w[o * k + i]!;
      y[r * n + o] = acc;
    }
  }
  return y;
}

function buildLinear(format: WeightFormat): { graph: string; data: string[] } {
  const fileName = `linear_${format}.onnx`;
  const writer = new ShardWriter(openFolderSink(temp.dir), { dataFileName: `${fileName}.data` });
  const b = new GraphBuilder({ sink: writer, externalThresholdBytes: 64 });
  const input = b.addInput('x', 'float', [1, 'M', k]);
  b.addOutput(
    addLinearWeights(b, input, { weight, bias, inFeatures: k, outFeatures: n, name: 'fc' }, format, 32),
    'y',
    'float',
    [1, 'M', n],
  );
  const saved = saveModel(b, openFolderSink(temp.dir), { fileName, shardWriter: writer });
  return { graph: saved.modelFile, data: saved.dataFiles };
}

describe('addLinearWeights', () => {
  it('fp32: MatMul + Add equals x @ W^T + b within 1e-6 on onnxruntime-node and -web', async () => {
    const g = buildLinear('fp32');
    for (const runtime of ['node', 'web'] as const) {
      const out = await runGraph(runtime, temp.dir, g.graph, g.data, { x: { data: x, dims: [1, m, k] } });
      expect(getRelativeError(getOutput(out, 'y').data, computeReference(weight))).toBeLessThanOrEqual(1e-6);
    }
  });

  it('fp16: computes with the fp16-rounded weights (≤ 1e-6), within 1e-3 of the fp32 layer', async () => {
    const g = buildLinear('fp16');
    const rounded = convertHalfToFloat32(convertFloat32ToHalf(weight));
    for (const runtime of ['node', 'web'] as const) {
      const { data: y } = getOutput(
        await runGraph(runtime, temp.dir, g.graph, g.data, { x: { data: x, dims: [1, m, k] } }),
        'y',
      );
      expect(getRelativeError(y, computeReference(rounded))).toBeLessThanOrEqual(1e-6);
      const err = getRelativeError(y, computeReference(weight));
      console.log(`fp16 linear on ${runtime}: rel err vs fp32 weights = ${err.toExponential(2)}`);
      expect(err).toBeGreaterThan(0); // the weights really were stored as fp16
      expect(err).toBeLessThanOrEqual(1e-3);
    }
  });

  it('refuses weights and biases that do not match the feature counts', () => {
    const b = new GraphBuilder();
    const input = b.addInput('x', 'float', [1, k]);
    expect(() =>
      addLinearWeights(b, input, { weight, inFeatures: k + 1, outFeatures: n, name: 'bad' }, 'int4', 32),
    ).toThrow(/bad: weight/);
    expect(() =>
      addLinearWeights(
        b,
        input,
        { weight, bias: new Float32Array(3), inFeatures: k, outFeatures: n, name: 'bad' },
        'fp16',
        32,
      ),
    ).toThrow(/bad: bias/);
  });
});
