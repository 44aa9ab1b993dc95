/**
 * @file The FLUX autoencoder's architecture (BFL `AutoEncoderParams`): read from ae.safetensors'
 * `__metadata__.config` when present, else inferred from the tensor shapes; and its tensor plan with
 * BFL names. Pure TypeScript apart from the TensorSource it is handed.
 */
import type { TensorSource } from '../safetensors';
import { hasLength, type Tuple } from '../tuple';
import type { TensorShapes } from './commonIo';

/** BFL's AutoEncoderParams, camelCased. */
export interface AeArchitecture {
  inChannels: number;
  outChannels: number;
  ch: number;
  chMult: number[];
  /** ResNet blocks per encoder level; the decoder has one more per level. */
  numResBlocks: number;
  zChannels: number;
  scaleFactor: number;
  shiftFactor: number;
  /** GroupNorm groups (32 in FLUX). */
  numGroups: number;
}

/** FLUX.1's latent scaling and GroupNorm groups: the fallback when ae.safetensors carries no config (BFL's file does not). */
const FLUX_AE_DEFAULTS = { scaleFactor: 0.3611, shiftFactor: 0.1159, numGroups: 32 } as const;

/** FLUX.1's AE (docs/kontext-spec.md §4.1): ch 128, ch_mult [1, 2, 4, 4], 2 ResNet blocks, z 16. */
export const FLUX_AE: AeArchitecture = {
  inChannels: 3,
  outChannels: 3,
  ch: 128,
  chMult: [1, 2, 4, 4],
  numResBlocks: 2,
  zChannels: 16,
  ...FLUX_AE_DEFAULTS,
};

/** Spatial factor 2^(levels − 1): 8 for FLUX, 16 with one more level. */
export function getSpatialFactor(a: AeArchitecture): number {
  return 2 ** (a.chMult.length - 1);
}

/**
 * Returns the architecture: `__metadata__.config` (JSON) when the file has it, else inferred from shapes
 * with FLUX's scale/shift/groups. Either way the result is checked against the tensors later.
 * @throws Error naming the file when the metadata is malformed or the shapes do not reveal the layout.
 */
export function readAeArchitecture(src: TensorSource): AeArchitecture {
  const meta = src.metadata.config;
  return meta === undefined ? inferAeArchitecture(src) : parseAeMetadata(meta, src.path);
}

function parseAeMetadata(json: string, path: string): AeArchitecture {
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw new Error(`${path}: __metadata__.config is not JSON`);
  }
  const int = (key: string, fallback?: number): number => {
    const v = c[key] ?? fallback;
    if (!Number.isInteger(v) || (v as number) < 1)
      throw new Error(
        `${path}: __metadata__.config field '${key}' must be a positive integer, got ${JSON.stringify(c[key])}`,
      );
    return v as number;
  };
  const real = (key: string, fallback: number): number => {
    const v = c[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new Error(`${path}: __metadata__.config field '${key}' must be a number`);
    return v;
  };
  const chMult = c.ch_mult;
  if (!Array.isArray(chMult) || chMult.length === 0 || !chMult.every((m) => Number.isInteger(m) && m > 0)) {
    throw new Error(`${path}: __metadata__.config field 'ch_mult' must be a non-empty list of positive integers`);
  }
  return {
    inChannels: int('in_channels', 3),
    outChannels: int('out_ch', 3),
    ch: int('ch'),
    chMult: chMult as number[],
    numResBlocks: int('num_res_blocks'),
    zChannels: int('z_channels'),
    scaleFactor: real('scale_factor', FLUX_AE_DEFAULTS.scaleFactor),
    shiftFactor: real('shift_factor', FLUX_AE_DEFAULTS.shiftFactor),
    numGroups: int('num_groups', FLUX_AE_DEFAULTS.numGroups),
  };
}

function inferAeArchitecture(src: TensorSource): AeArchitecture {
  /** A conv weight's shape [out, in, kH, kW]. */
  const shape = (name: string): Tuple<number, 4> => {
    if (!src.hasTensor(name))
      throw new Error(`${src.path}: no __metadata__.config and no tensor '${name}' to infer the AE layout from`);
    const dims = src.getTensorInfo(name).shape;
    if (!hasLength(dims, 4))
      throw new Error(
        `${src.path}: tensor '${name}' has shape [${dims.join(', ')}], expected a conv weight [out, in, kH, kW]`,
      );
    return dims;
  };
  /** How many consecutive i = 0, 1, … have a tensor `name(i)`. */
  const count = (name: (i: number) => string): number => {
    let n = 0;
    while (src.hasTensor(name(n))) n++;
    return n;
  };
  const [ch, inChannels] = shape('encoder.conv_in.weight');
  const levels = count((i) => `encoder.down.${i}.block.0.conv1.weight`);
  const numResBlocks = count((j) => `encoder.down.0.block.${j}.conv1.weight`);
  if (levels === 0 || numResBlocks === 0)
    throw new Error(`${src.path}: no encoder.down.<i>.block.<j> tensors; not a FLUX autoencoder`);
  const chMult = Array.from({ length: levels }, (_, i) => shape(`encoder.down.${i}.block.0.conv1.weight`)[0] / ch);
  if (!chMult.every(Number.isInteger))
    throw new Error(`${src.path}: encoder level widths [${chMult.map((m) => m * ch)}] are not multiples of ch ${ch}`);
  return {
    inChannels,
    outChannels: shape('decoder.conv_out.weight')[0],
    ch,
    chMult,
    numResBlocks,
    zChannels: shape('decoder.conv_in.weight')[1],
    ...FLUX_AE_DEFAULTS,
  };
}

/** The AE's tensors with BFL names and PyTorch shapes (encoder and decoder). */
export function getAeTensorShapes(a: AeArchitecture): TensorShapes {
  const shapes: TensorShapes = new Map();
  const conv = (name: string, out: number, inp: number, k: number) => {
    shapes.set(`${name}.weight`, [out, inp, k, k]);
    shapes.set(`${name}.bias`, [out]);
  };
  const norm = (name: string, c: number) => {
    shapes.set(`${name}.weight`, [c]);
    shapes.set(`${name}.bias`, [c]);
  };
  const resnet = (name: string, inp: number, out: number) => {
    norm(`${name}.norm1`, inp);
    conv(`${name}.conv1`, out, inp, 3);
    norm(`${name}.norm2`, out);
    conv(`${name}.conv2`, out, out, 3);
    if (inp !== out) conv(`${name}.nin_shortcut`, out, inp, 1);
  };
  const mid = (name: string, c: number) => {
    resnet(`${name}.block_1`, c, c);
    norm(`${name}.attn_1.norm`, c);
    for (const m of ['q', 'k', 'v', 'proj_out']) conv(`${name}.attn_1.${m}`, c, c, 1);
    resnet(`${name}.block_2`, c, c);
  };
  const levels = a.chMult.length;
  conv('encoder.conv_in', a.ch, a.inChannels, 3);
  let c = a.ch;
  for (let i = 0; i < levels; i++) {
    for (let j = 0; j < a.numResBlocks; j++) {
      resnet(`encoder.down.${i}.block.${j}`, c, a.ch * a.chMult[i]!);
      c = a.ch * a.chMult[i]!;
    }
    if (i !== levels - 1) conv(`encoder.down.${i}.downsample.conv`, c, c, 3);
  }
  mid('encoder.mid', c);
  norm('encoder.norm_out', c);
  conv('encoder.conv_out', 2 * a.zChannels, c, 3);

  c = a.ch * a.chMult[levels - 1]!;
  conv('decoder.conv_in', c, a.zChannels, 3);
  mid('decoder.mid', c);
  for (let i = levels - 1; i >= 0; i--) {
    for (let j = 0; j <= a.numResBlocks; j++) {
      resnet(`decoder.up.${i}.block.${j}`, c, a.ch * a.chMult[i]!);
      c = a.ch * a.chMult[i]!;
    }
    if (i !== 0) conv(`decoder.up.${i}.upsample.conv`, c, c, 3);
  }
  norm('decoder.norm_out', c);
  conv('decoder.conv_out', a.outChannels, c, 3);
  return shapes;
}
