/**
 * @file The input of the converter: a folder laid out like black-forest-labs/FLUX.1-Kontext-dev. This
 * module only finds and checks the files; the component converters read them.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Bad converter input; the message names the file. */
export class ConvertError extends Error {}

/** Optional `kontext_bundle.json` beside the weights: what the checkpoint cannot say about itself. */
export interface BundleSidecar {
  id?: string;
  name?: string;
  default_steps?: number;
  default_guidance?: number;
  /** Denoising runs averaged into one edit (manifest sampling.default_average); 1 when absent. */
  default_average?: number;
  t5_max_length?: number;
  clip_max_length?: number;
  resolutions?: [number, number][];
  /** The images the model was made for (manifest `domain`, workers/bundle/domain.ts); absent: any image. */
  domain?: unknown;
}

export interface ModelFolder {
  dir: string;
  dit: string;
  ae: string;
  clipDir: string;
  clipConfig: Record<string, unknown>;
  t5Dir: string;
  t5Config: Record<string, unknown>;
  /** CLIP's tokenizer: a ready tokenizer.json, or vocab.json + merges.txt to build one from. */
  clipTokenizer: { json: string; config: string } | { vocab: string; merges: string; config: string };
  t5Tokenizer: { json: string; config: string };
  sidecar: BundleSidecar;
}

function need(path: string, what: string): string {
  if (!existsSync(path)) throw new ConvertError(`${path}: missing (${what})`);
  return path;
}

function readJson(path: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConvertError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConvertError(`${path}: expected a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * Finds every file of the official layout in `dir`.
 * @throws ConvertError naming the first missing or unreadable file.
 */
export function readModelFolder(dir: string): ModelFolder {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ConvertError(`${dir}: not a folder`);
  const clipDir = need(join(dir, 'text_encoder'), 'the CLIP text encoder folder');
  const t5Dir = need(join(dir, 'text_encoder_2'), 'the T5 encoder folder');
  const tokDir = need(join(dir, 'tokenizer'), "CLIP's tokenizer folder");
  const tok2Dir = need(join(dir, 'tokenizer_2'), "T5's tokenizer folder");
  const clipTokenizerConfig = need(join(tokDir, 'tokenizer_config.json'), "CLIP's tokenizer config");
  const sidecarPath = join(dir, 'kontext_bundle.json');
  return {
    dir,
    dit: need(join(dir, 'flux1-kontext-dev.safetensors'), 'the DiT weights'),
    ae: need(join(dir, 'ae.safetensors'), 'the autoencoder weights'),
    clipDir,
    clipConfig: readJson(need(join(clipDir, 'config.json'), "CLIP's config")),
    t5Dir,
    t5Config: readJson(need(join(t5Dir, 'config.json'), "T5's config")),
    clipTokenizer: existsSync(join(tokDir, 'tokenizer.json'))
      ? { json: join(tokDir, 'tokenizer.json'), config: clipTokenizerConfig }
      : {
          vocab: need(join(tokDir, 'vocab.json'), "CLIP's vocabulary"),
          merges: need(join(tokDir, 'merges.txt'), "CLIP's merges"),
          config: clipTokenizerConfig,
        },
    t5Tokenizer: {
      json: need(join(tok2Dir, 'tokenizer.json'), "T5's tokenizer"),
      config: need(join(tok2Dir, 'tokenizer_config.json'), "T5's tokenizer config"),
    },
    sidecar: existsSync(sidecarPath) ? readJson(sidecarPath) : {},
  };
}
