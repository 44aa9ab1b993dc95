/**
 * @file HF config.json for a text encoder that came without one (ComfyUI's `t5xxl_*.safetensors` and
 * `clip_l.safetensors`): every dimension read from the tensor shapes; what shapes cannot say takes the
 * value every T5 v1.1 / CLIP text model uses, the values of FLUX.1-Kontext-dev's own text_encoder_2/ and
 * text_encoder/ configs. Pure TypeScript.
 */
import type { TensorSource } from '../safetensors';

/** T5 v1.1 (all sizes): relative positions beyond 128 share a bucket; RMSNorm epsilon. */
const T5_DEFAULTS = {
  relative_attention_max_distance: 128,
  layer_norm_epsilon: 1e-6,
  feed_forward_proj: 'gated-gelu',
  dense_act_fn: 'gelu_new',
};

/** CLIP text models use 64-wide heads (CLIP-L: 768 = 12 × 64); quick_gelu; the openai config's eos id 2 (HF then pools at the largest token id, the end-of-text token). */
const CLIP_HEAD_DIM = 64;
const CLIP_DEFAULTS = { hidden_act: 'quick_gelu', layer_norm_eps: 1e-5, eos_token_id: 2 };

/** Tensors ComfyUI's CLIP-L file carries that FLUX never uses (the pooled output is taken unprojected). */
export const CLIP_UNUSED_TENSORS = ['text_projection.weight', 'logit_scale'];

const countBlocks = (src: TensorSource, prefix: string) =>
  src.listTensors().reduce((n, t) => {
    const m = t.name.startsWith(prefix) ? /^(\d+)\./.exec(t.name.slice(prefix.length)) : null;
    return m ? Math.max(n, Number(m[1]) + 1) : n;
  }, 0);

function shapeOf(src: TensorSource, name: string, what: string): number[] {
  if (!src.hasTensor(name))
    throw new Error(`${src.path}: no config.json and no tensor '${name}' to read the ${what} from`);
  return src.getTensorInfo(name).shape;
}

/**
 * A T5 encoder's config from its tensors: heads and buckets from the relative-attention bias, d_kv from q.
 * @throws Error naming the file and the tensor that is missing.
 */
export function inferT5Config(src: TensorSource): Record<string, unknown> {
  const embedding = src.hasTensor('shared.weight') ? 'shared.weight' : 'encoder.embed_tokens.weight';
  const [vocabSize, dModel] = shapeOf(src, embedding, 'vocabulary and width');
  const p = 'encoder.block.0.layer';
  const [numBuckets, numHeads] = shapeOf(src, `${p}.0.SelfAttention.relative_attention_bias.weight`, 'heads');
  const [inner] = shapeOf(src, `${p}.0.SelfAttention.q.weight`, 'head width');
  const gated = src.hasTensor(`${p}.1.DenseReluDense.wi_0.weight`);
  const [dFf] = shapeOf(src, `${p}.1.DenseReluDense.${gated ? 'wi_0' : 'wi'}.weight`, 'MLP width');
  return {
    ...T5_DEFAULTS,
    ...(gated ? {} : { feed_forward_proj: 'relu' }), // T5 v1.0: the converter refuses it by name
    vocab_size: vocabSize,
    d_model: dModel,
    d_kv: inner! / numHeads!,
    d_ff: dFf,
    num_layers: countBlocks(src, 'encoder.block.'),
    num_heads: numHeads,
    relative_attention_num_buckets: numBuckets,
  };
}

/**
 * A CLIP text model's config from its tensors; heads are the width over 64.
 * @throws Error naming the file when a tensor is missing or the width is not a multiple of 64.
 */
export function inferClipConfig(src: TensorSource): Record<string, unknown> {
  const [vocabSize, hidden] = shapeOf(src, 'text_model.embeddings.token_embedding.weight', 'vocabulary and width');
  const [positions] = shapeOf(src, 'text_model.embeddings.position_embedding.weight', 'text length');
  const [intermediate] = shapeOf(src, 'text_model.encoder.layers.0.mlp.fc1.weight', 'MLP width');
  if (hidden! % CLIP_HEAD_DIM !== 0)
    throw new Error(
      `${src.path}: no config.json, and width ${hidden} is not a multiple of CLIP's ${CLIP_HEAD_DIM}-wide heads; put the model's config.json beside it`,
    );
  return {
    ...CLIP_DEFAULTS,
    vocab_size: vocabSize,
    hidden_size: hidden,
    intermediate_size: intermediate,
    num_attention_heads: hidden! / CLIP_HEAD_DIM,
    num_hidden_layers: countBlocks(src, 'text_model.encoder.layers.'),
    max_position_embeddings: positions,
  };
}
