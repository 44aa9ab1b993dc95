import { describe, expect, it } from 'vitest';
import { chooseComponents, classifyTensorNames, type Candidate } from './layout';

describe('input layout', () => {
  it('tells the components and namings apart by their tensor names', () => {
    expect(classifyTensorNames(['img_in.weight', 'double_blocks.0.img_attn.qkv.weight'])).toEqual({
      component: 'dit',
      naming: 'bfl',
    });
    expect(classifyTensorNames(['x_embedder.weight', 'single_transformer_blocks.0.proj_out.weight'])).toEqual({
      component: 'dit',
      naming: 'diffusers',
    });
    expect(classifyTensorNames(['encoder.down.0.block.0.conv1.weight', 'decoder.up.0.block.0.conv1.weight'])).toEqual({
      component: 'ae',
      naming: 'bfl',
    });
    expect(
      classifyTensorNames([
        'encoder.down_blocks.0.resnets.0.conv1.weight',
        'decoder.up_blocks.0.resnets.0.conv1.weight',
      ]),
    ).toEqual({
      component: 'ae',
      naming: 'diffusers',
    });
    expect(classifyTensorNames(['shared.weight', 'encoder.block.0.layer.0.SelfAttention.q.weight'])?.component).toBe(
      't5',
    );
    expect(classifyTensorNames(['text_model.encoder.layers.0.mlp.fc1.weight'])?.component).toBe('clip');
    // A Kontext LoRA in BFL names is not a DiT; an SD checkpoint is nothing we read.
    expect(classifyTensorNames(['double_blocks.0.img_attn.qkv.lora_A.weight'])).toBeNull();
    expect(classifyTensorNames(['model.diffusion_model.input_blocks.0.0.weight'])).toBeNull();
  });

  const c = (path: string, component: Candidate['component'], over: Partial<Candidate> = {}): Candidate => ({
    path,
    component,
    container: 'safetensors',
    naming: component === 'dit' || component === 'ae' ? 'bfl' : 'hf',
    lossy: false,
    ...over,
  });
  const rest = [c('ae.safetensors', 'ae'), c('t5.safetensors', 't5'), c('clip_l.safetensors', 'clip')];

  it('prefers a Kontext DiT, then lossless files, then BFL names over diffusers', () => {
    const picked = chooseComponents('m', [
      c('flux1-dev.safetensors', 'dit'),
      c('flux1-kontext-dev-Q4_K.gguf', 'dit', { container: 'gguf', lossy: true }),
      c('transformer', 'dit', { naming: 'diffusers' }),
      c('flux1-kontext-dev.safetensors', 'dit'),
      c('vae', 'ae', { naming: 'diffusers' }),
      c('t5xxl_fp8_e4m3fn_scaled.safetensors', 't5', { lossy: true }),
      ...rest,
    ]);
    expect([picked.dit.path, picked.ae.path, picked.t5.path]).toEqual([
      'flux1-kontext-dev.safetensors',
      'ae.safetensors',
      't5.safetensors',
    ]);
    // Diffusers names beat nothing, GGUF beats a non-Kontext file.
    expect(chooseComponents('m', [c('transformer', 'dit', { naming: 'diffusers' }), ...rest]).dit.path).toBe(
      'transformer',
    );
    expect(
      chooseComponents('m', [
        c('flux1-dev.safetensors', 'dit'),
        c('kontext-Q8_0.gguf', 'dit', { lossy: true }),
        ...rest,
      ]).dit.path,
    ).toBe('kontext-Q8_0.gguf');
  });

  it('names what is missing', () => {
    expect(() => chooseComponents('m', rest)).toThrow(
      /m: no checkpoint of the DiT \(flux1-kontext-dev\.safetensors, a GGUF file or transformer\/\) found/,
    );
  });
});
