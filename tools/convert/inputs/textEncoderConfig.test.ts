import { describe, expect, it } from 'vitest';
import { CLIP_L_CONFIG, T5_XXL_CONFIG } from '../../scale/makeSparseFlux';
import { getClipTensorShapes } from '../graphs/clip';
import { getT5TensorShapes } from '../graphs/t5';
import type { TensorSource } from '../safetensors';
import { makeDerivedSource } from './derivedSource';
import { inferClipConfig, inferT5Config } from './textEncoderConfig';

/** A header-only source: the names and shapes of a checkpoint, no data. */
function makeShapes(shapes: Record<string, readonly number[]>): TensorSource {
  const tensors = Object.entries(shapes).map(([name, shape]) => ({
    info: { name, shape: [...shape], dtype: 'BF16' as const, file: 'x.safetensors', byteOffset: 0, byteLength: 0 },
    read: () => Promise.reject(new Error('header only')),
  }));
  return makeDerivedSource('x.safetensors', {}, tensors, async () => {});
}

describe('text-encoder configs from shapes', () => {
  it("gives T5-XXL's tensors (ComfyUI's t5xxl files) exactly the values of google/t5-v1_1-xxl's config.json", () => {
    const inferred = inferT5Config(makeShapes(Object.fromEntries(getT5TensorShapes(T5_XXL_CONFIG))));
    expect(Object.keys(inferred)).toHaveLength(11);
    expect(T5_XXL_CONFIG).toMatchObject(inferred);
  });

  it('marks a T5 v1.0 (one wi, ReLU) so the converter refuses it by name', () => {
    const src = makeShapes({
      'encoder.embed_tokens.weight': [100, 32],
      'encoder.block.0.layer.0.SelfAttention.q.weight': [32, 32],
      'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight': [32, 2],
      'encoder.block.0.layer.1.DenseReluDense.wi.weight': [64, 32],
    });
    expect(inferT5Config(src)).toMatchObject({ feed_forward_proj: 'relu', d_kv: 16, d_ff: 64, vocab_size: 100 });
  });

  it("gives CLIP-L's tensors (ComfyUI's clip_l.safetensors) exactly the values of FLUX's text_encoder/config.json", () => {
    const inferred = inferClipConfig(makeShapes(Object.fromEntries(getClipTensorShapes(CLIP_L_CONFIG))));
    expect(Object.keys(inferred)).toHaveLength(9);
    expect(CLIP_L_CONFIG).toMatchObject(inferred);
  });

  it('names the file and the tensor it cannot do without', () => {
    expect(() => inferT5Config(makeShapes({ 'shared.weight': [10, 4] }))).toThrow(
      /x\.safetensors: no config\.json and no tensor 'encoder\.block\.0\.layer\.0\.SelfAttention\.relative_attention_bias\.weight'/,
    );
    const narrow = makeShapes({
      'text_model.embeddings.token_embedding.weight': [100, 32],
      'text_model.embeddings.position_embedding.weight': [77, 32],
      'text_model.encoder.layers.0.mlp.fc1.weight': [128, 32],
    });
    expect(() => inferClipConfig(narrow)).toThrow(
      /width 32 is not a multiple of CLIP's 64-wide heads; put the model's config\.json/,
    );
  });
});
