/**
 * @file The DiT's blocks on a DitGraph (docs/kontext-spec.md §2.5–§2.7): double-stream blocks with
 * separate img/txt weights and one joint attention over [txt; img], single-stream parallel blocks
 * on the joint sequence, and the final adaLN layer (shift first).
 */
import { addSplit } from '../onnx/layers';
import type { Tuple } from '../tuple';
import { getMlpHidden } from './ditConfig';
import type { DitGraph } from './ditOps';

/** The two token streams [1, L, hidden]. */
export interface DitStreams {
  img: string;
  txt: string;
}

/** q, k (QK-normed) and v of one stream. */
interface Qkv {
  q: string;
  k: string;
  v: string;
}

/** One stream's half of a double block up to its qkv: modulate, qkv Linear, split, QK-norm. */
async function addStreamQkv(g: DitGraph, prefix: string, x: string, shift: string, scale: string): Promise<Qkv> {
  const qkv = await g.addLinear(`${prefix}_attn.qkv`, g.addModulate(x, shift, scale));
  const [q, k, v] = addSplit(g.b, [qkv], 3, { axis: -1, num_outputs: 3 }); // "(K H D)" layout
  return {
    q: await g.addQkNorm(q, `${prefix}_attn.norm.query_norm.scale`),
    k: await g.addQkNorm(k, `${prefix}_attn.norm.key_norm.scale`),
    v,
  };
}

/** One stream's residual updates after attention: x += gate1·proj(a); x += gate2·MLP(modulate(x)). */
async function addStreamUpdate(
  g: DitGraph,
  prefix: string,
  x: string,
  attn: string,
  mod: Tuple<string, 6>,
): Promise<string> {
  const [, , gate1, shift2, scale2, gate2] = mod;
  const afterAttn = g.addGated(x, gate1, await g.addLinear(`${prefix}_attn.proj`, attn));
  const hidden = g.addGelu(await g.addLinear(`${prefix}_mlp.0`, g.addModulate(afterAttn, shift2, scale2)));
  return g.addGated(afterAttn, gate2, await g.addLinear(`${prefix}_mlp.2`, hidden));
}

/** double_blocks.{i}: returns the updated streams. */
export async function addDoubleBlock(g: DitGraph, i: number, s: DitStreams, txtLen: string): Promise<DitStreams> {
  const p = `double_blocks.${i}`;
  const imgMod = await g.addModulation(`${p}.img_mod.lin`, 6);
  const txtMod = await g.addModulation(`${p}.txt_mod.lin`, 6);
  const img = await addStreamQkv(g, `${p}.img`, s.img, imgMod[0], imgMod[1]);
  const txt = await addStreamQkv(g, `${p}.txt`, s.txt, txtMod[0], txtMod[1]);
  const attn = g.addAttention(
    g.addConcatTokens(txt.q, img.q),
    g.addConcatTokens(txt.k, img.k),
    g.addConcatTokens(txt.v, img.v),
  );
  const parts = g.addSplitTokens(attn, txtLen);
  return {
    img: await addStreamUpdate(g, `${p}.img`, s.img, parts.img, imgMod),
    txt: await addStreamUpdate(g, `${p}.txt`, s.txt, parts.txt, txtMod),
  };
}

/** single_blocks.{j} on the joint sequence x [1, L_txt + L_img, hidden]. */
export async function addSingleBlock(g: DitGraph, j: number, x: string): Promise<string> {
  const p = `single_blocks.${j}`;
  const h = g.config.hiddenSize;
  const [shift, scale, gate] = await g.addModulation(`${p}.modulation.lin`, 3);
  const fused = await g.addLinear(`${p}.linear1`, g.addModulate(x, shift, scale));
  const sizes = g.getInt64(`split_single`, [h, h, h, getMlpHidden(g.config)]);
  const [q, k, v, mlp] = addSplit(g.b, [fused, sizes], 4, { axis: -1 });
  const attn = g.addAttention(
    await g.addQkNorm(q, `${p}.norm.query_norm.scale`),
    await g.addQkNorm(k, `${p}.norm.key_norm.scale`),
    v,
  );
  const joined = g.b.addOp('Concat', [attn, g.addGelu(mlp)], { axis: -1 });
  return g.addGated(x, gate, await g.addLinear(`${p}.linear2`, joined));
}

/** final_layer on the image tokens: Linear((1 + scale)·LN(img) + shift), (shift, scale) in BFL order. */
export async function addFinalLayer(g: DitGraph, img: string): Promise<string> {
  const mod = await g.addLinear('final_layer.adaLN_modulation.1', g.siluVec);
  const [shift, scale] = addSplit(g.b, [mod], 2, { axis: -1, num_outputs: 2 });
  return g.addLinear('final_layer.linear', g.addModulate(img, shift, scale));
}
