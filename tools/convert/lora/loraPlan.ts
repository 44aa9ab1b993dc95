/**
 * @file Reads a LoRA file's tensor names and shapes (no data) into adapters on DiT weights, in any of the three
 * key formats:
 * - BFL: `<BFL linear>.lora_A.weight` [r, in], `.lora_B.weight` [out, r], optional `.lora_B.bias` [out] and
 *   `.alpha`; ComfyUI saves the same keys under `diffusion_model.`;
 * - diffusers / PEFT: `transformer.<diffusers module>.lora_A.weight` / `.lora_B.weight` (`.lora_B.bias`,
 *   `.alpha` optional);
 * - kohya / ComfyUI: `lora_unet_<BFL linear, dots as underscores>.lora_down.weight` / `.lora_up.weight` / `.alpha`.
 * Every key must land somewhere: a key that matches no DiT layer, or a shape that does not fit its layer, is an
 * error naming the key, so nothing of a LoRA is silently dropped. Pure.
 */
import type { LoraFormat, LoraTarget, LoraTargetTables } from './loraTargets';

/** A LoRA that cannot be merged into this DiT; the message names the file and the key. */
export class LoraError extends Error {
  override name = 'LoraError';
}

/** What the plan needs of a LoRA file: names and shapes. */
export interface LoraTensorInfo {
  name: string;
  shape: readonly number[];
}

/** One low-rank update: weight rows += scale · up · down, scale = strength · alpha / rank. */
export interface LoraAdapter {
  /** The module as the file names it, for messages. */
  module: string;
  format: LoraFormat;
  /** Tensor names in the LoRA file. */
  down: string;
  up: string;
  bias?: string;
  alpha?: string;
  rank: number;
  target: LoraTarget;
}

type Part = 'down' | 'up' | 'bias' | 'alpha';

interface KeyRule {
  format: LoraFormat;
  prefix: string;
  parts: Record<string, Part>;
}

const PEFT_PARTS: Record<string, Part> = {
  '.lora_A.weight': 'down',
  '.lora_B.weight': 'up',
  '.lora_B.bias': 'bias',
  '.alpha': 'alpha',
};

/** Tried in order; a key without a prefix is tried as a BFL name, then as a diffusers name. */
const RULES: KeyRule[] = [
  {
    format: 'kohya',
    prefix: 'lora_unet_',
    parts: { '.lora_down.weight': 'down', '.lora_up.weight': 'up', '.alpha': 'alpha' },
  },
  { format: 'diffusers', prefix: 'transformer.', parts: PEFT_PARTS },
  { format: 'bfl', prefix: 'diffusion_model.', parts: PEFT_PARTS },
  { format: 'bfl', prefix: '', parts: PEFT_PARTS },
  { format: 'diffusers', prefix: '', parts: PEFT_PARTS },
];

const TEXT_ENCODER_PREFIXES = ['lora_te', 'text_encoder', 'lora_te1_', 'lora_te2_'];

/**
 * Groups the file's keys into adapters and checks every shape against the DiT.
 * @param label the file, for messages
 * @throws LoraError naming the file and the first key that matches nothing, misses its partner or misfits.
 */
export function planLora(label: string, tensors: readonly LoraTensorInfo[], tables: LoraTargetTables): LoraAdapter[] {
  const fail = (msg: string): never => {
    throw new LoraError(`${label}: ${msg}`);
  };
  if (tensors.length === 0) fail('holds no tensors');
  const groups = new Map<string, { module: string; target: LoraTarget; format: LoraFormat; keys: Map<Part, string> }>();
  for (const { name } of tensors) {
    const hit = matchKey(name, tables);
    if (!hit) {
      const hint = TEXT_ENCODER_PREFIXES.some((p) => name.startsWith(p))
        ? ' (it adapts a text encoder; only the DiT can be merged)'
        : ' (expected BFL `<layer>.lora_A.weight`, diffusers `transformer.<module>.lora_A.weight` or kohya `lora_unet_<layer>.lora_down.weight` names of this DiT)';
      fail(`key '${name}' matches no layer of the DiT${hint}`);
    }
    const { format, module, target, part } = hit!;
    const id = `${format}:${module}`;
    const group = groups.get(id) ?? { module, target, format, keys: new Map<Part, string>() };
    groups.set(id, group);
    if (group.keys.has(part)) fail(`keys '${group.keys.get(part)}' and '${name}' are the same tensor of ${module}`);
    group.keys.set(part, name);
  }
  const shapes = new Map(tensors.map((t) => [t.name, t.shape]));
  return [...groups.values()].map(({ module, target, format, keys }) => {
    const down = keys.get('down') ?? fail(`${module} has no down/A tensor (only ${[...keys.values()].join(', ')})`);
    const up = keys.get('up') ?? fail(`${module} has no up/B tensor (only ${[...keys.values()].join(', ')})`);
    const [rank, inp, ...restDown] = shapes.get(down)!;
    const [rows, upRank, ...restUp] = shapes.get(up)!;
    const where = `${module} (${target.weight} rows ${target.rowOffset}…${target.rowOffset + target.rows - 1})`;
    if (restDown.length > 0 || rank === undefined || inp !== target.inFeatures || rank < 1)
      fail(`'${down}' has shape [${shapes.get(down)}], ${where} needs [rank, ${target.inFeatures}]`);
    if (restUp.length > 0 || rows !== target.rows || upRank !== rank)
      fail(`'${up}' has shape [${shapes.get(up)}], ${where} with rank ${rank} needs [${target.rows}, ${rank}]`);
    const bias = keys.get('bias');
    if (bias !== undefined && shapes.get(bias)!.join() !== String(target.rows))
      fail(`'${bias}' has shape [${shapes.get(bias)}], ${where} needs [${target.rows}]`);
    const alpha = keys.get('alpha');
    if (alpha !== undefined && shapes.get(alpha)!.reduce((a, b) => a * b, 1) !== 1)
      fail(`'${alpha}' has shape [${shapes.get(alpha)}], an alpha is one number`);
    return { module, format, down, up, bias, alpha, rank: rank!, target };
  });
}

function matchKey(
  name: string,
  tables: LoraTargetTables,
): { format: LoraFormat; module: string; target: LoraTarget; part: Part } | null {
  for (const rule of RULES) {
    if (!name.startsWith(rule.prefix)) continue;
    for (const [suffix, part] of Object.entries(rule.parts)) {
      if (!name.endsWith(suffix) || name.length <= rule.prefix.length + suffix.length) continue;
      const module = name.slice(rule.prefix.length, -suffix.length);
      const target = tables[rule.format].get(module);
      if (target) return { format: rule.format, module, target, part };
    }
  }
  return null;
}
