/**
 * @file CLIP text model (HF `CLIPTextModel`) → `clip.onnx`: input_ids [1, 77] int32 → pooled_embeddings
 * [1, hidden] (docs/graph-contract.md): the final-LayerNorm state at the first EOS position. Pre-LN
 * blocks, causal mask, quick_gelu MLP, LayerNorm eps from config.json; attention is plain MatMul/Softmax.
 *
 * Pooling follows HF: with the real EOS id in config.json, the first position holding it; a legacy
 * config saying eos_token_id 2 (openai's original CLIP configs) gets HF's old rule, argmax(ids): the
 * first position of the largest id, which is EOS for CLIP's vocab (EOS 49407 is the largest id).
 */
import type { ClipConfig } from '../../../workers/bundle/manifest';
import type { BundleSink } from '../io/bundleSink';
import type { GraphBuilder } from '../onnx/GraphBuilder';
import { addLayerNorm } from '../onnx/layers';
import type { TensorSource } from '../safetensors';
import {
  addEmbeddingLookup,
  addInt64s,
  addLinearLayer,
  addMultiHeadAttention,
  addQuickGelu,
  MASK_VALUE,
  ONNX_FLOAT,
} from './common';
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
export const CLIP_GRAPH_FILE = 'clip.onnx';

/** HF's legacy eos_token_id in openai CLIP configs: pool at argmax(ids) instead. */
const LEGACY_CLIP_EOS_ID = 2;

/** The HF config.json fields the text model needs. */
interface ClipArchitecture {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  maxPositions: number;
  epsilon: number;
  eosTokenId: number;
}

/** A position-id buffer older checkpoints carry; the graph uses positions 0…L−1 directly. */
const POSITION_IDS = 'text_model.embeddings.position_ids';

/**
 * Reads a CLIP text model's HF config.json (already parsed).
 * @throws Error naming the missing/invalid field, an activation other than quick_gelu, or heads not dividing the width.
 */
function parseClipConfig(config: unknown): ClipArchitecture {
  const what = 'CLIP text model';
  const n = (key: string) => readConfigNumber(config, key, what);
  const act = readConfigString(config, 'hidden_act');
  if (act !== undefined && act !== 'quick_gelu')
    throw new Error(`${what}: config.json hidden_act is '${act}', only 'quick_gelu' is supported`);
  const a: ClipArchitecture = {
    vocabSize: n('vocab_size'),
    hiddenSize: n('hidden_size'),
    intermediateSize: n('intermediate_size'),
    numLayers: n('num_hidden_layers'),
    numHeads: n('num_attention_heads'),
    maxPositions: n('max_position_embeddings'),
    epsilon: readConfigNumber(config, 'layer_norm_eps', what, { int: false, min: 0 }),
    eosTokenId: readConfigNumber(config, 'eos_token_id', what, { min: 0 }),
  };
  if (a.hiddenSize % a.numHeads !== 0)
    throw new Error(`${what}: hidden_size ${a.hiddenSize} is not divisible by num_attention_heads ${a.numHeads}`);
  return a;
}

/** The text model's tensors with HF names and PyTorch shapes. */
export function getClipTensorShapes(config: unknown): TensorShapes {
  const a = parseClipConfig(config);
  const d = a.hiddenSize;
  const shapes: TensorShapes = new Map([
    ['text_model.embeddings.token_embedding.weight', [a.vocabSize, d]],
    ['text_model.embeddings.position_embedding.weight', [a.maxPositions, d]],
  ]);
  for (let i = 0; i < a.numLayers; i++) {
    const p = `text_model.encoder.layers.${i}`;
    for (const m of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) {
      shapes.set(`${p}.self_attn.${m}.weight`, [d, d]);
      shapes.set(`${p}.self_attn.${m}.bias`, [d]);
    }
    for (const ln of ['layer_norm1', 'layer_norm2']) {
      shapes.set(`${p}.${ln}.weight`, [d]);
      shapes.set(`${p}.${ln}.bias`, [d]);
    }
    shapes.set(`${p}.mlp.fc1.weight`, [a.intermediateSize, d]);
    shapes.set(`${p}.mlp.fc1.bias`, [a.intermediateSize]);
    shapes.set(`${p}.mlp.fc2.weight`, [d, a.intermediateSize]);
    shapes.set(`${p}.mlp.fc2.bias`, [d]);
  }
  shapes.set('text_model.final_layer_norm.weight', [d]);
  shapes.set('text_model.final_layer_norm.bias', [d]);
  return shapes;
}

/**
 * Converts a CLIP text model checkpoint to `clip.onnx` + `.onnx.data`; the sequence length is
 * max_position_embeddings (77 for CLIP-L).
 * @param config - the parsed HF config.json of the checkpoint.
 * @throws Error naming the file and tensor for missing/misshapen/unexpected tensors, or the config field.
 */
export async function convertClip(
  source: TensorSource,
  config: unknown,
  sink: BundleSink,
  options: ConvertOptions,
): Promise<ConvertedComponent<ClipConfig>> {
  const a = parseClipConfig(config);
  checkTensorShapes(source, getClipTensorShapes(config), 'CLIP text model', new Set([POSITION_IDS]));
  const target = startGraph(sink, CLIP_GRAPH_FILE, options);
  try {
    const reader = new WeightReader(source, options.onTensor);
    await buildClip(target.b, reader, a, options);
    const pooling = a.eosTokenId === LEGACY_CLIP_EOS_ID ? 'argmax(input_ids)' : `first input_ids == ${a.eosTokenId}`;
    const graph = await target.finish(reader.takeParameters(), {
      source: 'CLIP text model (HF CLIPTextModel)',
      pooling,
    });
    return {
      config: {
        hiddenSize: a.hiddenSize,
        numLayers: a.numLayers,
        numHeads: a.numHeads,
        vocabSize: a.vocabSize,
        maxLength: a.maxPositions,
      },
      graphs: [graph],
    };
  } catch (e) {
    target.abort();
    throw e;
  }
}

async function buildClip(
  b: GraphBuilder,
  r: WeightReader,
  a: ClipArchitecture,
  options: ConvertOptions,
): Promise<void> {
  const L = a.maxPositions;
  const d = a.hiddenSize;
  const headDim = d / a.numHeads;
  const ids = b.addInput('input_ids', 'int32', [1, L]);
  const tokens = await addEmbeddingLookup(b, ids, {
    readRows: r.openRows('text_model.embeddings.token_embedding.weight'),
    rows: a.vocabSize,
    cols: d,
    name: 'text_model.embeddings.token_embedding.weight',
    format: options.weights,
    maxChunkBytes: options.maxShardBytes,
    blockSize: options.blockSize,
  });
  // The residual stream (from the embeddings on), the mask and the scores are fp32 in mixed graphs.
  const positionTable = await r.read('text_model.embeddings.position_embedding.weight');
  const residual = (stream: string, update: string): string => b.inFloat32(() => b.addOp('Add', [stream, update]));
  let x = residual(
    tokens,
    b.inFloat32(() => b.addInitializer('text_model.embeddings.position_embedding.weight', positionTable, [L, d])),
  );

  const causal = b.inFloat32(() => b.addInitializer('causal_mask', makeCausalMask(L), [L, L]));
  const linear = async (input: string, name: string, inFeatures: number, outFeatures: number): Promise<string> =>
    addLinearLayer(
      b,
      input,
      { bias: await r.read(`${name}.bias`), readRows: r.openRows(`${name}.weight`), inFeatures, outFeatures, name },
      options,
    );
  const norm = async (input: string, name: string): Promise<string> =>
    addLayerNorm(b, input, {
      features: d,
      weight: await r.read(`${name}.weight`),
      bias: await r.read(`${name}.bias`),
      epsilon: a.epsilon,
      name,
    });

  for (let i = 0; i < a.numLayers; i++) {
    const p = `text_model.encoder.layers.${i}`;
    const h = await norm(x, `${p}.layer_norm1`);
    const q = await linear(h, `${p}.self_attn.q_proj`, d, d);
    const k = await linear(h, `${p}.self_attn.k_proj`, d, d);
    const v = await linear(h, `${p}.self_attn.v_proj`, d, d);
    const heads = addMultiHeadAttention(b, q, k, v, {
      heads: a.numHeads,
      headDim,
      scale: headDim ** -0.5,
      scoreBias: causal,
    });
    x = residual(x, await linear(heads, `${p}.self_attn.out_proj`, d, d));
    const m = await norm(x, `${p}.layer_norm2`);
    const fc1 = addQuickGelu(b, await linear(m, `${p}.mlp.fc1`, d, a.intermediateSize));
    x = residual(x, await linear(fc1, `${p}.mlp.fc2`, a.intermediateSize, d));
  }

  // LayerNorm is per token, so pooling first and normalizing one row gives the same pooled state.
  const rows = b.addOp('Reshape', [x, addInt64s(b, [L, d], 'rows_shape')]); // [L, d]
  const pooled = b.addOp('Gather', [rows, addEosPosition(b, ids, a.eosTokenId)], { axis: 0 }); // [1, d]
  b.addOutput(await norm(pooled, 'text_model.final_layer_norm'), 'pooled_embeddings', 'float', [1, d]);
}

/**
 * Adds the pooling position [1] (int64): argmax over the ids themselves for the legacy EOS id 2,
 * else the first position equal to `eosTokenId` (0 when there is none, as torch's argmax gives).
 * ArgMax runs on float copies: ids < 2²⁴ are exact, and float ArgMax is supported everywhere.
 */
function addEosPosition(b: GraphBuilder, ids: string, eosTokenId: number): string {
  const scores =
    eosTokenId === LEGACY_CLIP_EOS_ID
      ? b.addOp('Cast', [ids], { to: ONNX_FLOAT })
      : b.addOp('Cast', [b.addOp('Equal', [ids, b.addInitializer('eos_token_id', new Int32Array([eosTokenId]), [])])], {
          to: ONNX_FLOAT,
        });
  return b.addOp('ArgMax', [scores], { axis: 1, keepdims: 0, select_last_index: 0 }); // first maximum
}

/** [L, L] additive mask: 0 on and below the diagonal, MASK_VALUE above (no attending to later tokens). */
function makeCausalMask(length: number): Float32Array {
  const mask = new Float32Array(length * length);
  for (let q = 0; q < length; q++) for (let k = q + 1; k < length; k++) mask[q * length + k] = MASK_VALUE;
  return mask;
}
