/**
 * @file The diffusers layout of FLUX (`transformer/` = FluxTransformer2DModel, `vae/` = AutoencoderKL)
 * mapped onto BFL's names, the inverse of diffusers' convert_flux_to_diffusers: q/k/v (and the single
 * blocks' MLP input) are stacked back into qkv / linear1, the final norm's [scale, shift] is swapped back
 * to [shift, scale], the VAE's up blocks are numbered from the top and its attention Linears become 1×1
 * convolutions. Pure TypeScript.
 */
import type { NameRule } from './renamedSource';

/** Tensor-name prefixes that mark each layout. */
export const DIFFUSERS_DIT_MARK = 'single_transformer_blocks.';
export const DIFFUSERS_VAE_MARK = 'decoder.up_blocks.';

const countBlocks = (names: readonly string[], prefix: string): number =>
  names.reduce((n, name) => {
    const m = name.startsWith(prefix) ? /^(\d+)\./.exec(name.slice(prefix.length)) : null;
    return m ? Math.max(n, Number(m[1]) + 1) : n;
  }, 0);

/** Rules for a weight and its bias. */
function linear(rules: NameRule[], bfl: string, parts: string[], swapHalves = false): void {
  for (const s of ['weight', 'bias'])
    rules.push({ name: `${bfl}.${s}`, parts: parts.map((p) => `${p}.${s}`), swapHalves });
}

/** BFL DiT names from the diffusers transformer's tensor names (block counts read from them). */
export function planDiffusersDit(names: readonly string[]): NameRule[] {
  const rules: NameRule[] = [];
  linear(rules, 'img_in', ['x_embedder']);
  linear(rules, 'txt_in', ['context_embedder']);
  const embedders = [
    ['time_in', 'timestep_embedder'],
    ['vector_in', 'text_embedder'],
    ['guidance_in', 'guidance_embedder'],
  ] as const;
  for (const [bfl, d] of embedders) {
    if (d === 'guidance_embedder' && !names.some((n) => n.includes('guidance_embedder.'))) continue;
    linear(rules, `${bfl}.in_layer`, [`time_text_embed.${d}.linear_1`]);
    linear(rules, `${bfl}.out_layer`, [`time_text_embed.${d}.linear_2`]);
  }
  for (let i = 0; i < countBlocks(names, 'transformer_blocks.'); i++) {
    const b = `double_blocks.${i}`;
    const d = `transformer_blocks.${i}`;
    linear(rules, `${b}.img_mod.lin`, [`${d}.norm1.linear`]);
    linear(rules, `${b}.txt_mod.lin`, [`${d}.norm1_context.linear`]);
    linear(
      rules,
      `${b}.img_attn.qkv`,
      ['to_q', 'to_k', 'to_v'].map((m) => `${d}.attn.${m}`),
    );
    linear(
      rules,
      `${b}.txt_attn.qkv`,
      ['add_q_proj', 'add_k_proj', 'add_v_proj'].map((m) => `${d}.attn.${m}`),
    );
    linear(rules, `${b}.img_attn.proj`, [`${d}.attn.to_out.0`]);
    linear(rules, `${b}.txt_attn.proj`, [`${d}.attn.to_add_out`]);
    linear(rules, `${b}.img_mlp.0`, [`${d}.ff.net.0.proj`]);
    linear(rules, `${b}.img_mlp.2`, [`${d}.ff.net.2`]);
    linear(rules, `${b}.txt_mlp.0`, [`${d}.ff_context.net.0.proj`]);
    linear(rules, `${b}.txt_mlp.2`, [`${d}.ff_context.net.2`]);
    const norms = [
      ['img_attn.norm.query_norm', 'attn.norm_q'],
      ['img_attn.norm.key_norm', 'attn.norm_k'],
      ['txt_attn.norm.query_norm', 'attn.norm_added_q'],
      ['txt_attn.norm.key_norm', 'attn.norm_added_k'],
    ];
    for (const [bfl, dn] of norms) rules.push({ name: `${b}.${bfl}.scale`, parts: [`${d}.${dn}.weight`] });
  }
  for (let i = 0; i < countBlocks(names, DIFFUSERS_DIT_MARK); i++) {
    const b = `single_blocks.${i}`;
    const d = `${DIFFUSERS_DIT_MARK}${i}`;
    linear(rules, `${b}.modulation.lin`, [`${d}.norm.linear`]);
    linear(rules, `${b}.linear1`, [...['to_q', 'to_k', 'to_v'].map((m) => `${d}.attn.${m}`), `${d}.proj_mlp`]);
    linear(rules, `${b}.linear2`, [`${d}.proj_out`]);
    rules.push({ name: `${b}.norm.query_norm.scale`, parts: [`${d}.attn.norm_q.weight`] });
    rules.push({ name: `${b}.norm.key_norm.scale`, parts: [`${d}.attn.norm_k.weight`] });
  }
  linear(rules, 'final_layer.adaLN_modulation.1', ['norm_out.linear'], true);
  linear(rules, 'final_layer.linear', ['proj_out']);
  return rules;
}

/** Diffusers' names of the mid-block attention (current, then pre-0.14 names) → BFL's 1×1 convolutions. */
const VAE_ATTENTION: Readonly<Record<string, string>> = {
  to_q: 'q',
  to_k: 'k',
  to_v: 'v',
  'to_out.0': 'proj_out',
  query: 'q',
  key: 'k',
  value: 'v',
  proj_attn: 'proj_out',
};

/**
 * BFL autoencoder names for a diffusers AutoencoderKL's tensors (shapes needed for the 1×1 reshape).
 * Names it does not know keep their own, so the AE converter reports them.
 */
export function planDiffusersVae(tensors: readonly { name: string; shape: number[] }[]): NameRule[] {
  const ups = countBlocks(
    tensors.map((t) => t.name),
    DIFFUSERS_VAE_MARK,
  );
  return tensors.map(({ name, shape }) => {
    const rule = (to: string, reshape = false): NameRule => ({
      name: to,
      parts: [name],
      ...(reshape && shape.length === 2 ? { shape: [...shape, 1, 1] } : {}),
    });
    const resnet = (s: string) => s.replace('conv_shortcut', 'nin_shortcut');
    let m = /^(encoder|decoder)\.mid_block\.resnets\.([01])\.(.*)$/.exec(name);
    if (m) return rule(`${m[1]}.mid.block_${Number(m[2]) + 1}.${resnet(m[3]!)}`);
    m = /^(encoder|decoder)\.mid_block\.attentions\.0\.(.*)\.(weight|bias)$/.exec(name);
    if (m) {
      if (m[2] === 'group_norm') return rule(`${m[1]}.mid.attn_1.norm.${m[3]}`);
      const to = VAE_ATTENTION[m[2]!];
      if (to) return rule(`${m[1]}.mid.attn_1.${to}.${m[3]}`, true);
    }
    m = /^encoder\.down_blocks\.(\d+)\.(resnets\.(\d+)|downsamplers\.0)\.(.*)$/.exec(name);
    if (m)
      return rule(
        m[3] !== undefined
          ? `encoder.down.${m[1]}.block.${m[3]}.${resnet(m[4]!)}`
          : `encoder.down.${m[1]}.downsample.${m[4]}`,
      );
    m = /^decoder\.up_blocks\.(\d+)\.(resnets\.(\d+)|upsamplers\.0)\.(.*)$/.exec(name);
    if (m) {
      const level = ups - 1 - Number(m[1]);
      return rule(
        m[3] !== undefined
          ? `decoder.up.${level}.block.${m[3]}.${resnet(m[4]!)}`
          : `decoder.up.${level}.upsample.${m[4]}`,
      );
    }
    m = /^(encoder|decoder)\.conv_norm_out\.(.*)$/.exec(name);
    if (m) return rule(`${m[1]}.norm_out.${m[2]}`);
    return rule(name);
  });
}
