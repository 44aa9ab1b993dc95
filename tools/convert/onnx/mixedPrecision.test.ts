import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { convertFloat32ToHalf } from '../quantize/fp16';
import { convertHalfToFloat32 } from '../safetensorsDtypes';
import { MemoryShardSink } from './externalData';
import { GraphBuilder } from './GraphBuilder';
import { addLayerNorm } from './layers';
import { serializeModel } from './serialize';

const roundToHalf = (v: Float32Array): Float32Array => convertHalfToFloat32(convertFloat32ToHalf(v));

async function run(b: GraphBuilder, x: Float32Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(serializeModel(b, { graphName: 'g' }).model);
  try {
    const out = await session.run({ x: new ort.Tensor('float32', x, [x.length]) });
    return out.y!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Edge cases of fp16 rounding: ties to even, powers of two, subnormals, the overflow edge, signs, zero. */
const VALUES = Float32Array.from([
  0,
  -0,
  1,
  -1,
  1 + 2 ** -11,
  1 + 3 * 2 ** -11,
  1 + 2 ** -12,
  2 - 2 ** -12,
  1024.5,
  2049,
  0.1,
  -0.3333,
  2 ** -14,
  2 ** -15 + 2 ** -25,
  2 ** -24,
  2 ** -25,
  2 ** -26,
  5.9e-8,
  65504,
  65519,
  65520,
  -70000,
  3.14159e4,
  1e-3,
  ...Array.from({ length: 2000 }, (_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 13) - 6)),
]);

describe('GraphBuilder mixed precision', () => {
  it('emulated fp16 rounds every fp16 value exactly as float16 storage would (ties to even, subnormals, Inf)', async () => {
    const b = new GraphBuilder({ activations: 'fp16-emulated' });
    const x = b.addInput('x', 'float', [VALUES.length]);
    b.addOutput(b.addOp('Abs', [b.addOp('Neg', [x])]), 'y', 'float', [VALUES.length]);
    const y = await run(b, VALUES);
    const expected = roundToHalf(VALUES).map(Math.abs);
    expect(Array.from(y)).toEqual(Array.from(expected));
  });

  it('stores weights of fp16 scopes as float16 and feeds them to fp16 ops without a Cast, fp32 islands in float32', async () => {
    const b = new GraphBuilder({ activations: 'fp16' });
    const x = b.addInput('x', 'float', [4]);
    const scaled = b.addOp('Mul', [x, b.addInitializer('w', new Float32Array([0.5, 2, -1, 3]), [4])]);
    const normed = addLayerNorm(b, scaled, { features: 4, weight: new Float32Array([1, 1, 1, 1]), name: 'ln' });
    b.addOutput(normed, 'y', 'float', [4]);
    const spec = b.toGraphSpec('g');
    const types = new Map(spec.initializers.map((t) => [t.name, t.elemType]));
    expect(types.get('w')).toBe('float16');
    expect(types.get('ln.weight')).toBe('float');
    const casts = spec.nodes.filter((n) => n.opType === 'Cast');
    expect(casts.every((n) => !types.has(n.inputs[0]!))).toBe(true); // no Cast of a weight for ORT to fold
    expect(casts.map((n) => n.attributes.get('to'))).toEqual([
      { type: 'int', value: 10 }, // x into the fp16 Mul
      { type: 'int', value: 1 }, // the Mul's fp16 output into the fp32 LayerNormalization
    ]);
    const y = await run(b, new Float32Array([1, 2, 3, 4]));
    const z = [0.5, 4, -3, 12]; // x·w, exact in fp16
    const mean = z.reduce((a, v) => a + v, 0) / 4;
    const std = Math.sqrt(z.reduce((a, v) => a + (v - mean) ** 2, 0) / 4 + 1e-5);
    for (let i = 0; i < 4; i++) expect(y[i]).toBeCloseTo((z[i]! - mean) / std, 5);
  });

  it('refuses a weight in external data that an op of the other type would need cast at load', () => {
    const b = new GraphBuilder({ activations: 'fp16', sink: new MemoryShardSink({ dataFileName: 'g.onnx.data' }) });
    const x = b.addInput('x', 'float', [1, 512]);
    const w = b.inFloat32(() => b.addInitializer('big', new Float32Array(512 * 4), [512, 4]));
    expect(() => b.addOp('MatMul', [x, w])).toThrow(/weight 'big' is stored as float, but a float16 op uses it/);
  });

  it('builds the same graph as before when activations are fp32', () => {
    const b = new GraphBuilder();
    const x = b.addInput('x', 'float', [4]);
    b.addOutput(b.addOp('Mul', [x, b.addInitializer('w', new Float32Array(4), [4])]), 'y', 'float', [4]);
    const spec = b.toGraphSpec('g');
    expect(spec.nodes.map((n) => n.opType)).toEqual(['Mul']);
    expect(spec.initializers[0]!.elemType).toBe('float');
  });
});
