/**
 * @file The input of the converter: a folder as people have it — the official FLUX.1-Kontext-dev folder
 * (BFL single files or its diffusers transformer/ and vae/), a ComfyUI models folder (diffusion_models/,
 * text_encoders/, vae/ or all files side by side), fp8 files, a GGUF DiT. Checkpoints are found by the
 * tensors inside (inputs/layout.ts) in the folder and its direct subfolders; tokenizers must be in
 * tokenizer/ and tokenizer_2/. This module only finds and checks the files; inputs/openInputs.ts opens them.
 */
import { getDirName, joinPath as join, readText, type InputFolder } from '../io/inputFolder';
import { chooseComponents, type Candidate, type Component } from '../inputs/layout';
import { readCandidate } from './readCandidate';

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

/** One component's checkpoint and the config.json beside it (null: infer it from the tensors). */
export interface ComponentInput extends Candidate {
  config: Record<string, unknown> | null;
}

export interface ModelFolder {
  dir: string;
  components: Record<Component, ComponentInput>;
  /** CLIP's tokenizer: a ready tokenizer.json, or vocab.json + merges.txt to build one from. */
  clipTokenizer: { json: string; config: string } | { vocab: string; merges: string; config: string };
  t5Tokenizer: { json: string; config: string };
  sidecar: BundleSidecar;
}

const OFFICIAL_REPO = 'https://huggingface.co/black-forest-labs/FLUX.1-Kontext-dev/tree/main';

/** Reads a JSON object file of the input. */
async function readJsonObject(files: InputFolder, path: string): Promise<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(await readText(files, path));
  } catch (e) {
    throw new ConvertError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConvertError(`${path}: expected a JSON object`);
  return value as Record<string, unknown>;
}

/** Checkpoint paths in `dir` and its direct subfolders: a folder with a shard index counts as one. */
function listCheckpoints(files: InputFolder, dir: string): { path: string; container: 'safetensors' | 'gguf' }[] {
  const isDir = (p: string) => files.isDir(p);
  const found: { path: string; container: 'safetensors' | 'gguf' }[] = [];
  const visit = (folder: string, depth: number) => {
    const entries = files
      .list(folder)
      .filter((e) => !e.startsWith('.'))
      .sort();
    if (depth > 0 && entries.some((e) => e.endsWith('.safetensors.index.json'))) {
      found.push({ path: folder, container: 'safetensors' });
      return;
    }
    for (const e of entries) {
      const p = join(folder, e);
      if (e.endsWith('.safetensors') && !isDir(p)) found.push({ path: p, container: 'safetensors' });
      else if (e.endsWith('.gguf') && !isDir(p)) found.push({ path: p, container: 'gguf' });
      else if (depth === 0 && isDir(p)) visit(p, 1);
    }
  };
  visit(dir, 0);
  return found;
}

/** The tokenizer files, or one message naming every missing file and where the official repository keeps it. */
function findTokenizers(files: InputFolder, dir: string): Pick<ModelFolder, 'clipTokenizer' | 't5Tokenizer'> {
  const tok = join(dir, 'tokenizer');
  const tok2 = join(dir, 'tokenizer_2');
  const has = (p: string) => files.exists(p);
  const missing: string[] = [];
  const clipConfig = join(tok, 'tokenizer_config.json');
  const clipJson = join(tok, 'tokenizer.json');
  const clipFiles = has(clipJson) ? [clipConfig] : [join(tok, 'vocab.json'), join(tok, 'merges.txt'), clipConfig];
  if (clipFiles.some((f) => !has(f)))
    missing.push(
      `CLIP's tokenizer: ${clipFiles.filter((f) => !has(f)).join(', ')} — the files vocab.json, merges.txt and ` +
        `tokenizer_config.json of the tokenizer/ folder of ${OFFICIAL_REPO}/tokenizer`,
    );
  const t5Files = [join(tok2, 'tokenizer.json'), join(tok2, 'tokenizer_config.json')];
  if (t5Files.some((f) => !has(f)))
    missing.push(
      `T5's tokenizer: ${t5Files.filter((f) => !has(f)).join(', ')} — the files tokenizer.json and ` +
        `tokenizer_config.json of the tokenizer_2/ folder of ${OFFICIAL_REPO}/tokenizer_2 (spiece.model alone is not enough)`,
    );
  if (missing.length > 0)
    throw new ConvertError(
      `${dir}: tokenizer files are missing (ComfyUI keeps its tokenizers inside its code, not in the models folder):\n  ` +
        missing.join('\n  '),
    );
  return {
    clipTokenizer: has(clipJson)
      ? { json: clipJson, config: clipConfig }
      : { vocab: join(tok, 'vocab.json'), merges: join(tok, 'merges.txt'), config: clipConfig },
    t5Tokenizer: { json: t5Files[0]!, config: t5Files[1]! },
  };
}

/**
 * Finds the four checkpoints, their configs, the tokenizers and the sidecar in the root of `files`.
 * @throws ConvertError naming the missing, ambiguous or unreadable files.
 */
export async function readModelFolder(files: InputFolder): Promise<ModelFolder> {
  const dir = files.dir;
  if (!files.exists(dir) || !files.isDir(dir)) throw new ConvertError(`${dir}: not a folder`);
  const tokenizers = findTokenizers(files, dir);
  const candidates: Candidate[] = [];
  for (const c of listCheckpoints(files, dir)) {
    const found = await readCandidate(files, c.path, c.container);
    if (found) candidates.push(found);
  }
  let chosen: Record<Component, Candidate>;
  try {
    chosen = chooseComponents(dir, candidates);
  } catch (e) {
    throw new ConvertError((e as Error).message);
  }
  const withConfig = async (c: Candidate): Promise<ComponentInput> => {
    const folder = files.isDir(c.path) ? c.path : getDirName(c.path);
    const config = join(folder, 'config.json');
    return { ...c, config: folder !== dir && files.exists(config) ? await readJsonObject(files, config) : null };
  };
  const sidecarPath = join(dir, 'kontext_bundle.json');
  return {
    dir,
    components: {
      dit: await withConfig(chosen.dit),
      ae: await withConfig(chosen.ae),
      t5: await withConfig(chosen.t5),
      clip: await withConfig(chosen.clip),
    },
    ...tokenizers,
    sidecar: files.exists(sidecarPath) ? await readJsonObject(files, sidecarPath) : {},
  };
}
