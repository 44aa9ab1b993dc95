/**
 * @file Which DiT weight rows a LoRA module adapts, under each of the three names people's files use:
 * BFL's own Linear names (`double_blocks.0.img_attn.qkv`), kohya's (the same with dots as underscores) and
 * diffusers' (`transformer_blocks.0.attn.to_q`, from the diffusers-layout input's own map). Diffusers splits BFL's
 * fused layers, so its q/k/v (and the single blocks' MLP input) land on row slices of one BFL weight. Pure: built
 * from the config alone.
 */
import type { DitConfig } from '../../../workers/bundle/manifest';
import { getDitTensorShapes } from '../graphs/ditConfig';
import { planDiffusersDit } from '../inputs/diffusersNames';

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
  for (const rule of planDiffusersDit(getDiffusersBlockNames(config))) {
    const layer = linears.get(rule.name.slice(0, -'.weight'.length));
    if (!rule.name.endsWith('.weight') || !layer) continue;
    let rowOffset = 0;
    rule.parts.forEach((part, k) => {
      // diffusers splits a fused layer into hidden-size q, k, v and (linear1) the MLP input, which takes the rest
      const rows = k === rule.parts.length - 1 ? layer.out - rowOffset : config.hiddenSize;
      const module = part.slice(0, -'.weight'.length);
      diffusers.set(module, {
        weight: rule.name,
        rowOffset,
        rows,
        inFeatures: layer.inp,
        swapHalves: !!rule.swapHalves,
      });
      rowOffset += rows;
    });
  }
  return { bfl, kohya, diffusers };
}

/** Names enough for planDiffusersDit, which reads the block counts and the guidance embedder off a checkpoint's names. */
function getDiffusersBlockNames(c: DitConfig): string[] {
  return [
    ...Array.from({ length: c.depth }, (_, i) => `transformer_blocks.${i}.`),
    ...Array.from({ length: c.depthSingleBlocks }, (_, j) => `single_transformer_blocks.${j}.`),
    ...(c.guidanceEmbed ? ['time_text_embed.guidance_embedder.'] : []),
  ];
}
