/**
 * @file Which file is which component, told by the tensor names inside rather than file names, so the
 * official folder, its diffusers folders, ComfyUI's model folders and GGUF files are all found: the DiT
 * (BFL names, diffusers names or GGUF), the autoencoder (BFL or diffusers), T5 and CLIP. Pure TypeScript.
 */
import { DIFFUSERS_DIT_MARK, DIFFUSERS_VAE_MARK } from './diffusersNames';

export type Component = 'dit' | 'ae' | 't5' | 'clip';
export type Naming = 'bfl' | 'diffusers' | 'hf';

/** A checkpoint found in the input: a file, or a folder of shards. */
export interface Candidate {
  path: string;
  container: 'safetensors' | 'gguf';
  component: Component;
  naming: Naming;
  /** Holds fp8 or quantised weights: a lossless copy beside it wins. */
  lossy: boolean;
}

/** The component a set of tensor names belongs to, or null for anything else (LoRAs, other models). */
export function classifyTensorNames(names: readonly string[]): { component: Component; naming: Naming } | null {
  const has = (prefix: string) => names.some((n) => n.startsWith(prefix));
  if (names.some((n) => /lora_|\.lora\.|lora_(down|up|A|B)\b/.test(n))) return null; // a LoRA, not a model
  if (has('double_blocks.') || has('single_blocks.')) return { component: 'dit', naming: 'bfl' };
  if (has(DIFFUSERS_DIT_MARK)) return { component: 'dit', naming: 'diffusers' };
  if (has(DIFFUSERS_VAE_MARK)) return { component: 'ae', naming: 'diffusers' };
  if (has('decoder.up.') && has('encoder.down.')) return { component: 'ae', naming: 'bfl' };
  if (has('encoder.block.')) return { component: 't5', naming: 'hf' };
  if (has('text_model.encoder.layers.')) return { component: 'clip', naming: 'hf' };
  return null;
}

const WHAT: Readonly<Record<Component, string>> = {
  dit: 'the DiT (flux1-kontext-dev.safetensors, a GGUF file or transformer/)',
  ae: 'the autoencoder (ae.safetensors or vae/)',
  t5: 'the T5 encoder (text_encoder_2/ or t5xxl_*.safetensors)',
  clip: 'the CLIP text encoder (text_encoder/ or clip_l.safetensors)',
};

/**
 * Picks one candidate per component: for the DiT a file named for Kontext first (a FLUX.1 [dev] DiT has
 * the same tensors), then lossless over fp8/GGUF, then BFL names over diffusers (the official folder has
 * both).
 * @throws Error listing the files when a component is missing or two are equally good.
 */
export function chooseComponents(dir: string, candidates: readonly Candidate[]): Record<Component, Candidate> {
  const rank = (c: Candidate) => [
    c.component === 'dit' && !/kontext/i.test(c.path) ? 1 : 0,
    c.lossy ? 1 : 0,
    c.naming === 'diffusers' ? 1 : 0,
  ];
  const compare = (a: Candidate, b: Candidate) => {
    const [ra, rb] = [rank(a), rank(b)];
    const i = ra.findIndex((v, k) => v !== rb[k]);
    return i < 0 ? 0 : ra[i]! - rb[i]!;
  };
  const pick = (component: Component): Candidate => {
    const list = candidates.filter((c) => c.component === component).sort(compare);
    if (list.length === 0) throw new Error(`${dir}: no checkpoint of ${WHAT[component]} found`);
    if (list.length > 1 && compare(list[0]!, list[1]!) === 0)
      throw new Error(
        `${dir}: ${list.length} checkpoints could be ${WHAT[component]}: ${list.map((c) => c.path).join(', ')}; keep one`,
      );
    return list[0]!;
  };
  return { dit: pick('dit'), ae: pick('ae'), t5: pick('t5'), clip: pick('clip') };
}
