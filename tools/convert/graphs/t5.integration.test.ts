import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOutput } from '../../testing/outputs';
import type { TensorSource } from '../safetensors';
import { makeTempDir } from '../testing';
import { countParameters } from './commonIo';
import {
  checkInt4Conversion,
  getRelativeError,
  makeTestOptions,
  openGolden,
  openTinyComponent,
  runConverted,
  writeEditedCheckpoint,
  type Runtime,
} from './commonTesting';
import { computeBucketMatrix, convertT5, getRelativePositionBucket, getT5TensorShapes, T5_GRAPH_FILE } from './t5';
import type { ConvertedComponent } from './types';
import type { T5Config } from '../../../workers/bundle/manifest';
import { openFolderSink } from '../node/folderSink';

const temp = makeTempDir('t5-convert');
afterAll(() => temp.cleanup());

let source: TensorSource;
let config: Record<string, unknown>;
let ids: Int32Array;
let golden: Float32Array;
const L = 16; // the goldens' token count

beforeAll(async () => {
  ({ source, config } = (await openTinyComponent('text_encoder_2')) as {
    source: TensorSource;
    config: Record<string, unknown>;
  });
  const g = await openGolden('t5');
  ids = await g.readInt32('input_ids');
  golden = Float32Array.from(await g.readFloat32('text_embeddings'));
  await g.close();
});
afterAll(() => source.close());

async function run(runtime: Runtime, dir: string, converted: ConvertedComponent<T5Config>): Promise<Float32Array> {
  const out = await runConverted(runtime, dir, converted.graphs[0]!, {
    input_ids: { type: 'int32', data: ids, dims: [1, L] },
  });
  const embeddings = getOutput(out, 'text_embeddings');
  expect(embeddings.dims).toEqual([1, L, 32]);
  return embeddings.data;
}

/** What int4 bundles quantize: every Linear weight and the token embedding table. */
const isInt4 = (name: string): boolean =>
  /\.(q|k|v|o|wi_0|wi_1|wo)\.weight$/.test(name) || /shared\.weight$/.test(name);

describe('convertT5 on the tiny fixture (sharded folder)', () => {
  let fp32: ConvertedComponent<T5Config>;
  const fp32Dir = join(temp.dir, 'fp32');
  beforeAll(async () => {
    fp32 = await convertT5(source, config, openFolderSink(fp32Dir), { ...makeTestOptions(), maxLength: L });
  });

  it('returns the manifest config and a small graph with external weights', () => {
    expect(fp32.config).toEqual({ dModel: 32, numLayers: 2, numHeads: 2, vocabSize: 100, maxLength: L });
    expect(fp32.graphs).toHaveLength(1);
    const g = fp32.graphs[0]!;
    expect(g.graph).toBe(T5_GRAPH_FILE);
    expect(g.data).toEqual([`${T5_GRAPH_FILE}.data`]);
    expect(g.parameters).toBe(countParameters(getT5TensorShapes(config)));
    expect(readFileSync(join(fp32Dir, g.graph)).length).toBeLessThan(64 * 1024);
  });

  it.each(['node', 'web'] as const)('matches the golden in onnxruntime-%s (fp32, rel ≤ 1e-4)', async (runtime) => {
    const rel = getRelativeError(await run(runtime, fp32Dir, fp32), golden);
    console.log(`T5 fp32 ${runtime}: rel ${rel.toExponential(2)}`);
    expect(rel).toBeLessThanOrEqual(1e-4);
  });

  it('splits an embedding table over maxShardBytes into row chunks across shards, same result', async () => {
    const dir = join(temp.dir, 'chunked');
    // 8 KB: the 100×32 fp32 table (12.8 KB) needs two chunks; the largest Linear weight is exactly 8 KB.
    const chunked = await convertT5(source, config, openFolderSink(dir), {
      ...makeTestOptions({ maxShardBytes: 8192 }),
      maxLength: L,
    });
    expect(chunked.graphs[0]!.data.length).toBeGreaterThan(1);
    const rel = getRelativeError(await run('node', dir, chunked), golden);
    expect(rel).toBeLessThanOrEqual(1e-4);
  });

  it('int4: equals fp32 on dequantized weights; within the measured bound of the golden (node, web)', async () => {
    // Measured 0.308 on the tiny random weights (block 32, int4 token embedding included); the bound leaves room for EP differences only.
    await checkInt4Conversion(
      {
        label: 'T5',
        source,
        isInt4,
        golden,
        goldenBound: 0.35,
        dir: temp.dir,
        run,
        convert: (src, dir, weights) =>
          convertT5(src, config, openFolderSink(dir), { ...makeTestOptions({ weights }), maxLength: L }),
      },
      (value, bound) => expect(value).toBeLessThanOrEqual(bound),
    );
  });

  it('fp16 weights stay within 2e-3 of the golden', async () => {
    const dir = join(temp.dir, 'fp16');
    const fp16 = await convertT5(source, config, openFolderSink(dir), {
      ...makeTestOptions({ weights: 'fp16' }),
      maxLength: L,
    });
    const rel = getRelativeError(await run('node', dir, fp16), golden);
    console.log(`T5 fp16 node: rel ${rel.toExponential(2)}`);
    expect(rel).toBeLessThanOrEqual(2e-3);
  });

  it('stores the position bias as an [L, L] int32 bucket matrix, not an [H, L, L] float table (L = 512)', async () => {
    const dir = join(temp.dir, 'l512');
    const long = await convertT5(source, config, openFolderSink(dir), { ...makeTestOptions(), maxLength: 512 });
    const weightBytes = countParameters(getT5TensorShapes(config)) * 4;
    const bucketBytes = 4 * 512 * 512;
    expect(long.graphs[0]!.bytes).toBeLessThan(weightBytes + bucketBytes + 128 * 1024);
    const out = await runConverted('node', dir, long.graphs[0]!, {
      input_ids: { type: 'int32', data: new Int32Array(512).fill(1), dims: [1, 512] },
    });
    const embeddings = getOutput(out, 'text_embeddings');
    expect(embeddings.dims).toEqual([1, 512, 32]);
    expect(embeddings.data.every(Number.isFinite)).toBe(true);
  });
});

describe('relative position buckets', () => {
  it('matches PyTorch (HF T5) for 32 buckets / max distance 128 at the edges', () => {
    // rel = key − query → bucket, from kontext_ref/t5.py relative_position_bucket (torch 1.13).
    const torch: Record<number, number> = {
      0: 0,
      1: 17,
      7: 23,
      8: 24,
      11: 24,
      12: 25,
      15: 25,
      16: 26,
      22: 26,
      23: 27,
      31: 27,
      32: 28,
      44: 28,
      45: 28,
      63: 29,
      64: 30,
      65: 30,
      90: 30,
      91: 31,
      127: 31,
      128: 31,
      500: 31,
      [-1]: 1,
      [-7]: 7,
      [-8]: 8,
      [-11]: 8,
      [-12]: 9,
      [-15]: 9,
      [-16]: 10,
      [-22]: 10,
      [-23]: 11,
      [-31]: 11,
      [-32]: 12,
      [-44]: 12,
      [-45]: 12,
      [-63]: 13,
      [-64]: 14,
      [-65]: 14,
      [-90]: 14,
      [-91]: 15,
      [-127]: 15,
      [-128]: 15,
      [-500]: 15,
    };
    for (const [rel, bucket] of Object.entries(torch))
      expect([Number(rel), getRelativePositionBucket(Number(rel), 32, 128)]).toEqual([Number(rel), bucket]);
  });

  it('lays out rows as queries and columns as keys, from the config values', () => {
    const m = computeBucketMatrix(3, 16, 12);
    // q=0: keys 0,1,2 → rel 0,+1,+2 → 0, 9, 10; q=2: rel −2,−1,0 → 2, 1, 0.
    expect(Array.from(m)).toEqual([0, 9, 10, 1, 0, 9, 2, 1, 0]);
  });
});

describe('convertT5 rejects bad input', () => {
  const opts = () => ({ ...makeTestOptions(), maxLength: L });

  it('names the file and tensor when one is missing', async () => {
    const file = join(temp.dir, 'missing.safetensors');
    const src = await writeEditedCheckpoint(source, file, {
      drop: ['encoder.block.1.layer.1.DenseReluDense.wo.weight'],
    });
    await expect(convertT5(src, config, openFolderSink(join(temp.dir, 'x1')), opts())).rejects.toThrow(
      /missing\.safetensors.*'encoder\.block\.1\.layer\.1\.DenseReluDense\.wo\.weight' is missing/,
    );
    await src.close();
  });

  it('names the file, tensor and both shapes when a shape is wrong', async () => {
    const file = join(temp.dir, 'misshapen.safetensors');
    const put = { 'encoder.block.0.layer.0.SelfAttention.q.weight': { shape: [32, 16], data: new Float32Array(512) } };
    const src = await writeEditedCheckpoint(source, file, { put });
    await expect(convertT5(src, config, openFolderSink(join(temp.dir, 'x2')), opts())).rejects.toThrow(
      /misshapen\.safetensors.*'encoder\.block\.0\.layer\.0\.SelfAttention\.q\.weight' has shape \[32, 16\], expected \[32, 32\]/,
    );
    await src.close();
  });

  it('refuses tensors outside the architecture (e.g. a decoder) but accepts the tied embed_tokens copy', async () => {
    const extra = join(temp.dir, 'extra.safetensors');
    const src = await writeEditedCheckpoint(source, extra, {
      put: { 'decoder.block.0.layer.0.SelfAttention.q.weight': { shape: [32, 32], data: new Float32Array(1024) } },
    });
    await expect(convertT5(src, config, openFolderSink(join(temp.dir, 'x3')), opts())).rejects.toThrow(
      /1 tensor\(s\) not in the T5 encoder architecture: 'decoder\.block\.0/,
    );
    await src.close();
    const tied = join(temp.dir, 'tied.safetensors');
    const table = await source.readFloat32('shared.weight');
    const src2 = await writeEditedCheckpoint(source, tied, {
      drop: ['shared.weight'],
      put: { 'encoder.embed_tokens.weight': { shape: [100, 32], data: Float32Array.from(table) } },
    });
    const converted = await convertT5(src2, config, openFolderSink(join(temp.dir, 'tied')), opts());
    expect(getRelativeError(await run('node', join(temp.dir, 'tied'), converted), golden)).toBeLessThanOrEqual(1e-4);
    await src2.close();
  });

  it('says which config.json field is missing or unsupported', async () => {
    const { d_kv: _dropped, ...noDkv } = config;
    await expect(convertT5(source, noDkv, openFolderSink(join(temp.dir, 'x4')), opts())).rejects.toThrow(
      "T5 encoder: config.json has no 'd_kv' field",
    );
    await expect(
      convertT5(
        source,
        { ...config, relative_attention_num_buckets: 'many' },
        openFolderSink(join(temp.dir, 'x5')),
        opts(),
      ),
    ).rejects.toThrow(/'relative_attention_num_buckets' must be an integer/);
    await expect(
      convertT5(source, { ...config, feed_forward_proj: 'relu' }, openFolderSink(join(temp.dir, 'x6')), opts()),
    ).rejects.toThrow(/only 'gated-gelu'/);
  });
});

describe('getT5TensorShapes', () => {
  it('plans the T5-XXL encoder with HF names: ≈ 4.76 B parameters (docs/kontext-spec.md §12)', () => {
    const xxl = {
      vocab_size: 32128,
      d_model: 4096,
      d_kv: 64,
      d_ff: 10240,
      num_layers: 24,
      num_heads: 64,
      relative_attention_num_buckets: 32,
      relative_attention_max_distance: 128,
      layer_norm_epsilon: 1e-6,
      feed_forward_proj: 'gated-gelu',
    };
    const shapes = getT5TensorShapes(xxl);
    expect(shapes.get('shared.weight')).toEqual([32128, 4096]);
    expect(shapes.get('encoder.block.23.layer.1.DenseReluDense.wi_1.weight')).toEqual([10240, 4096]);
    expect(shapes.get('encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight')).toEqual([32, 64]);
    expect(shapes.has('encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight')).toBe(false);
    expect(shapes.size).toBe(1 + 24 * 9 + 1 + 1);
    expect(countParameters(shapes)).toBe(4_762_310_656);
  });
});
