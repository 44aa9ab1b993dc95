/**
 * One test per input layout: the tiny checkpoint written as people have it (diffusers folders, ComfyUI
 * files, fp8 e4m3fn with and without scale_weight, GGUF Q8_0/Q4_0/Q4_K/Q5_K/Q6_K) converts to the same
 * bundle, file for file (sha256), as the official layout holding the same values. Lossless inputs use
 * the tiny model's own bytes; for lossy ones the official twin holds the dequantised values and the test
 * asserts how far those are from the originals.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../workers/bundle/manifest';
import { TINY_BUNDLE_OVERRIDES, TINY_MODEL_DIR } from '../../testing/tinyBundle';
import { getClipTensorShapes } from '../graphs/clip';
import { convertFloat32ToHalf } from '../quantize/fp16';
import { openTensorSource } from '../node/nodeFiles';
import { convertToFloat32 } from '../safetensorsDtypes';
import { makeRandomFloats, makeRng, makeTempDir } from '../testing';
import { decodeFp8E4m3fn } from '../inputs/fp8';
import { dequantizeGgml, GGML_BLOCKS, GGML_TYPE } from '../inputs/ggmlQuants';
import { getQuantizerErrorBound, quantizeGgml } from '../inputs/ggmlQuantize';
import { writeGguf, type GgufTensorInput } from '../inputs/ggufWriter';
import {
  convertAeToDiffusers,
  convertDitToDiffusers,
  encodeFp8E4m3fn,
  makeF32,
  readRawTensors,
  writeRawTensors,
  type RawTensor,
  type RawTensors,
} from '../inputs/layoutTesting';
import { convertBundle, type BundleOptions } from './convertBundle';

const temp = makeTempDir('layouts-');
afterAll(() => temp.cleanup());
let outputs = 0;

async function convert(dir: string, extra: Partial<BundleOptions> = {}): Promise<Manifest> {
  const out = join(temp.dir, `out-${outputs++}`);
  const options = { weights: 'fp32' as const, segments: 1, t5MaxLength: 16, overrides: TINY_BUNDLE_OVERRIDES };
  return (await convertBundle(dir, out, { ...options, ...extra })).manifest;
}

/** A fresh input folder with `files` (relative path → raw tensors or JSON) and the tiny tokenizers. */
async function makeFolder(
  name: string,
  files: Record<string, RawTensors | object>,
  tokenizers = true,
): Promise<string> {
  const dir = join(temp.dir, name);
  mkdirSync(dir);
  if (tokenizers)
    for (const t of ['tokenizer', 'tokenizer_2']) cpSync(join(TINY_MODEL_DIR, t), join(dir, t), { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    if (path.endsWith('.json')) writeFileSync(join(dir, path), JSON.stringify(content));
    else
      await writeRawTensors(join(dir, path), content as RawTensors, path.includes('flux1') ? ditMetadata : undefined);
  }
  return dir;
}

async function readTiny(path: string): Promise<{ tensors: RawTensors; metadata: Record<string, string> }> {
  const src = await openTensorSource(join(TINY_MODEL_DIR, path));
  try {
    return { tensors: await readRawTensors(src), metadata: { ...src.metadata } };
  } finally {
    await src.close();
  }
}

const toFloat = (t: RawTensor) => convertToFloat32(t.data, t.dtype, 'test').slice();
const mapTensors = (ts: RawTensors, f: (t: RawTensor, name: string) => RawTensor): RawTensors =>
  Object.fromEntries(Object.entries(ts).map(([n, t]) => [n, f(t, n)]));
const toF16 = (t: RawTensor): RawTensor => ({
  dtype: 'F16',
  shape: t.shape,
  data: new Uint8Array(convertFloat32ToHalf(toFloat(t)).buffer),
});

let official: Manifest;
let dit: RawTensors;
let ditMetadata: Record<string, string>;
let ae: RawTensors;
let t5: RawTensors;
/** The tiny T5 config with T5 v1.1's relative-position reach: what a T5 file without config.json gets. */
let t5Config: Record<string, unknown>;
/** A CLIP text model with 64-wide heads (the tiny one's are 16 wide, which no file without config.json can say). */
const clipConfig = {
  vocab_size: 100,
  hidden_size: 64,
  intermediate_size: 256,
  num_attention_heads: 1,
  num_hidden_layers: 2,
  max_position_embeddings: 77,
  layer_norm_eps: 1e-5,
  eos_token_id: 2,
  hidden_act: 'quick_gelu',
};
let clip: RawTensors;

beforeAll(async () => {
  official = await convert(TINY_MODEL_DIR);
  ({ tensors: dit, metadata: ditMetadata } = await readTiny('flux1-kontext-dev.safetensors'));
  ({ tensors: ae } = await readTiny('ae.safetensors'));
  t5 = mapTensors((await readTiny('text_encoder_2')).tensors, toF16);
  t5Config = {
    ...JSON.parse(readFileSync(join(TINY_MODEL_DIR, 'text_encoder_2/config.json'), 'utf8')),
    relative_attention_max_distance: 128,
  };
  const rng = makeRng(11);
  clip = {};
  for (const [name, shape] of getClipTensorShapes(clipConfig)) {
    const n = shape.reduce((a, b) => a * b, 1);
    clip[name] = toF16(
      makeF32(
        [...shape],
        makeRandomFloats(rng, n, name.endsWith('norm1.weight') || name.endsWith('norm2.weight') ? 1 : 0.2),
      ),
    );
  }
}, 120_000);

/** The official twin of a ComfyUI folder: the same DiT/AE, the text encoders in folders with their configs. */
function officialFiles(ditTensors: RawTensors, t5Tensors: RawTensors): Record<string, RawTensors | object> {
  return {
    'flux1-kontext-dev.safetensors': ditTensors,
    'ae.safetensors': ae,
    'text_encoder/model.safetensors': clip,
    'text_encoder/config.json': clipConfig,
    'text_encoder_2/model.safetensors': t5Tensors,
    'text_encoder_2/config.json': t5Config,
  };
}

describe('input layouts convert like the official folder', () => {
  it('diffusers transformer/ (sharded) and vae/ folders: byte-identical bundle', async () => {
    const names = convertDitToDiffusers(dit);
    const keys = Object.keys(names).sort();
    const shards = [keys.slice(0, keys.length / 2), keys.slice(keys.length / 2)];
    const shardName = (i: number) => `diffusion_pytorch_model-0000${i + 1}-of-00002.safetensors`;
    const files: Record<string, RawTensors | object> = {
      'transformer/diffusion_pytorch_model.safetensors.index.json': {
        metadata: {},
        weight_map: Object.fromEntries(shards.flatMap((s, i) => s.map((k) => [k, shardName(i)]))),
      },
      'transformer/config.json': { _class_name: 'FluxTransformer2DModel', axes_dims_rope: [8, 12, 12] },
      'vae/diffusion_pytorch_model.safetensors': convertAeToDiffusers(ae),
      'vae/config.json': { _class_name: 'AutoencoderKL' },
    };
    shards.forEach((s, i) => (files[`transformer/${shardName(i)}`] = Object.fromEntries(s.map((k) => [k, names[k]!]))));
    const dir = await makeFolder('diffusers', files);
    for (const enc of ['text_encoder', 'text_encoder_2'])
      cpSync(join(TINY_MODEL_DIR, enc), join(dir, enc), { recursive: true });
    const manifest = await convert(dir);
    expect(manifest.model).toEqual(official.model);
    expect(manifest.files).toEqual(official.files);
  });

  it('ComfyUI files (BFL DiT, fp16 T5 and CLIP-L without config.json, ae): byte-identical to the official twin', async () => {
    const twin = await convert(await makeFolder('comfy-twin', officialFiles(dit, t5)));
    const comfy = await makeFolder('comfy', {
      'diffusion_models/flux1-kontext-dev.safetensors': dit,
      'vae/ae.safetensors': ae,
      'text_encoders/t5xxl_fp16.safetensors': t5,
      'text_encoders/clip_l.safetensors': {
        ...clip,
        'text_projection.weight': clip['text_model.final_layer_norm.weight']!,
      },
    });
    expect((await convert(comfy)).files).toEqual(twin.files);
  });

  it('fp8 e4m3fn DiT and scaled-fp8 T5: identical to the official twin of their values, within fp8 rounding of the originals', async () => {
    // Unscaled DiT: 2-D weights as fp8. Scaled T5: each 2-D weight / (amax/448) as fp8, with its scale_weight.
    const fp8Dit: RawTensors = {};
    const twinDit: RawTensors = {};
    const fp8T5: RawTensors = { scaled_fp8: { dtype: 'F8_E4M3', shape: [0], data: new Uint8Array(0) } };
    const twinT5: RawTensors = {};
    let worst = 0;
    let lossy = 0;
    const quantise = (t: RawTensor, scale: number) => {
      const x = toFloat(t);
      const bytes = encodeFp8E4m3fn(x, scale);
      const y = decodeFp8E4m3fn(bytes, scale);
      for (let i = 0; i < x.length; i++) {
        // e4m3fn keeps 3 mantissa bits: a normal value is within 2^-4 of itself, a subnormal within 2^-10 · scale.
        const bound = Math.max(Math.abs(x[i]!) * 2 ** -4, 2 ** -10 * scale) * (1 + 2 ** -20);
        worst = Math.max(worst, Math.abs(y[i]! - x[i]!) / bound);
        if (y[i] !== x[i]) lossy++;
      }
      return { bytes, twin: makeF32(t.shape, y) };
    };
    for (const [name, t] of Object.entries(dit)) {
      if (t.shape.length !== 2) [fp8Dit[name], twinDit[name]] = [t, t];
      else {
        const q = quantise(t, 1);
        fp8Dit[name] = { dtype: 'F8_E4M3', shape: t.shape, data: q.bytes };
        twinDit[name] = q.twin;
      }
    }
    for (const [name, t] of Object.entries(t5)) {
      if (t.shape.length !== 2 || name === 'shared.weight') [fp8T5[name], twinT5[name]] = [t, t];
      else {
        const scale = Math.fround(Math.max(...toFloat(t).map(Math.abs)) / 448);
        const q = quantise(t, scale);
        fp8T5[name] = { dtype: 'F8_E4M3', shape: t.shape, data: q.bytes };
        fp8T5[name.replace(/\.weight$/, '.scale_weight')] = makeF32([], Float32Array.of(scale));
        twinT5[name] = q.twin;
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(lossy).toBeGreaterThan(1000); // fp8 did round
    const twin = await convert(await makeFolder('fp8-twin', officialFiles(twinDit, twinT5)));
    const comfy = await makeFolder('fp8', {
      'diffusion_models/flux1-kontext-dev-fp8-e4m3fn.safetensors': fp8Dit,
      'text_encoders/t5xxl_fp8_e4m3fn_scaled.safetensors': fp8T5,
      'text_encoders/clip_l.safetensors': clip,
      'vae/ae.safetensors': ae,
    });
    expect((await convert(comfy)).files).toEqual(twin.files);
  });

  it.each(['Q8_0', 'Q4_0', 'Q4_K', 'Q5_K', 'Q6_K'] as const)(
    'GGUF %s DiT: identical to the official twin of its dequantised values, each within half a quantisation step',
    async (typeName) => {
      const type = GGML_TYPE[typeName];
      const block = GGML_BLOCKS[type]!;
      const gguf: GgufTensorInput[] = [];
      const twinDit: RawTensors = {};
      let quantised = 0;
      let worst = 0;
      for (const [name, t] of Object.entries(dit)) {
        const x = toFloat(t);
        // As city96's files: 2-D weights whose rows are whole blocks are quantised, everything else kept (F32 here).
        if (t.shape.length === 2 && t.shape[1]! % block.values === 0) {
          const data = quantizeGgml(type, x);
          const y = dequantizeGgml(type, data, x.length);
          for (let i = 0; i < x.length; i++)
            worst = Math.max(worst, Math.abs(y[i]! - x[i]!) / getQuantizerErrorBound(type, x, i));
          gguf.push({ name, shape: t.shape, type, data });
          twinDit[name] = makeF32(t.shape, y);
          quantised++;
        } else {
          gguf.push({ name, shape: t.shape, type: GGML_TYPE.F32, data: new Uint8Array(x.buffer) });
          twinDit[name] = makeF32(t.shape, x);
        }
      }
      expect(quantised).toBeGreaterThanOrEqual(4); // K-quants: the four MLP-down weights with 256-wide rows
      expect(worst).toBeLessThanOrEqual(1);
      const twin = await convert(await makeFolder(`gguf-twin-${typeName}`, officialFiles(twinDit, t5)));
      const { 'flux1-kontext-dev.safetensors': _, ...withoutDit } = officialFiles(twinDit, t5);
      const dir = await makeFolder(`gguf-${typeName}`, withoutDit);
      mkdirSync(join(dir, 'unet'));
      writeFileSync(
        join(dir, `unet/flux1-kontext-dev-${typeName}.gguf`),
        writeGguf({ 'general.architecture': 'flux' }, gguf),
      );
      // A GGUF file has no RoPE config: FLUX's default split of the tiny head dim 32 would be [4, 14, 14].
      expect((await convert(dir, { ditConfig: { axesDim: [8, 12, 12] } })).files).toEqual(twin.files);
    },
  );
});

describe('input errors', () => {
  it('names the missing tokenizer files and where the official repository keeps them', async () => {
    const dir = await makeFolder('no-tokenizers', { 'flux1-kontext-dev.safetensors': dit }, false);
    await expect(convert(dir)).rejects.toThrow(
      /tokenizer\/vocab\.json, .*tokenizer\/merges\.txt, .*tokenizer_config\.json — .*FLUX\.1-Kontext-dev\/tree\/main\/tokenizer\n.*tokenizer_2\/tokenizer\.json, .*tokenizer_2\/tokenizer_config\.json — .*\/tree\/main\/tokenizer_2/,
    );
  });

  it('refuses two equally good checkpoints of one component, naming both', async () => {
    const dir = await makeFolder('two-t5', {
      ...officialFiles(dit, t5),
      'text_encoders/t5xxl_fp16.safetensors': t5,
    });
    await expect(convert(dir)).rejects.toThrow(
      /2 checkpoints could be the T5 encoder .*text_encoder_2.*t5xxl_fp16\.safetensors; keep one/,
    );
  });
});
