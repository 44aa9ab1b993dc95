import { describe, expect, it } from 'vitest';
import { addEmbeddingLookup } from '../graphs/common';
import { MemoryShardSink } from './externalData';
import { GraphBuilder } from './GraphBuilder';
import { addLinearFromRows, addLinearWeights, type RowReader } from './linear';
import { serializeModel } from './serialize';

// 2,100 × 2,048 = 4.3 M values: more than one 4 M-value slab, so the int4 weight streams in two pieces.
const n = 2100;
const k = 2048;
const weight = Float32Array.from({ length: n * k }, (_, i) => Math.sin(i * 0.37) * (1 + (i % 7)));
const bias = Float32Array.from({ length: n }, (_, i) => i / n);

/** Rows of `weight`, recording each read's row count. */
function recordRows(reads: number[]): RowReader {
  return async (start, count) => (reads.push(count), weight.slice(start * k, (start + count) * k));
}

/** The model and its shards, with the builder streaming its weights into a sink when `streaming`. */
async function build(
  streaming: boolean,
  body: (b: GraphBuilder, x: string) => Promise<string> | string,
  outDims: number[] = [1, n],
) {
  const sink = new MemoryShardSink({ dataFileName: 'm.onnx.data', maxShardBytes: 1 << 30 });
  const b = new GraphBuilder(streaming ? { sink } : {});
  b.addOutput(await body(b, b.addInput('x', 'float', [1, k])), 'y', 'float', outDims);
  const { model, shards } = serializeModel(b, { graphName: 'm', dataFileName: 'inline.onnx.data' });
  return { model, shards: [...sink.getShards(), ...shards] };
}

describe('weights read a slab of rows at a time', () => {
  for (const streaming of [true, false]) {
    it(`an int4 Linear equals the whole-weight one, bit for bit (${streaming ? 'streamed to a sink' : 'inline'})`, async () => {
      const reads: number[] = [];
      const rows = await build(streaming, (b, x) =>
        addLinearFromRows(
          b,
          x,
          { readRows: recordRows(reads), bias, inFeatures: k, outFeatures: n, name: 'l' },
          'int4',
          32,
        ),
      );
      const whole = await build(streaming, (b, x) =>
        addLinearWeights(b, x, { weight, bias, inFeatures: k, outFeatures: n, name: 'l' }, 'int4', 32),
      );
      expect(reads).toEqual([2048, 52]); // 4 Mi values, then the rest
      expect(Buffer.from(rows.model).equals(Buffer.from(whole.model))).toBe(true);
      expect(rows.shards.map((s) => Buffer.from(s.bytes).toString('base64'))).toEqual(
        whole.shards.map((s) => Buffer.from(s.bytes).toString('base64')),
      );
    });
  }

  it('an fp32 Linear reads its weight whole, once', async () => {
    const reads: number[] = [];
    await build(true, (b, x) =>
      addLinearFromRows(b, x, { readRows: recordRows(reads), inFeatures: k, outFeatures: n, name: 'l' }, 'fp32', 32),
    );
    expect(reads).toEqual([n]);
  });

  it('an int4 embedding table streams in slabs too', async () => {
    const reads: number[] = [];
    await build(
      true,
      (b) =>
        addEmbeddingLookup(b, b.addInput('ids', 'int32', [1, 3]), {
          readRows: recordRows(reads),
          rows: n,
          cols: k,
          name: 'emb',
          format: 'int4',
          maxChunkBytes: 1 << 30,
        }),
      [1, 3, k],
    );
    expect(reads).toEqual([2048, 52]);
  });
});
