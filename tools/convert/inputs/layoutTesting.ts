/**
 * @file Test writers (Node): the tiny checkpoints re-written as people have them — diffusers names, fp8
 * e4m3fn (with ComfyUI's scale_weight), GGUF — and small helpers to copy tensors between files. The
 * inverse name maps here are written out independently of diffusersNames.ts, so a test that converts
 * both ways checks one against the other.
 */
import type { TensorSource } from '../safetensors';
import { writeSafetensors, type WritableTensor } from '../safetensorsWriter';
import type { SafetensorsDtype } from '../safetensorsDtypes';
import { decodeFp8E4m3fn } from './fp8';

/** One tensor's raw bytes. */
export interface RawTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Uint8Array;
}
export type RawTensors = Record<string, RawTensor>;

/** Reads every tensor of `src` as stored. */
export async function readRawTensors(src: TensorSource): Promise<RawTensors> {
  const out: RawTensors = {};
  for (const t of src.listTensors())
    out[t.name] = { dtype: t.dtype, shape: t.shape, data: (await src.readBytes(t.name)).slice() };
  return out;
}

/** Writes raw tensors (insertion order) to a safetensors file. */
export function writeRawTensors(path: string, tensors: RawTensors, metadata?: Record<string, string>): Promise<void> {
  const writable: Record<string, WritableTensor> = {};
  for (const [name, t] of Object.entries(tensors)) writable[name] = t;
  return writeSafetensors(path, writable, metadata);
}

/** A float32 tensor as raw bytes. */
export function makeF32(shape: number[], values: Float32Array): RawTensor {
  return { dtype: 'F32', shape, data: new Uint8Array(values.slice().buffer) };
}

/** Splits a tensor's rows into pieces of the given row counts. */
function splitRows(t: RawTensor, rows: number[]): RawTensor[] {
  const rowBytes = t.data.length / t.shape[0]!;
  let at = 0;
  return rows.map((r) => {
    const piece = {
      dtype: t.dtype,
      shape: [r, ...t.shape.slice(1)],
      data: t.data.slice(at * rowBytes, (at + r) * rowBytes),
    };
    at += r;
    return piece;
  });
}

/** BFL DiT tensors → diffusers FluxTransformer2DModel names, as diffusers' conversion script lays them out. */
export function convertDitToDiffusers(bfl: RawTensors): RawTensors {
  const out: RawTensors = {};
  const simple: [RegExp, string][] = [
    [/^img_in\./, 'x_embedder.'],
    [/^txt_in\./, 'context_embedder.'],
    [/^time_in\.in_layer\./, 'time_text_embed.timestep_embedder.linear_1.'],
    [/^time_in\.out_layer\./, 'time_text_embed.timestep_embedder.linear_2.'],
    [/^guidance_in\.in_layer\./, 'time_text_embed.guidance_embedder.linear_1.'],
    [/^guidance_in\.out_layer\./, 'time_text_embed.guidance_embedder.linear_2.'],
    [/^vector_in\.in_layer\./, 'time_text_embed.text_embedder.linear_1.'],
    [/^vector_in\.out_layer\./, 'time_text_embed.text_embedder.linear_2.'],
    [/^double_blocks\.(\d+)\.img_mod\.lin\./, 'transformer_blocks.$1.norm1.linear.'],
    [/^double_blocks\.(\d+)\.txt_mod\.lin\./, 'transformer_blocks.$1.norm1_context.linear.'],
    [/^double_blocks\.(\d+)\.img_attn\.proj\./, 'transformer_blocks.$1.attn.to_out.0.'],
    [/^double_blocks\.(\d+)\.txt_attn\.proj\./, 'transformer_blocks.$1.attn.to_add_out.'],
    [/^double_blocks\.(\d+)\.img_mlp\.0\./, 'transformer_blocks.$1.ff.net.0.proj.'],
    [/^double_blocks\.(\d+)\.img_mlp\.2\./, 'transformer_blocks.$1.ff.net.2.'],
    [/^double_blocks\.(\d+)\.txt_mlp\.0\./, 'transformer_blocks.$1.ff_context.net.0.proj.'],
    [/^double_blocks\.(\d+)\.txt_mlp\.2\./, 'transformer_blocks.$1.ff_context.net.2.'],
    [/^double_blocks\.(\d+)\.img_attn\.norm\.query_norm\.scale$/, 'transformer_blocks.$1.attn.norm_q.weight'],
    [/^double_blocks\.(\d+)\.img_attn\.norm\.key_norm\.scale$/, 'transformer_blocks.$1.attn.norm_k.weight'],
    [/^double_blocks\.(\d+)\.txt_attn\.norm\.query_norm\.scale$/, 'transformer_blocks.$1.attn.norm_added_q.weight'],
    [/^double_blocks\.(\d+)\.txt_attn\.norm\.key_norm\.scale$/, 'transformer_blocks.$1.attn.norm_added_k.weight'],
    [/^single_blocks\.(\d+)\.modulation\.lin\./, 'single_transformer_blocks.$1.norm.linear.'],
    [/^single_blocks\.(\d+)\.linear2\./, 'single_transformer_blocks.$1.proj_out.'],
    [/^single_blocks\.(\d+)\.norm\.query_norm\.scale$/, 'single_transformer_blocks.$1.attn.norm_q.weight'],
    [/^single_blocks\.(\d+)\.norm\.key_norm\.scale$/, 'single_transformer_blocks.$1.attn.norm_k.weight'],
    [/^final_layer\.linear\./, 'proj_out.'],
  ];
  const hidden = bfl['img_in.weight']!.shape[0]!;
  for (const [name, t] of Object.entries(bfl)) {
    let m = /^double_blocks\.(\d+)\.(img|txt)_attn\.qkv\.(weight|bias)$/.exec(name);
    if (m) {
      const names = m[2] === 'img' ? ['to_q', 'to_k', 'to_v'] : ['add_q_proj', 'add_k_proj', 'add_v_proj'];
      splitRows(t, [hidden, hidden, hidden]).forEach(
        (p, i) => (out[`transformer_blocks.${m![1]}.attn.${names[i]}.${m![3]}`] = p),
      );
      continue;
    }
    m = /^single_blocks\.(\d+)\.linear1\.(weight|bias)$/.exec(name);
    if (m) {
      const pieces = splitRows(t, [hidden, hidden, hidden, t.shape[0]! - 3 * hidden]);
      ['attn.to_q', 'attn.to_k', 'attn.to_v', 'proj_mlp'].forEach(
        (n, i) => (out[`single_transformer_blocks.${m![1]}.${n}.${m![2]}`] = pieces[i]!),
      );
      continue;
    }
    m = /^final_layer\.adaLN_modulation\.1\.(weight|bias)$/.exec(name);
    if (m) {
      const [shift, scale] = splitRows(t, [t.shape[0]! / 2, t.shape[0]! / 2]);
      out[`norm_out.linear.${m[1]}`] = { ...t, data: Uint8Array.from([...scale!.data, ...shift!.data]) };
      continue;
    }
    const rule = simple.find(([re]) => re.test(name));
    if (!rule) throw new Error(`convertDitToDiffusers: no diffusers name for '${name}'`);
    out[name.replace(rule[0], rule[1])] = t;
  }
  return out;
}

/** BFL autoencoder tensors → diffusers AutoencoderKL names (up blocks numbered from the bottom, 1×1 convs as Linears). */
export function convertAeToDiffusers(bfl: RawTensors): RawTensors {
  const levels = 1 + Math.max(...Object.keys(bfl).map((n) => Number(/^decoder\.up\.(\d+)\./.exec(n)?.[1] ?? -1)));
  const out: RawTensors = {};
  for (const [name, t] of Object.entries(bfl)) {
    let to = name
      .replace(/^(encoder|decoder)\.mid\.block_1\./, '$1.mid_block.resnets.0.')
      .replace(/^(encoder|decoder)\.mid\.block_2\./, '$1.mid_block.resnets.1.')
      .replace(/^(encoder|decoder)\.mid\.attn_1\.norm\./, '$1.mid_block.attentions.0.group_norm.')
      .replace(/^(encoder|decoder)\.norm_out\./, '$1.conv_norm_out.')
      .replace(/^encoder\.down\.(\d+)\.block\.(\d+)\./, 'encoder.down_blocks.$1.resnets.$2.')
      .replace(/^encoder\.down\.(\d+)\.downsample\./, 'encoder.down_blocks.$1.downsamplers.0.')
      .replace(
        /^decoder\.up\.(\d+)\.block\.(\d+)\./,
        (_, i: string, j: string) => `decoder.up_blocks.${levels - 1 - Number(i)}.resnets.${j}.`,
      )
      .replace(
        /^decoder\.up\.(\d+)\.upsample\./,
        (_, i: string) => `decoder.up_blocks.${levels - 1 - Number(i)}.upsamplers.0.`,
      )
      .replace('.nin_shortcut.', '.conv_shortcut.');
    const attn = /^(encoder|decoder)\.mid\.attn_1\.(q|k|v|proj_out)\.(weight|bias)$/.exec(name);
    if (attn) {
      const d = { q: 'to_q', k: 'to_k', v: 'to_v', proj_out: 'to_out.0' }[attn[2] as 'q' | 'k' | 'v' | 'proj_out'];
      to = `${attn[1]}.mid_block.attentions.0.${d}.${attn[3]}`;
      out[to] = attn[3] === 'weight' ? { ...t, shape: t.shape.slice(0, 2) } : t;
      continue;
    }
    out[to] = t;
  }
  return out;
}

/** Every value decodeFp8E4m3fn gives for a byte below 0x7f, ascending (the non-negative finite e4m3fn values). */
const POSITIVE_FP8 = decodeFp8E4m3fn(Uint8Array.from({ length: 127 }, (_, i) => i));

/** Rounds float32 values to the nearest e4m3fn (ties to the even code, saturating at ±448) after dividing by `scale`. */
export function encodeFp8E4m3fn(values: Float32Array, scale = 1): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]! / scale;
    const a = Math.min(Math.abs(v), 448);
    let lo = 0;
    let hi = 126;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (POSITIVE_FP8[mid]! <= a) lo = mid;
      else hi = mid;
    }
    const dLo = a - POSITIVE_FP8[lo]!;
    const dHi = POSITIVE_FP8[hi]! - a;
    const code = dLo < dHi || (dLo === dHi && lo % 2 === 0) ? lo : hi;
    out[i] = code | (v < 0 ? 0x80 : 0);
  }
  return out;
}
