import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClipConfig } from '../../../workers/bundle/manifest';
import { getOutput } from '../../testing/outputs';
import type { TensorSource } from '../safetensors';
import { makeTempDir } from '../testing';
import { CLIP_GRAPH_FILE, convertClip, getClipTensorShapes } from './clip';
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
import type { ConvertedComponent } from './types';
import { openFolderSink } from '../node/folderSink';

const temp = makeTempDir('clip-convert');
afterAll(() => temp.cleanup());

const D = 32;
let source: TensorSource;
let config: Record<string, unknown>;
let ids: Int32Array;
let golden: Float32Array;
/** Final-LN states [77, 32]: causal attention makes row p depend on ids[0..p] only. */
let states: Float32Array;

beforeAll(async () => {
  ({ source, config } = (await openTinyComponent('text_encoder')) as {
    source: TensorSource;
    config: Record<string, unknown>;
  });
  const g = await openGolden('clip');
  ids = Int32Array.from(await g.readInt32('input_ids'));
  golden = Float32Array.from(await g.readFloat32('pooled_embeddings'));
  states = Float32Array.from(await g.readFloat32('last_hidden_state'));
  await g.close();
});
afterAll(() => source.close());

const stateAt = (p: number): Float32Array => states.subarray(p * D, (p + 1) * D);

async function run(
  runtime: Runtime,
  dir: string,
  converted: ConvertedComponent<ClipConfig>,
  input = ids,
): Promise<Float32Array> {
  const out = await runConverted(runtime, dir, converted.graphs[0]!, {
    input_ids: { type: 'int32', data: input, dims: [1, 77] },
  });
  const pooled = getOutput(out, 'pooled_embeddings');
  expect(pooled.dims).toEqual([1, D]);
  return pooled.data;
}

/** What int4 bundles quantize: every Linear weight and the token embedding table. */
const isInt4 = (name: string): boolean =>
  /\.(q_proj|k_proj|v_proj|out_proj|fc1|fc2)\.weight$/.test(name) || /token_embedding\.weight$/.test(name);

describe('convertClip on the tiny fixture', () => {
  let fp32: ConvertedComponent<ClipConfig>;
  const fp32Dir = join(temp.dir, 'fp32');
  beforeAll(async () => {
    fp32 = await convertClip(source, config, openFolderSink(fp32Dir), makeTestOptions());
  });

  it('returns the manifest config and a small graph with external weights', () => {
    expect(fp32.config).toEqual({ hiddenSize: D, numLayers: 2, numHeads: 2, vocabSize: 100, maxLength: 77 });
    const g = fp32.graphs[0]!;
    expect([g.graph, g.data]).toEqual([CLIP_GRAPH_FILE, [`${CLIP_GRAPH_FILE}.data`]]);
    expect(g.parameters).toBe(countParameters(getClipTensorShapes(config)));
    expect(readFileSync(join(fp32Dir, g.graph)).length).toBeLessThan(64 * 1024);
  });

  it.each(['node', 'web'] as const)(
    'matches the golden pooled embedding in onnxruntime-%s (fp32, rel ≤ 1e-4)',
    async (runtime) => {
      const rel = getRelativeError(await run(runtime, fp32Dir, fp32), golden);
      console.log(`CLIP fp32 ${runtime}: rel ${rel.toExponential(2)}`);
      expect(rel).toBeLessThanOrEqual(1e-4);
    },
  );

  it('is causal: ids after the EOS do not change the pooled state', async () => {
    const first = ids.indexOf(99);
    const edited = ids.map((id, i) => (i > first ? 42 : id));
    expect(getRelativeError(await run('node', fp32Dir, fp32, edited), golden)).toBeLessThanOrEqual(1e-4);
  });

  it('int4: equals fp32 on dequantized weights; within the measured bound of the golden (node, web)', async () => {
    // Measured 0.091 on the tiny random weights (block 32, int4 token embedding included).
    await checkInt4Conversion(
      {
        label: 'CLIP',
        source,
        isInt4,
        golden,
        goldenBound: 0.11,
        dir: temp.dir,
        run,
        convert: (src, dir, weights) => convertClip(src, config, openFolderSink(dir), makeTestOptions({ weights })),
      },
      (value, bound) => expect(value).toBeLessThanOrEqual(bound),
    );
  });

  it('fp16 weights stay within 2e-3 of the golden', async () => {
    const dir = join(temp.dir, 'fp16');
    const fp16 = await convertClip(source, config, openFolderSink(dir), makeTestOptions({ weights: 'fp16' }));
    const rel = getRelativeError(await run('node', dir, fp16), golden);
    console.log(`CLIP fp16 node: rel ${rel.toExponential(2)}`);
    expect(rel).toBeLessThanOrEqual(2e-3);
  });
});

describe('CLIP pooling position', () => {
  // The golden ids hold id 59 first at position 2, id 2 at position 9 and the first EOS (99) at 14.
  it('pools at the first occurrence of a real eos_token_id from config.json', async () => {
    expect([ids.indexOf(59), ids.indexOf(2), ids.indexOf(99)]).toEqual([2, 9, 14]);
    const dir = join(temp.dir, 'eos59');
    const converted = await convertClip(
      source,
      { ...config, eos_token_id: 59 },
      openFolderSink(dir),
      makeTestOptions(),
    );
    expect(getRelativeError(await run('node', dir, converted), stateAt(2))).toBeLessThanOrEqual(1e-4);
  });

  it('uses argmax(ids) for the legacy eos_token_id 2, as HF does, not the first id 2', async () => {
    const dir = join(temp.dir, 'legacy');
    const converted = await convertClip(source, { ...config, eos_token_id: 2 }, openFolderSink(dir), makeTestOptions());
    const pooled = await run('web', dir, converted);
    expect(getRelativeError(pooled, golden)).toBeLessThanOrEqual(1e-4); // argmax = first 99, position 14
    expect(getRelativeError(pooled, stateAt(9))).toBeGreaterThan(0.1);
  });
});

describe('convertClip rejects bad input', () => {
  it('names the file and tensor when one is missing or misshapen', async () => {
    const missing = await writeEditedCheckpoint(source, join(temp.dir, 'missing.safetensors'), {
      drop: ['text_model.final_layer_norm.bias'],
    });
    await expect(convertClip(missing, config, openFolderSink(join(temp.dir, 'x1')), makeTestOptions())).rejects.toThrow(
      /missing\.safetensors.*'text_model\.final_layer_norm\.bias' is missing/,
    );
    await missing.close();
    const put = { 'text_model.encoder.layers.1.mlp.fc1.weight': { shape: [64, 32], data: new Float32Array(2048) } };
    const wrong = await writeEditedCheckpoint(source, join(temp.dir, 'wrong.safetensors'), { put });
    await expect(convertClip(wrong, config, openFolderSink(join(temp.dir, 'x2')), makeTestOptions())).rejects.toThrow(
      /wrong\.safetensors.*'text_model\.encoder\.layers\.1\.mlp\.fc1\.weight' has shape \[64, 32\], expected \[128, 32\]/,
    );
    await wrong.close();
  });

  it('says which config.json field is missing or unsupported', async () => {
    const { layer_norm_eps: _dropped, ...noEps } = config;
    await expect(convertClip(source, noEps, openFolderSink(join(temp.dir, 'x3')), makeTestOptions())).rejects.toThrow(
      "CLIP text model: config.json has no 'layer_norm_eps' field",
    );
    await expect(
      convertClip(source, { ...config, hidden_act: 'gelu' }, openFolderSink(join(temp.dir, 'x4')), makeTestOptions()),
    ).rejects.toThrow(/only 'quick_gelu'/);
    await expect(
      convertClip(
        source,
        { ...config, num_attention_heads: 3 },
        openFolderSink(join(temp.dir, 'x5')),
        makeTestOptions(),
      ),
    ).rejects.toThrow(/not divisible by num_attention_heads 3/);
  });
});

describe('getClipTensorShapes', () => {
  it('plans CLIP-L (openai/clip-vit-large-patch14 text model): ≈ 123 M parameters', () => {
    const clipL = {
      vocab_size: 49408,
      hidden_size: 768,
      intermediate_size: 3072,
      num_hidden_layers: 12,
      num_attention_heads: 12,
      max_position_embeddings: 77,
      layer_norm_eps: 1e-5,
      eos_token_id: 2,
      hidden_act: 'quick_gelu',
    };
    const shapes = getClipTensorShapes(clipL);
    expect(shapes.get('text_model.embeddings.token_embedding.weight')).toEqual([49408, 768]);
    expect(shapes.get('text_model.encoder.layers.11.mlp.fc2.weight')).toEqual([768, 3072]);
    expect(shapes.size).toBe(2 + 12 * 16 + 2);
    expect(countParameters(shapes)).toBe(123_060_480);
  });
});
