/**
 * @file The bundle manifest: the one description of a converted model that the converter writes and the
 * engine reads. On disk it is snake_case JSON (Python writes it too); parseManifest() validates it and
 * returns camelCase types. Nothing in the engine may assume a value that is not in here.
 */

import type { BundleLora } from '../api/jobs';
import { JOB_LIMITS, type NumberLimit } from '../api/limits';
import { parseAeDecoderStages, type AeDecoderStage } from './aeStages';
import { parseDomain, type ManifestDomain } from './domain';

export type { BundleLora };
import { parsePrecision, type BundlePrecision } from './precision';

export const MANIFEST_FORMAT = 'kontext-bundle';
export const MANIFEST_VERSION = 1;

/** DiT hyper-parameters (docs/kontext-spec.md §2.1). */
export interface DitConfig {
  hiddenSize: number;
  numHeads: number;
  depth: number;
  depthSingleBlocks: number;
  axesDim: [number, number, number];
  theta: number;
  inChannels: number;
  contextInDim: number;
  vecInDim: number;
  mlpRatio: number;
  guidanceEmbed: boolean;
}

export interface T5Config {
  dModel: number;
  numLayers: number;
  numHeads: number;
  vocabSize: number;
  maxLength: number;
}
export interface ClipConfig {
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  vocabSize: number;
  maxLength: number;
}

/** The autoencoder: latent channels, spatial factor (8 for FLUX, 16 for a smaller AE) and latent scaling. */
export interface AeConfig {
  zChannels: number;
  spatialFactor: number;
  scaleFactor: number;
  shiftFactor: number;
  /** Channel widths per level, [ch, ch·ch_mult…], for the tile planner (workers/kontext/tiles.ts); absent = never tiled. */
  channels?: number[];
  /** Query chunks of the mid-block attention (1 = the full [hw, hw] matrix); absent in older bundles. */
  attentionChunks?: number;
}

export interface ModelConfig {
  dit: DitConfig;
  t5: T5Config;
  clip: ClipConfig;
  ae: AeConfig;
  patchSize: number;
}

/** Sampler defaults and the resolution buckets (width, height) the model was trained at. */
interface SamplingConfig {
  defaultSteps: number;
  defaultGuidance: number;
  /** Denoising runs averaged into one edit (EditJob.average); `default_average`, 1 when absent. */
  defaultAverage: number;
  baseShift: number;
  maxShift: number;
  baseSeqLen: number;
  maxSeqLen: number;
  resolutions: [number, number][];
}

/** One ONNX graph and the external-data files it references. */
export interface GraphFiles {
  graph: string;
  data: string[];
}

interface Components {
  /** The DiT as K ≥ 1 segments run back to back (segment i's outputs are segment i+1's inputs). */
  dit: GraphFiles[];
  t5: GraphFiles;
  clip: GraphFiles;
  aeEncoder: GraphFiles;
  aeDecoder: GraphFiles;
  /** The decoder cut at its GroupNorms, for exact tiled decodes (workers/bundle/aeStages.ts); null in older bundles. */
  aeDecoderStages: AeDecoderStage[] | null;
  previewDecoder: GraphFiles | null;
  t5Tokenizer: TokenizerFiles;
  clipTokenizer: TokenizerFiles;
}

/** A Hugging Face tokenizer.json and its tokenizer_config.json (special tokens, padding). */
export interface TokenizerFiles {
  json: string;
  config: string;
}

/** Every file of the bundle, for download and integrity checks. */
export interface FileEntry {
  path: string;
  bytes: number;
  sha256: string;
}

/** What a file is for, as manifest.json spells it beside each file (derived from `components`). */
type FileRole =
  | 'dit'
  | 't5'
  | 'clip'
  | 'ae_encoder'
  | 'ae_decoder'
  | 'ae_decoder_stages'
  | 'preview_decoder'
  | 't5_tokenizer'
  | 'clip_tokenizer';

/** The role of every file the components reference. */
export function getFileRoles(c: Components): Map<string, FileRole> {
  const roles = new Map<string, FileRole>();
  const add = (role: FileRole, g: GraphFiles | null) => g && [g.graph, ...g.data].forEach((p) => roles.set(p, role));
  c.dit.forEach((g) => add('dit', g));
  add('t5', c.t5);
  add('clip', c.clip);
  add('ae_encoder', c.aeEncoder);
  add('ae_decoder', c.aeDecoder);
  c.aeDecoderStages?.forEach((s) => add('ae_decoder_stages', s.graph));
  add('preview_decoder', c.previewDecoder);
  for (const [role, t] of [
    ['t5_tokenizer', c.t5Tokenizer],
    ['clip_tokenizer', c.clipTokenizer],
  ] as const)
    [t.json, t.config].forEach((p) => roles.set(p, role));
  return roles;
}

/**
 * MatMulNBits accuracy_level (onnxruntime: the least precision its kernels may compute in): 0 = unset, 1 = fp32,
 * 2 = fp16, 3 = bf16, 4 = int8 activations, which takes the faster int8 dot-product path.
 */
export type AccuracyLevel = 0 | 1 | 2 | 3 | 4;

export interface Manifest {
  formatVersion: number;
  id: string;
  name: string;
  /** Weight storage of the Linear layers; activations are always fp32 at graph boundaries. */
  weights: 'fp32' | 'fp16' | 'int4';
  /** The int4 graphs' MatMulNBits accuracy_level; absent when the converter left it out (onnxruntime's 0). */
  accuracyLevel?: AccuracyLevel;
  /** Per component: activations inside the graphs and weight storage (`precision`; derived from `weights` when absent). */
  precision: BundlePrecision;
  /** True when the components do not all fit in memory at once: release encoders before the DiT loads. */
  memoryTight: boolean;
  /**
   * The DiT segments are laid out for first-block caching (`dit_first_block_cache`): segment 0 is the embeddings
   * and the first double block (also outputting `first_residual`), the last is the final layer alone.
   */
  ditFirstBlockCache: boolean;
  /**
   * The DiT graphs take a batch of runs on the leading axis of their token tensors (`dit_batch`; graph-contract.md):
   * the engine runs an average of n runs as one call per step. Older bundles' graphs are fixed at batch 1.
   */
  ditBatch: boolean;
  /**
   * A linear latent → RGB map for live previews when the bundle has no preview decoder: rgb = M·z + b per
   * latent pixel, in [-1, 1]; M is 3×Z row-major. Fitted by the converter against the AE decoder.
   */
  previewRgb: { matrix: number[]; bias: number[] } | null;
  /** The images the model was made for (workers/bundle/domain.ts); null: any image. */
  domain: ManifestDomain | null;
  /** LoRAs merged into the DiT, in merge order; empty (manifest.json: no `loras`) when none. */
  loras: BundleLora[];
  model: ModelConfig;
  sampling: SamplingConfig;
  components: Components;
  files: FileEntry[];
}

/** A manifest that cannot be used; the message names the field. */
export class ManifestError extends Error {}

export type Json = Record<string, unknown>;

function obj(v: unknown, at: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ManifestError(`manifest: ${at} must be an object`);
  return v as Json;
}
function num(o: Json, key: string, at: string, { int = true, min = 1, max = Infinity } = {}): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || (int && !Number.isInteger(v)) || v < min) {
    throw new ManifestError(
      `manifest: ${at}.${key} must be ${int ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(v)}`,
    );
  }
  if (v > max) throw new ManifestError(`manifest: ${at}.${key} must be at most ${max}, got ${v}`);
  return v;
}
/** A sampler default: it must be a value a job may use (JOB_LIMITS), or the UI would show what the engine refuses. */
function jobNum(o: Json, key: string, limit: NumberLimit): number {
  return num(o, key, 'sampling', { int: limit.integer, min: limit.min, max: limit.max });
}
function str(o: Json, key: string, at: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0)
    throw new ManifestError(`manifest: ${at}.${key} must be a non-empty string`);
  return v;
}
function arr(o: Json, key: string, at: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new ManifestError(`manifest: ${at}.${key} must be an array`);
  return v;
}

function parsePreviewRgb(v: unknown, zChannels: number): Manifest['previewRgb'] {
  if (v == null) return null;
  const o = obj(v, 'preview_rgb');
  const numbers = (key: string, length: number) => {
    const a = arr(o, key, 'preview_rgb');
    if (a.length !== length || !a.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new ManifestError(`manifest: preview_rgb.${key} must be ${length} finite numbers`);
    }
    return a as number[];
  };
  return { matrix: numbers('matrix', 3 * zChannels), bias: numbers('bias', 3) };
}

/** The optional buffer arithmetic of model.ae: channels and attention_chunks come together or not at all. */
function parseAeShape(a: Json): Pick<AeConfig, 'channels' | 'attentionChunks'> {
  if (a.channels == null && a.attention_chunks == null) return {};
  const channels = arr(a, 'channels', 'model.ae');
  if (channels.length < 2 || !channels.every((c) => Number.isInteger(c) && (c as number) > 0))
    throw new ManifestError('manifest: model.ae.channels must be two or more positive integers');
  return { channels: channels as number[], attentionChunks: num(a, 'attention_chunks', 'model.ae') };
}

function parseAccuracyLevel(v: unknown, weights: Manifest['weights']): AccuracyLevel | undefined {
  if (v == null) return undefined;
  if (weights !== 'int4') throw new ManifestError('manifest: accuracy_level is for int4 bundles only');
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 4)
    throw new ManifestError(`manifest: accuracy_level must be an integer 0–4, got ${JSON.stringify(v)}`);
  return v as AccuracyLevel;
}

function sha256Of(o: Json, at: string): string {
  const sha256 = str(o, 'sha256', at);
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new ManifestError(`manifest: ${at}.sha256 must be 64 lowercase hex digits`);
  return sha256;
}

function parseLoras(v: unknown): BundleLora[] {
  if (v == null) return [];
  if (!Array.isArray(v)) throw new ManifestError('manifest: loras must be an array');
  return v.map((l, i) => {
    const o = obj(l, `loras[${i}]`);
    const strength = num(o, 'strength', `loras[${i}]`, { int: false, min: -Infinity });
    return { name: str(o, 'name', `loras[${i}]`), sha256: sha256Of(o, `loras[${i}]`), strength };
  });
}

function parseTokenizer(v: unknown, at: string): TokenizerFiles {
  const o = obj(v, at);
  return { json: str(o, 'json', at), config: str(o, 'config', at) };
}

function parseGraph(v: unknown, at: string): GraphFiles {
  const o = obj(v, at);
  return {
    graph: str(o, 'graph', at),
    data: arr(o, 'data', at).map((d, i) => {
      if (typeof d !== 'string') throw new ManifestError(`manifest: ${at}.data[${i}] must be a string`);
      return d;
    }),
  };
}

/**
 * Validates manifest.json (already JSON-parsed) and converts it to camelCase types.
 * @throws ManifestError naming the first bad field; an unknown format version is refused, not guessed.
 */
export function parseManifest(json: unknown): Manifest {
  const root = obj(json, 'root');
  if (root.format !== MANIFEST_FORMAT)
    throw new ManifestError(`manifest: not a Kontext bundle (format is ${JSON.stringify(root.format)})`);
  const version = num(root, 'format_version', 'root');
  if (version !== MANIFEST_VERSION) {
    throw new ManifestError(
      `manifest: format version ${version} is not supported (this app reads version ${MANIFEST_VERSION})`,
    );
  }
  const weights = root.weights;
  if (weights !== 'fp32' && weights !== 'fp16' && weights !== 'int4')
    throw new ManifestError(`manifest: weights must be fp32, fp16 or int4`);

  const accuracyLevel = parseAccuracyLevel(root.accuracy_level, weights);

  const m = obj(root.model, 'model');
  const d = obj(m.dit, 'model.dit');
  const axes = arr(d, 'axes_dim', 'model.dit');
  if (axes.length !== 3 || !axes.every((a) => Number.isInteger(a) && (a as number) > 0 && (a as number) % 2 === 0)) {
    throw new ManifestError('manifest: model.dit.axes_dim must be three positive even integers');
  }
  const dit: DitConfig = {
    hiddenSize: num(d, 'hidden_size', 'model.dit'),
    numHeads: num(d, 'num_heads', 'model.dit'),
    depth: num(d, 'depth', 'model.dit', { min: 0 }),
    depthSingleBlocks: num(d, 'depth_single_blocks', 'model.dit', { min: 0 }),
    axesDim: axes as [number, number, number],
    theta: num(d, 'theta', 'model.dit', { int: false }),
    inChannels: num(d, 'in_channels', 'model.dit'),
    contextInDim: num(d, 'context_in_dim', 'model.dit'),
    vecInDim: num(d, 'vec_in_dim', 'model.dit'),
    mlpRatio: num(d, 'mlp_ratio', 'model.dit', { int: false }),
    guidanceEmbed: d.guidance_embed === true,
  };
  const headDim = dit.hiddenSize / dit.numHeads;
  if (!Number.isInteger(headDim) || axes.reduce((s: number, a) => s + (a as number), 0) !== headDim) {
    throw new ManifestError(`manifest: model.dit.axes_dim must sum to the head size ${headDim}`);
  }
  const t = obj(m.t5, 'model.t5');
  const c = obj(m.clip, 'model.clip');
  const a = obj(m.ae, 'model.ae');
  const model: ModelConfig = {
    dit,
    t5: {
      dModel: num(t, 'd_model', 'model.t5'),
      numLayers: num(t, 'num_layers', 'model.t5'),
      numHeads: num(t, 'num_heads', 'model.t5'),
      vocabSize: num(t, 'vocab_size', 'model.t5'),
      maxLength: num(t, 'max_length', 'model.t5'),
    },
    clip: {
      hiddenSize: num(c, 'hidden_size', 'model.clip'),
      numLayers: num(c, 'num_layers', 'model.clip'),
      numHeads: num(c, 'num_heads', 'model.clip'),
      vocabSize: num(c, 'vocab_size', 'model.clip'),
      maxLength: num(c, 'max_length', 'model.clip'),
    },
    ae: {
      zChannels: num(a, 'z_channels', 'model.ae'),
      spatialFactor: num(a, 'spatial_factor', 'model.ae'),
      scaleFactor: num(a, 'scale_factor', 'model.ae', { int: false, min: 0 }),
      shiftFactor: num(a, 'shift_factor', 'model.ae', { int: false, min: -Infinity }),
      ...parseAeShape(a),
    },
    patchSize: num(m, 'patch_size', 'model'),
  };
  if (dit.inChannels !== model.ae.zChannels * model.patchSize ** 2) {
    throw new ManifestError(
      `manifest: model.dit.in_channels (${dit.inChannels}) must equal z_channels × patch_size² (${model.ae.zChannels * model.patchSize ** 2})`,
    );
  }

  const s = obj(root.sampling, 'sampling');
  const step = model.ae.spatialFactor * model.patchSize;
  const resolutions = arr(s, 'resolutions', 'sampling').map((r, i) => {
    if (!Array.isArray(r) || r.length !== 2 || !r.every((v) => Number.isInteger(v) && v > 0 && v % step === 0)) {
      throw new ManifestError(`manifest: sampling.resolutions[${i}] must be [width, height], multiples of ${step}`);
    }
    return [r[0], r[1]] as [number, number];
  });
  if (resolutions.length === 0) throw new ManifestError('manifest: sampling.resolutions is empty');
  const sampling: SamplingConfig = {
    defaultSteps: jobNum(s, 'default_steps', JOB_LIMITS.steps),
    defaultGuidance: jobNum(s, 'default_guidance', JOB_LIMITS.guidance),
    defaultAverage: s.default_average === undefined ? 1 : jobNum(s, 'default_average', JOB_LIMITS.average),
    baseShift: num(s, 'base_shift', 'sampling', { int: false, min: -Infinity }),
    maxShift: num(s, 'max_shift', 'sampling', { int: false, min: -Infinity }),
    baseSeqLen: num(s, 'base_seq_len', 'sampling'),
    maxSeqLen: num(s, 'max_seq_len', 'sampling'),
    resolutions,
  };

  const comp = obj(root.components, 'components');
  const ditSegments = arr(comp, 'dit', 'components').map((g, i) => parseGraph(g, `components.dit[${i}]`));
  if (ditSegments.length === 0) throw new ManifestError('manifest: components.dit has no segments');
  const components: Components = {
    dit: ditSegments,
    t5: parseGraph(comp.t5, 'components.t5'),
    clip: parseGraph(comp.clip, 'components.clip'),
    aeEncoder: parseGraph(comp.ae_encoder, 'components.ae_encoder'),
    aeDecoder: parseGraph(comp.ae_decoder, 'components.ae_decoder'),
    aeDecoderStages: parseAeDecoderStages(comp.ae_decoder_stages, parseGraph, (message) => {
      throw new ManifestError(message);
    }),
    previewDecoder:
      comp.preview_decoder == null ? null : parseGraph(comp.preview_decoder, 'components.preview_decoder'),
    t5Tokenizer: parseTokenizer(comp.t5_tokenizer, 'components.t5_tokenizer'),
    clipTokenizer: parseTokenizer(comp.clip_tokenizer, 'components.clip_tokenizer'),
  };

  const roles = getFileRoles(components);
  const files = arr(root, 'files', 'root').map((f, i) => {
    const o = obj(f, `files[${i}]`);
    const sha256 = sha256Of(o, `files[${i}]`);
    const path = str(o, 'path', `files[${i}]`);
    if (o.role != null && o.role !== roles.get(path)) {
      throw new ManifestError(
        `manifest: files[${i}].role is ${JSON.stringify(o.role)}, but the components use "${path}" as ${roles.get(path) ?? 'nothing'}`,
      );
    }
    return { path, bytes: num(o, 'bytes', `files[${i}]`, { min: 0 }), sha256 };
  });
  const listed = new Set(files.map((f) => f.path));
  const unlisted = [...roles.keys()].find((p) => !listed.has(p));
  if (unlisted) throw new ManifestError(`manifest: components reference "${unlisted}", which is not in files`);

  return {
    formatVersion: version,
    id: str(root, 'id', 'root'),
    name: str(root, 'name', 'root'),
    weights,
    ...(accuracyLevel === undefined ? {} : { accuracyLevel }),
    precision: parseManifestPrecision(root.precision, weights),
    memoryTight: root.memory_tight === true,
    ditFirstBlockCache: parseFirstBlockCache(root.dit_first_block_cache, components.dit.length),
    ditBatch: parseFlag(root.dit_batch, 'dit_batch'),
    previewRgb: parsePreviewRgb(root.preview_rgb, model.ae.zChannels),
    domain: parseDomain(root.domain, (message) => {
      throw new ManifestError(message);
    }),
    loras: parseLoras(root.loras),
    model,
    sampling,
    components,
    files,
  };
}

/** An optional true/false field (absent: false). */
function parseFlag(v: unknown, name: string): boolean {
  if (v == null || v === false) return false;
  if (v !== true) throw new ManifestError(`manifest: ${name} must be true or false, got ${JSON.stringify(v)}`);
  return true;
}

/** `dit_first_block_cache`: a flag that needs the first block, at least one more segment and the head. */
function parseFirstBlockCache(v: unknown, segments: number): boolean {
  if (!parseFlag(v, 'dit_first_block_cache')) return false;
  if (segments < 3)
    throw new ManifestError(`manifest: dit_first_block_cache needs at least 3 DiT segments, got ${segments}`);
  return true;
}

function parseManifestPrecision(v: unknown, weights: Manifest['weights']): BundlePrecision {
  try {
    return parsePrecision(v, weights);
  } catch (e) {
    throw new ManifestError(`manifest: ${(e as Error).message}`);
  }
}
