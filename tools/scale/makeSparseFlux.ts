/**
 * @file `npx tsx tools/scale/makeSparseFlux.ts <out-folder> [--scale s] [--random]`: a full-size FLUX.1 Kontext
 * [dev] model folder (the official layout, real tensor names and shapes: DiT 11.9B, T5-XXL encoder, CLIP-L, AE)
 * whose weights are zero-filled sparse bf16 files — ~36 GB of logical size that costs almost no disk. It lets the
 * converter be measured at real scale on a small machine. `--scale s` (0 < s ≤ 1) narrows and shortens the DiT
 * and T5 (scaleFluxConfigs); `--random` writes random weights instead of holes (GPU timing: zeros are not a
 * fair input). Not part of CI. Tokenizer files are copied from ../shared/vendor-data (read at run time, never
 * committed), or from kontext-micro's checkpoint where that is absent (a GPU machine: the bench feeds token ids).
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { getAeTensorShapes, FLUX_AE } from '../convert/graphs/autoencoder';
import { getClipTensorShapes } from '../convert/graphs/clip';
import type { TensorShapes } from '../convert/graphs/commonIo';
import { getDitTensorShapes } from '../convert/graphs/ditConfig';
import { getT5TensorShapes } from '../convert/graphs/t5';
import { REPO_ROOT, VENDOR_DATA_DIR } from '../convert/paths';
import type { DitConfig } from '../../workers/bundle/manifest';

/** FLUX.1 Kontext [dev] (docs/kontext-spec.md §2.1). */
export const FLUX_DIT: DitConfig = {
  hiddenSize: 3072,
  numHeads: 24,
  depth: 19,
  depthSingleBlocks: 38,
  axesDim: [16, 56, 56],
  theta: 10000,
  inChannels: 64,
  contextInDim: 4096,
  vecInDim: 768,
  mlpRatio: 4,
  guidanceEmbed: true,
};

/** google/t5-v1_1-xxl encoder config.json (docs/kontext-spec.md §6). */
export const T5_XXL_CONFIG = {
  model_type: 't5',
  d_model: 4096,
  d_kv: 64,
  d_ff: 10240,
  num_layers: 24,
  num_heads: 64,
  vocab_size: 32128,
  relative_attention_num_buckets: 32,
  relative_attention_max_distance: 128,
  layer_norm_epsilon: 1e-6,
  feed_forward_proj: 'gated-gelu',
  is_gated_act: true,
  dense_act_fn: 'gelu_new',
};

/** openai/clip-vit-large-patch14 text config.json as FLUX ships it (docs/kontext-spec.md §6). */
export const CLIP_L_CONFIG = {
  model_type: 'clip_text_model',
  hidden_size: 768,
  intermediate_size: 3072,
  num_attention_heads: 12,
  num_hidden_layers: 12,
  max_position_embeddings: 77,
  vocab_size: 49408,
  hidden_act: 'quick_gelu',
  layer_norm_eps: 1e-5,
  bos_token_id: 0,
  eos_token_id: 2,
  pad_token_id: 1,
  projection_dim: 768,
};

/**
 * The DiT and T5-XXL with heads and depth scaled by `scale`, and CLIP-L's depth (at least one of each; head sizes,
 * vocabularies, widths CLIP-L and the AE fix, and RoPE axes kept, so attention runs at the real head_dim): the
 * `--scale` of a reduced run. The DiT's context width follows T5's, so the scaled parts still fit together.
 * 1 gives the real ones.
 * @throws RangeError unless 0 < scale ≤ 1
 */
export function scaleFluxConfigs(
  scale: number,
  depth = scale,
): {
  dit: DitConfig;
  t5: typeof T5_XXL_CONFIG;
  clip: typeof CLIP_L_CONFIG;
} {
  if (!(scale > 0 && scale <= 1)) throw new RangeError(`scale must be in (0, 1], got ${scale}`);
  if (!(depth > 0 && depth <= 1)) throw new RangeError(`depth must be in (0, 1], got ${depth}`);
  const n = (full: number) => Math.max(1, Math.round(full * scale));
  // Depth apart from width: fewer blocks of the real width time each block's real kernels.
  const deep = (full: number) => Math.max(1, Math.round(full * depth));
  const ditHeads = n(FLUX_DIT.numHeads);
  const t5Heads = n(T5_XXL_CONFIG.num_heads);
  const t5Width = t5Heads * T5_XXL_CONFIG.d_kv;
  return {
    dit: {
      ...FLUX_DIT,
      numHeads: ditHeads,
      hiddenSize: ditHeads * (FLUX_DIT.hiddenSize / FLUX_DIT.numHeads),
      depth: deep(FLUX_DIT.depth),
      depthSingleBlocks: deep(FLUX_DIT.depthSingleBlocks),
      contextInDim: t5Width,
    },
    t5: {
      ...T5_XXL_CONFIG,
      num_heads: t5Heads,
      d_model: t5Width,
      d_ff: 16 * n(T5_XXL_CONFIG.d_ff / 16),
      num_layers: deep(T5_XXL_CONFIG.num_layers),
    },
    clip: { ...CLIP_L_CONFIG, num_hidden_layers: deep(CLIP_L_CONFIG.num_hidden_layers) },
  };
}

/** Bytes of random bf16 made once and written over and over. */
const RANDOM_CHUNK = 1 << 24;

/**
 * Fills `fd` from `offset` with `bytes` of random bf16 values, magnitudes 2⁻⁶…2⁻⁵ (a weight's scale): one 16 MiB
 * block of them, written again at a seed-dependent rotation for each chunk. Timing needs varied non-zero weights,
 * not independent ones, and repeating the block makes the 36 GB folder at disk speed (the GPU bench's first part).
 */
function writeRandomBf16(fd: number, offset: number, bytes: number, seed: number): void {
  const block = Buffer.alloc(Math.min(RANDOM_CHUNK, bytes));
  let state = seed >>> 0 || 1;
  for (let i = 0; i < block.length; i += 2) {
    state ^= state << 13; // xorshift32
    state ^= state >>> 17;
    state ^= state << 5;
    // bf16 = the high half of an fp32: sign random, exponent 2^-6 … 2^-5 (0x3c80–0x3cff), mantissa random.
    block.writeUInt16LE(0x3c80 | (state & 0x7f) | (state & 0x8000), i);
  }
  const chunk = Buffer.concat([block, block]);
  for (let done = 0, n = 0; done < bytes; done += block.length, n++) {
    const start = (2 * (seed + n * 7919)) % block.length; // even: stays on a value boundary
    writeSync(fd, chunk, start, Math.min(block.length, bytes - done), offset + done);
  }
}

/**
 * Writes a bf16 safetensors file whose data section is a hole (reads back as zeros), or random values with
 * `random`; returns the parameter count.
 */
export function writeSparseSafetensors(path: string, shapes: TensorShapes, random = false): number {
  const header: Record<string, unknown> = {};
  let offset = 0;
  let parameters = 0;
  for (const [name, shape] of shapes) {
    const count = shape.reduce((a, b) => a * b, 1);
    header[name] = { dtype: 'BF16', shape, data_offsets: [offset, offset + 2 * count] };
    offset += 2 * count;
    parameters += count;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // the format pads the header to 8 bytes
  const headerBytes = Buffer.from(json, 'utf8');
  const fd = openSync(path, 'w');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(headerBytes.length));
  writeSync(fd, length);
  writeSync(fd, headerBytes);
  ftruncateSync(fd, 8 + headerBytes.length + offset);
  if (random) writeRandomBf16(fd, 8 + headerBytes.length, offset, parameters);
  closeSync(fd);
  return parameters;
}

/** Where the tokenizers come from: the real ones in ../shared/vendor-data, else kontext-micro's (the bench feeds ids). */
function findTokenizers(): { clip: string; t5: string } {
  const vendor = VENDOR_DATA_DIR;
  if (existsSync(join(vendor, 't5-v1_1-xxl-tokenizer')))
    return { clip: join(vendor, 'clip-vit-large-patch14-tokenizer'), t5: join(vendor, 't5-v1_1-xxl-tokenizer') };
  const micro = join(REPO_ROOT, 'training/checkpoints/kontext-micro');
  return { clip: join(micro, 'tokenizer'), t5: join(micro, 'tokenizer_2') };
}

/**
 * Writes a FLUX.1 Kontext [dev] folder at `scale` (scaleFluxConfigs), holes or `random` weights.
 * @returns the parameter count per component
 */
export function writeFluxFolder(out: string, scale: number, random: boolean, depth = scale): Record<string, number> {
  const { dit, t5, clip } = scaleFluxConfigs(scale, depth);
  for (const d of ['text_encoder', 'text_encoder_2', 'tokenizer', 'tokenizer_2'])
    mkdirSync(join(out, d), { recursive: true });
  const counts = {
    dit: writeSparseSafetensors(join(out, 'flux1-kontext-dev.safetensors'), getDitTensorShapes(dit), random),
    ae: writeSparseSafetensors(join(out, 'ae.safetensors'), getAeTensorShapes(FLUX_AE), random),
    clip: writeSparseSafetensors(join(out, 'text_encoder/model.safetensors'), getClipTensorShapes(clip), random),
    t5: writeSparseSafetensors(join(out, 'text_encoder_2/model.safetensors'), getT5TensorShapes(t5), random),
  };
  writeFileSync(join(out, 'text_encoder/config.json'), JSON.stringify(clip, null, 1));
  writeFileSync(join(out, 'text_encoder_2/config.json'), JSON.stringify(t5, null, 1));
  const tokenizers = findTokenizers();
  for (const [from, to] of [
    [tokenizers.clip, 'tokenizer'],
    [tokenizers.t5, 'tokenizer_2'],
  ] as const)
    for (const f of readdirSync(from).filter((f) => /\.(json|txt)$/.test(f) && !f.startsWith('LICENSE')))
      copyFileSync(join(from, f), join(out, to, f));
  return counts;
}

function main(): void {
  const out = resolve(process.argv[2] ?? '');
  if (!process.argv[2] || process.argv[2].startsWith('--'))
    throw new Error('usage: npx tsx tools/scale/makeSparseFlux.ts <out-folder> [--scale s] [--random]');
  const scaleAt = process.argv.indexOf('--scale');
  const scale = scaleAt > 0 ? Number(process.argv[scaleAt + 1]) : 1;
  console.log(JSON.stringify(writeFluxFolder(out, scale, process.argv.includes('--random'))));
}

if (import.meta.url === `file://${process.argv[1]}`) main();
