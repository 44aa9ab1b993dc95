import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { getOutput } from '../../testing/outputs';
import { computeConv2d, getMaxAbsDiff, makeRandomFloats, makeRng, makeTempDir } from '../testing';
import { attrFloat, attrFloats, GraphBuilder } from './GraphBuilder';
import {
  assertOnnxModel,
  isOnnxModel,
  listExternalDataLocations,
  OnnxFormatError,
} from '../../../workers/bundle/onnxInspect';
import { addConv2d, addLayerNorm, addLinear, addRelu, addUpsampleNearest } from './layers';
import { saveModel } from './save';
import { serializeModel } from './serialize';
import { ShardWriter } from './shardWriter';
import { openFolderSink } from '../node/folderSink';

const temp = makeTempDir('onnx-encoder-test');
afterAll(() => temp.cleanup());

type Feeds = Record<string, ort.Tensor>;

async function runModel(model: string | Uint8Array, feeds: Feeds): Promise<Record<string, Float32Array>> {
  const session =
    typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await session.release();
  }
}

// A small MLP + conv net whose weights are all big enough to be sharded:
// x [N, 16] → Linear(16→24) → Relu → y;  img [1, 3, H, W] → Conv3x3(3→5) → Relu → Upsample×2 → z
const rng = makeRng(1234);
const fc = { w: makeRandomFloats(rng, 24 * 16), b: makeRandomFloats(rng, 24) };
const conv = { w: makeRandomFloats(rng, 5 * 3 * 9), b: makeRandomFloats(rng, 5) };

function buildNet(b: GraphBuilder): GraphBuilder {
  const x = b.addInput('x', 'float', ['N', 16]);
  const h = addRelu(b, addLinear(b, x, { weight: fc.w, bias: fc.b, inFeatures: 16, outFeatures: 24, name: 'fc' }));
  b.addOutput(h, 'y', 'float', ['N', 24]);
  const img = b.addInput('img', 'float', [1, 3, 'H', 'W']);
  const c = addRelu(b, addConv2d(b, img, { weight: conv.w, weightDims: [5, 3, 3, 3], bias: conv.b, name: 'conv' }));
  b.addOutput(addUpsampleNearest(b, c, 2), 'z', 'float', [1, 5, 'H2', 'W2']);
  return b;
}

const xData = makeRandomFloats(rng, 3 * 16);
const imgData = makeRandomFloats(rng, 3 * 6 * 7);
const feeds = (): Feeds => ({
  x: new ort.Tensor('float32', xData, [3, 16]),
  img: new ort.Tensor('float32', imgData, [1, 3, 6, 7]),
});

function computeReference(): { y: Float32Array; z: Float32Array } {
  const y = new Float32Array(3 * 24);
  for (let n = 0; n < 3; n++) {
    for (let o = 0; o < 24; o++) {
      let acc = fc.b[o]!;
      for (let i = 0; i < 16; i++) acc += xData[n * 16 + i]! * fc.w[o * 16 + i]!;
      y[n * 24 + o] = Math.max(0, acc);
    }
  }
  const c = computeConv2d(imgData, [3, 6, 7], conv.w, [5, 3, 3, 3], conv.b, 1, 1).data.map((v) => Math.max(0, v));
  const z = new Float32Array(5 * 12 * 14);
  for (let ch = 0; ch < 5; ch++) {
    for (let yy = 0; yy < 12; yy++) {
      for (let xx = 0; xx < 14; xx++) z[(ch * 12 + yy) * 14 + xx] = c[(ch * 6 + (yy >> 1)) * 7 + (xx >> 1)]!;
    }
  }
  return { y, z };
}

describe('ONNX encoder + GraphBuilder', () => {
  const reference = computeReference();

  it('runs an inline-weights graph in onnxruntime-node and matches a JS reference', async () => {
    const { model, shards } = serializeModel(buildNet(new GraphBuilder()), {
      graphName: 'net',
      externalThresholdBytes: Number.MAX_SAFE_INTEGER,
    });
    expect(shards).toEqual([]);
    expect(listExternalDataLocations(model)).toEqual([]);
    const out = await runModel(model, feeds());
    expect(getMaxAbsDiff(getOutput(out, 'y'), reference.y)).toBeLessThanOrEqual(1e-5);
    expect(getMaxAbsDiff(getOutput(out, 'z'), reference.z)).toBeLessThanOrEqual(1e-5);
  });

  it('splits external data over several shards that onnxruntime-node loads', async () => {
    const inline = await runModel(
      serializeModel(buildNet(new GraphBuilder()), { graphName: 'net', externalThresholdBytes: Infinity }).model,
      feeds(),
    );
    const dir = join(temp.dir, 'sharded');
    // fc.weight is 1536 bytes, the largest tensor; 2000-byte shards force one tensor group per shard.
    const saved = saveModel(buildNet(new GraphBuilder()), openFolderSink(dir), {
      fileName: 'net.onnx',
      maxShardBytes: 2000,
      externalThresholdBytes: 64,
    });
    expect(saved.dataFiles.length).toBeGreaterThanOrEqual(2);
    expect(saved.dataFiles.slice(0, 2)).toEqual(['net.onnx.data', 'net.onnx.data.1']);
    expect(readdirSync(dir).sort()).toEqual([saved.modelFile, ...saved.dataFiles].sort());
    const modelBytes = readFileSync(join(dir, 'net.onnx'));
    expect(listExternalDataLocations(modelBytes).sort()).toEqual([...saved.dataFiles].sort());
    for (const f of saved.dataFiles) expect(readFileSync(join(dir, f)).length).toBeLessThanOrEqual(2000);

    const out = await runModel(join(dir, 'net.onnx'), feeds());
    expect(out.y).toEqual(inline.y);
    expect(out.z).toEqual(inline.z);
  });

  it('streams initializers through a ShardWriter while building', async () => {
    const dir = join(temp.dir, 'streamed');
    const writer = new ShardWriter(openFolderSink(dir), { dataFileName: 'net.onnx.data', maxShardBytes: 2000 });
    const b = buildNet(new GraphBuilder({ sink: writer, externalThresholdBytes: 64 }));
    const saved = saveModel(b, openFolderSink(dir), { fileName: 'net.onnx', shardWriter: writer });
    expect(saved.dataFiles).toEqual(writer.getFileNames());
    expect(saved.dataFiles.length).toBeGreaterThanOrEqual(2);
    expect(listExternalDataLocations(readFileSync(join(dir, 'net.onnx')))).toEqual(saved.dataFiles);
    const out = await runModel(join(dir, 'net.onnx'), feeds());
    expect(getMaxAbsDiff(getOutput(out, 'y'), reference.y)).toBeLessThanOrEqual(1e-5);
    expect(getMaxAbsDiff(getOutput(out, 'z'), reference.z)).toBeLessThanOrEqual(1e-5);
  });

  it('encodes float, negative-int, string and tensor attributes', async () => {
    const b = new GraphBuilder();
    const x = b.addInput('x', 'float', [2, 4]);
    const shift = b.addOp('Constant', [], {
      value: { type: 'tensor', value: { name: 'k', elemType: 'float', dims: [4], raw: f32Bytes([1, -2, 3, 0.5]) } },
    });
    const ln = addLayerNorm(b, b.addOp('Add', [x, shift]), { features: 4, epsilon: 0.25 });
    const lrelu = b.addOp('LeakyRelu', [ln], { alpha: attrFloat(0.125) });
    const sum = b.addOp('ReduceSum', [lrelu, b.addInitializer('axes', new BigInt64Array([-1n]), [1])], { keepdims: 1 });
    b.addOutput(sum, 's', 'float', [2, 1]);
    b.addOutput(lrelu, 'h', 'float', [2, 4]);
    b.addOutput(b.addOp('Constant', [], { value_floats: attrFloats([0.5, -1.25, 3]) }), 'f', 'float', [3]);
    b.addOutput(b.addOp('Constant', [], { value_ints: [7, -3] }), 'i', 'int64', [2]);
    const xs = [0.5, 1, -1, 2, 3, 0, 1, -4];
    const out = await runModel(serializeModel(b, { graphName: 'attrs' }).model, {
      x: new ort.Tensor('float32', Float32Array.from(xs), [2, 4]),
    });
    const expected: number[] = [];
    for (let r = 0; r < 2; r++) {
      const v = xs.slice(r * 4, r * 4 + 4).map((a, i) => a + [1, -2, 3, 0.5][i]!);
      const mean = v.reduce((p, q) => p + q, 0) / 4;
      const variance = v.reduce((p, q) => p + (q - mean) ** 2, 0) / 4;
      expected.push(...v.map((q) => (q - mean) / Math.sqrt(variance + 0.25)).map((q) => (q < 0 ? 0.125 * q : q)));
    }
    expect(Array.from(getOutput(out, 'f'))).toEqual([0.5, -1.25, 3]);
    expect(Array.from(out.i as unknown as BigInt64Array)).toEqual([7n, -3n]);
    expect(getMaxAbsDiff(getOutput(out, 'h'), expected)).toBeLessThanOrEqual(1e-5);
    expect(
      getMaxAbsDiff(
        getOutput(out, 's'),
        [0, 1].map((r) => expected.slice(r * 4, r * 4 + 4).reduce((p, q) => p + q)),
      ),
    ).toBeLessThanOrEqual(1e-5);
  });

  it('rejects dangling values and misuse with clear errors', () => {
    const b = new GraphBuilder();
    b.addInput('x', 'float', [1]);
    const y = b.addOp('Relu', ['nope']);
    b.addOutput(y, 'y', 'float', [1]);
    expect(() => serializeModel(b, { graphName: 'bad' })).toThrow(/Relu.*undefined value 'nope'/);
    expect(() => b.addInitializer('w', new Float32Array(3), [2, 2])).toThrow(/need 16 bytes, data has 12/);
    expect(() => b.addOp('LeakyRelu', [y], { alpha: 0.5 })).toThrow(/attrFloat/);
  });
});

describe('inspect', () => {
  it('stays browser-importable: no Node or package imports in the worker-side inspector and decoder', () => {
    for (const file of ['onnxInspect.ts', 'protobufDecode.ts']) {
      const source = readFileSync(join(import.meta.dirname, '../../../workers/bundle', file), 'utf8');
      const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      expect(
        imports.every((i) => i === './protobufDecode'),
        `${file} imports ${imports.join(', ')}`,
      ).toBe(true);
    }
  });

  const valid = serializeModel(buildNet(new GraphBuilder()), { graphName: 'net', externalThresholdBytes: 64 }).model;

  it('accepts a model the encoder produced', () => {
    expect(isOnnxModel(valid)).toBe(true);
    expect(() => assertOnnxModel(valid, 'net.onnx')).not.toThrow();
    expect(listExternalDataLocations(valid)).toEqual(['net.onnx.data']);
  });

  it('rejects garbage, truncation and common mix-ups, naming the file', () => {
    const rng = makeRng(99);
    const garbage = Uint8Array.from({ length: 4096 }, () => Math.floor(rng() * 256));
    const cases: [Uint8Array, RegExp][] = [
      [garbage, /bad\.onnx is not an ONNX model/],
      [new Uint8Array(0), /bad\.onnx is not an ONNX model: it is empty/],
      [valid.subarray(0, Math.floor(valid.length / 2)), /bad\.onnx is not an ONNX model: malformed protobuf/],
      [new TextEncoder().encode('<!DOCTYPE html><html>404</html>'), /HTML/],
      [new TextEncoder().encode('version https://git-lfs.github.com/spec/v1\noid sha256:'), /Git LFS pointer/],
    ];
    for (const [bytes, message] of cases) {
      expect(isOnnxModel(bytes)).toBe(false);
      expect(() => assertOnnxModel(bytes, 'bad.onnx')).toThrow(OnnxFormatError);
      expect(() => assertOnnxModel(bytes, 'bad.onnx')).toThrow(message);
      expect(() => listExternalDataLocations(bytes, 'bad.onnx')).toThrow(/bad\.onnx/);
    }
  });
});

function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}
