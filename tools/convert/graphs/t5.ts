/**
 * @file T5 v1.1 encoder (HF `T5EncoderModel`) → `t5.onnx`: input_ids [1, L] int32 → text_embeddings
 * [1, L, d_model] (docs/graph-contract.md). L is fixed per bundle (FLUX pads to 512), so the relative
 * position buckets are an [L, L] int32 constant computed here; the graph gathers the learned
 * [heads, buckets] table with it once (4·L² bytes on disk, not heads·L²·4) and adds the bias in every
 * layer. No attention mask and no 1/√d scaling (T5), RMS norms, gated-GELU (tanh) feed-forward.
 * Attention is plain MatMul/Softmax (see addMultiHeadAttention).
 */
import type { T5Config } from '../../../workers/bundle/manifest';
import type { BundleSink } from '../io/bundleSink';
import type { GraphBuilder } from '../onnx/GraphBuilder';
import { transposeMatrix } from '../onnx/layers';
import type { TensorSource } from '../safetensors';
import { addEmbeddingLookup, addGeluTanh, addLinearLayer, addMultiHeadAttention, addRmsNorm } from './common';
import {
  checkTensorShapes,
  readConfigNumber,
  readConfigString,
  startGraph,
  WeightReader,
  type TensorShapes,
} from './commonIo';
import type { ConvertedComponent, ConvertOptions } from './types';

/** File name of the graph in a bundle. */
export const T5_GRAPH_FILE = 't5.onnx';

/** The HF config.json fields the encoder needs. */
interface T5Architecture {
  vocabSize: number;
  dModel: number;
  dKv: number;
  dFf: number;
  numLayers: number;
  numHeads: number;
  numBuckets: number;
  maxDistance: number;
  epsilon: number;
}

/** A tied copy of `shared.weight` some checkpoints also store. */
const TIED_EMBEDDING = 'encoder.embed_tokens.weight';

/**
 * Reads a T5 v1.1 encoder's HF config.json (already parsed).
 * @throws Error naming the missing/invalid field, or for a non-gated-GELU (T5 v1.0) config.
 */
function parseT5Config(config: unknown): T5Architecture {
  const what = 'T5 encoder';
  const n = (key: string) => readConfigNumber(config, key, what);
  const proj = readConfigString(config, 'feed_forward_proj');
  if (proj !== undefined && proj !== 'gated-gelu')
    throw new Error(`${what}: config.json feed_forward_proj is '${proj}', only 'gated-gelu' (T5 v1.1) is supported`);
  const act = readConfigString(config, 'dense_act_fn');
  if (act !== undefined && act !== 'gelu_new' && act !== 'gelu_pytorch_tanh') {
    throw new Error(`${what}: config.json dense_act_fn is '${act}', only the tanh GELU (gelu_new) is supported`);
  }
  return {
    vocabSize: n('vocab_size'),
    dModel: n('d_model'),
    dKv: n('d_kv'),
    dFf: n('d_ff'),
    numLayers: n('num_layers'),
    numHeads: n('num_heads'),
    numBuckets: n('relative_attention_num_buckets'),
    maxDistance: n('relative_attention_max_distance'),
    epsilon: readConfigNumber(config, 'layer_norm_epsilon', what, { int: false, min: 0 }),
  };
}

/** The encoder's tensors with HF names and PyTorch shapes (`shared.weight` holds the token embedding). */
export function getT5TensorShapes(config: unknown): TensorShapes {
  const a = parseT5Config(config);
  const inner = a.numHeads * a.dKv;
  const shapes: TensorShapes = new Map([['shared.weight', [a.vocabSize, a.dModel]]]);
  for (let i = 0; i < a.numLayers; i++) {
    const p = `encoder.block.${i}.layer`;
    for (const m of ['q', 'k', 'v']) shapes.set(`${p}.0.SelfAttention.${m}.weight`, [inner, a.dModel]);
    shapes.set(`${p}.0.SelfAttention.o.weight`, [a.dModel, inner]);
    if (i === 0) shapes.set(`${p}.0.SelfAttention.relative_attention_bias.weight`, [a.numBuckets, a.numHeads]);
    shapes.set(`${p}.0.layer_norm.weight`, [a.dModel]);
    shapes.set(`${p}.1.DenseReluDense.wi_0.weight`, [a.dFf, a.dModel]);
    shapes.set(`${p}.1.DenseReluDense.wi_1.weight`, [a.dFf, a.dModel]);
    shapes.set(`${p}.1.DenseReluDense.wo.weight`, [a.dModel, a.dFf]);
    shapes.set(`${p}.1.layer_norm.weight`, [a.dModel]);
  }
  shapes.set('encoder.final_layer_norm.weight', [a.dModel]);
  return shapes;
}

/**
 * T5's bidirectional bucket for rel = key − query: half the buckets for rel > 0; within a half,
 * distances below a quarter of the buckets are exact, larger ones log-spaced up to maxDistance and
 * clamped. The log branch follows the reference's float32 arithmetic: distances whose value sits on an
 * integer edge (64 for 32 buckets / 128) could otherwise depend on precision. Matches PyTorch for
 * 32/128 at L = 512 and the tiny 16/12 config (checked with torch 1.13).
 */
export function getRelativePositionBucket(rel: number, numBuckets: number, maxDistance: number): number {
  const half = Math.floor(numBuckets / 2);
  const maxExact = Math.floor(half / 2);
  const dist = Math.abs(rel);
  const base = rel > 0 ? half : 0;
  if (dist < maxExact) return base + dist;
  const f = Math.fround;
  const logRatio = f(Math.log(f(dist / maxExact)));
  const scaled = f(f(logRatio / f(Math.log(maxDistance / maxExact))) * (half - maxExact));
  return base + Math.min(half - 1, maxExact + Math.trunc(scaled));
}

/** The [L, L] bucket index matrix, row = query, column = key. */
export function computeBucketMatrix(length: number, numBuckets: number, maxDistance: number): Int32Array {
  const out = new Int32Array(length * length);
  for (let q = 0; q < length; q++) {
    for (let k = 0; k < length; k++) out[q * length + k] = getRelativePositionBucket(k - q, numBuckets, maxDistance);
  }
  return out;
}

/**
 * Converts a T5 v1.1 encoder checkpoint (single file or sharded folder) to `t5.onnx` + `.onnx.data`.
 * @param config - the parsed HF config.json of the checkpoint.
 * @param options.maxLength - the bundle's fixed token count L (512 for FLUX).
 * @throws Error naming the file and tensor for missing/misshapen/unexpected tensors, or the config field.
 */
export async function convertT5(
  source: TensorSource,
  config: unknown,
  sink: BundleSink,
  options: ConvertOptions & { maxLength: number },
): Promise<ConvertedComponent<T5Config>> {
  const a = parseT5Config(config);
  const L = options.maxLength;
  if (!Number.isInteger(L) || L < 1) throw new Error(`T5 encoder: maxLength must be a positive integer, got ${L}`);
  const shapes = getT5TensorShapes(config);
  const tiedOnly = !source.hasTensor('shared.weight') && source.hasTensor(TIED_EMBEDDING);
  const embeddingName = tiedOnly ? TIED_EMBEDDING : 'shared.weight';
  if (tiedOnly) {
    shapes.set(TIED_EMBEDDING, shapes.get('shared.weight') as number[]);
    shapes.delete('shared.weight');
  }
  checkTensorShapes(source, shapes, 'T5 encoder', new Set([TIED_EMBEDDING]));

  const target = startGraph(sink, T5_GRAPH_FILE, options);
  try {
    const reader = new WeightReader(source, options.onTensor);
    await buildT5(target.b, reader, a, L, embeddingName, options);
    const graph = await target.finish(reader.takeParameters(), {
      source: 'T5 v1.1 encoder (HF T5EncoderModel)',
      max_length: String(L),
    });
    return {
      config: { dModel: a.dModel, numLayers: a.numLayers, numHeads: a.numHeads, vocabSize: a.vocabSize, maxLength: L },
      graphs: [graph],
    };
  } catch (e) {
    target.abort();
    throw e;
  }
}

async function buildT5(
  b: GraphBuilder,
  r: WeightReader,
  a: T5Architecture,
  L: number,
  embeddingName: string,
  options: ConvertOptions,
): Promise<void> {
  const ids = b.addInput('input_ids', 'int32', [1, L]);
  let x = await addEmbeddingLookup(b, ids, {
    readRows: r.openRows(embeddingName),
    rows: a.vocabSize,
    cols: a.dModel,
    name: embeddingName,
    format: options.weights,
    maxChunkBytes: options.maxShardBytes,
    blockSize: options.blockSize,
  });

  // Layer 0's [buckets, heads] table, stored [heads, buckets] so one Gather on axis 1 gives [H, L, L].
  const biasName = 'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight';
  const headsFirst = transposeMatrix(await r.read(biasName), a.numBuckets, a.numHeads);
  const buckets = b.addInitializer('relative_position_buckets', computeBucketMatrix(L, a.numBuckets, a.maxDistance), [
    L,
    L,
  ]);
  // fp32 in mixed graphs: the bias joins the fp32 scores.
  const positionBias = b.inFloat32(() =>
    b.addOp('Gather', [b.addInitializer(biasName, headsFirst, [a.numHeads, a.numBuckets]), buckets], { axis: 1 }),
  );

  const inner = a.numHeads * a.dKv;
  const linear = async (input: string, name: string, inFeatures: number, outFeatures: number): Promise<string> =>
    addLinearLayer(b, input, { readRows: r.openRows(`${name}.weight`), inFeatures, outFeatures, name }, options);
  const norm = async (input: string, name: string): Promise<string> =>
    addRmsNorm(b, input, { weight: await r.read(`${name}.weight`), epsilon: a.epsilon, name });

  // The residual stream is fp32 in mixed graphs (T5 activations outgrow fp16).
  const residual = (stream: string, update: string): string => b.inFloat32(() => b.addOp('Add', [stream, update]));

  for (let i = 0; i < a.numLayers; i++) {
    const p = `encoder.block.${i}.layer`;
    const h = await norm(x, `${p}.0.layer_norm`);
    const attn = `${p}.0.SelfAttention`;
    const q = await linear(h, `${attn}.q`, a.dModel, inner);
    const k = await linear(h, `${attn}.k`, a.dModel, inner);
    const v = await linear(h, `${attn}.v`, a.dModel, inner);
    const heads = addMultiHeadAttention(b, q, k, v, { heads: a.numHeads, headDim: a.dKv, scoreBias: positionBias });
    x = residual(x, await linear(heads, `${attn}.o`, inner, a.dModel));

    const f = await norm(x, `${p}.1.layer_norm`);
    const ff = `${p}.1.DenseReluDense`;
    const gate = addGeluTanh(b, await linear(f, `${ff}.wi_0`, a.dModel, a.dFf));
    const gated = b.addOp('Mul', [gate, await linear(f, `${ff}.wi_1`, a.dModel, a.dFf)]);
    // `wo` in fp32, weights included, as transformers' T5 `_keep_in_fp32_modules`: its output overflows fp16.
    x = residual(x, await b.inFloat32(() => linear(gated, `${ff}.wo`, a.dFf, a.dModel)));
  }
  const out = await norm(x, 'encoder.final_layer_norm');
  b.addOutput(out, 'text_embeddings', 'float', [1, L, a.dModel]);
}
