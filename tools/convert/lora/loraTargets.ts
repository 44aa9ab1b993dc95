/**
 * @file Which DiT weight rows a LoRA module adapts, under each of the three names people's files use:
 * BFL's own Linear names (`double_blocks.0.img_attn.qkv`), kohya's (the same with dots as underscores) and
 * diffusers' (`transformer_blocks.0.attn.to_q`). Diffusers splits BFL's fused layers, so its q/k/v (and the
 * single blocks' MLP input) land on row slices of one BFL weight. Pure: built from the config alone.
 */
import type { DitConfig } from '../../../workers/bundle/manifest';
import { getDitTensorShapes, getMlpHidden } from '../graphs/ditConfig';

/** The rows of one DiT Linear weight [out, in] that a LoRA module writes to. */
export interface LoraTarget {
  /** The weight tensor's name in the BFL checkpoint (`….weight`); its bias is `….bias`. */
  weight: string;
  rowOffset: number;
  rows: number;
  inFeatures: number;
  /**
   * Row i of the module is weight row rowOffset + (i + rows/2) mod rows: diffusers' norm_out emits
   * [scale, shift] where BFL's final_layer.adaLN_modulation.1 emits [shift, scale].
   */
  swapHalves: boolean;
}

export type LoraFormat = 'bfl' | 'diffusers' | 'kohya';

/** Module name → target, one table per key format. */
export type LoraTargetTables = Record<LoraFormat, ReadonlyMap<string, LoraTarget>>;

/** The three name tables for a DiT of this config. */
export function getLoraTargets(config: DitConfig): LoraTargetTables {
  const linears = new Map<string, { out: number; inp: number }>();
  for (const [name, shape] of getDitTensorShapes(config)) {
    if (name.endsWith('.weight') && shape.length === 2)
      linears.set(name.slice(0, -'.weight'.length), { out: shape[0]!, inp: shape[1]! });
  }
  const bfl = new Map<string, LoraTarget>();
  const kohya = new Map<string, LoraTarget>();
  for (const [name, { out, inp }] of linears) {
    const target = { weight: `${name}.weight`, rowOffset: 0, rows: out, inFeatures: inp, swapHalves: false };
    bfl.set(name, target);
    kohya.set(name.replaceAll('.', '_'), target);
  }
  const diffusers = new Map<string, LoraTarget>();
  const add = (module: string, layer: string, rowOffset = 0, rows?: number, swapHalves = false): void => {
    const l = linears.get(layer);
    if (!l) throw new Error(`LoRA targets bug: ${layer} is not a DiT Linear`);
    diffusers.set(module, {
      weight: `${layer}.weight`,
      rowOffset,
      rows: rows ?? l.out,
      inFeatures: l.inp,
      swapHalves,
    });
  };
  addDiffusersNames(add, config);
  return { bfl, kohya, diffusers };
}

type AddModule = (module: string, layer: string, rowOffset?: number, rows?: number, swapHalves?: boolean) => void;

/** diffusers' FluxTransformer2DModel module names against BFL's. */
function addDiffusersNames(add: AddModule, c: DitConfig): void {
  const h = c.hiddenSize;
  const m = getMlpHidden(c);
  add('x_embedder', 'img_in');
  add('context_embedder', 'txt_in');
  const embedders: [string, string][] = [
    ['time_in', 'timestep_embedder'],
    ['vector_in', 'text_embedder'],
  ];
  if (c.guidanceEmbed) embedders.push(['guidance_in', 'guidance_embedder']);
  for (const [bfl, hf] of embedders) {
    add(`time_text_embed.${hf}.linear_1`, `${bfl}.in_layer`);
    add(`time_text_embed.${hf}.linear_2`, `${bfl}.out_layer`);
  }
  for (let i = 0; i < c.depth; i++) {
    const b = `double_blocks.${i}`;
    const t = `transformer_blocks.${i}`;
    add(`${t}.norm1.linear`, `${b}.img_mod.lin`);
    add(`${t}.norm1_context.linear`, `${b}.txt_mod.lin`);
    ['q', 'k', 'v'].forEach((x, n) => {
      add(`${t}.attn.to_${x}`, `${b}.img_attn.qkv`, n * h, h);
      add(`${t}.attn.add_${x}_proj`, `${b}.txt_attn.qkv`, n * h, h);
    });
    add(`${t}.attn.to_out.0`, `${b}.img_attn.proj`);
    add(`${t}.attn.to_add_out`, `${b}.txt_attn.proj`);
    add(`${t}.ff.net.0.proj`, `${b}.img_mlp.0`);
    add(`${t}.ff.net.2`, `${b}.img_mlp.2`);
    add(`${t}.ff_context.net.0.proj`, `${b}.txt_mlp.0`);
    add(`${t}.ff_context.net.2`, `${b}.txt_mlp.2`);
  }
  for (let j = 0; j < c.depthSingleBlocks; j++) {
    const b = `single_blocks.${j}`;
    const t = `single_transformer_blocks.${j}`;
    ['q', 'k', 'v'].forEach((x, n) => add(`${t}.attn.to_${x}`, `${b}.linear1`, n * h, h));
    add(`${t}.proj_mlp`, `${b}.linear1`, 3 * h, m);
    add(`${t}.proj_out`, `${b}.linear2`);
    add(`${t}.norm.linear`, `${b}.modulation.lin`);
  }
  add('proj_out', 'final_layer.linear');
  add('norm_out.linear', 'final_layer.adaLN_modulation.1', 0, 2 * h, true);
}
