"""A random LoRA for the tiny DiT, written in the three key formats people have, plus the reference's velocity
with it applied.

  /usr/bin/python3 training/make_tiny_lora.py --seed 2 --model training/fixtures/tiny/model \
      --goldens training/fixtures/tiny/goldens --out training/fixtures/tiny/lora

The LoRA adapts every Linear of the DiT. It is defined the way diffusers trains it: the fused layers of BFL's
checkpoint are separate modules there (q, k, v of `img_attn.qkv`; q, k, v and the MLP input of
`single_blocks.N.linear1`), each with its own rank-2 adapter and alpha 1 (scale 1/2). Files (bf16 weights):

  lora_bfl.safetensors        `<BFL linear>.lora_A.weight` / `.lora_B.weight`, no alpha: fused layers carry the
                              pieces' A stacked and a block-diagonal B, with the 1/2 baked into B (exact in bf16)
  lora_diffusers.safetensors  `transformer.<diffusers module>.lora_A.weight` / `.lora_B.weight` / `.alpha`
  lora_kohya.safetensors      `lora_unet_<BFL linear, dots as underscores>.lora_down.weight` / `.lora_up.weight` /
                              `.alpha` (fused layers as in the BFL file, alpha = rank / 2)
  lora2_kohya.safetensors     a second, rank-1 LoRA on three layers (alpha 1/2), for stacking
  goldens.safetensors         velocity_lora: the `dit` goldens' inputs through the DiT with lora_bfl at
                              STRENGTH; velocity_two_loras: with lora2 at STRENGTH_2 on top (float64, stored fp32)

All three formats hold the same numbers, so a converter must merge them into identical weights.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kontext_ref.lora import apply_lora  # noqa: E402
from kontext_ref.model import FluxParams, run_dit  # noqa: E402
from kontext_ref.safetensors_io import load_file, save_file  # noqa: E402
from kontext_ref.util import load_dit  # noqa: E402

F64, BF16 = torch.float64, torch.bfloat16
STRENGTH, STRENGTH_2 = 0.75, -1.5
RANK = 2  # per diffusers module
LORA2_LAYERS = ("double_blocks.1.img_attn.qkv", "single_blocks.0.linear1", "img_in")


def dit_linears(p: FluxParams) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """(BFL linear, in features, [(diffusers module, rows)...] in BFL row order). A diffusers module named with a
    leading '~' holds its rows with the two halves swapped (diffusers' norm_out is [scale, shift], BFL's
    final_layer.adaLN_modulation.1 is [shift, scale])."""
    h, m = p.hidden_size, int(p.hidden_size * p.mlp_ratio)
    out = [("img_in", p.in_channels, [("x_embedder", h)]), ("txt_in", p.context_in_dim, [("context_embedder", h)])]
    embedders = [("time_in", "timestep_embedder", 256), ("vector_in", "text_embedder", p.vec_in_dim)]
    if p.guidance_embed:
        embedders.insert(1, ("guidance_in", "guidance_embedder", 256))
    for bfl, hf, inp in embedders:
        out += [(f"{bfl}.in_layer", inp, [(f"time_text_embed.{hf}.linear_1", h)]),
                (f"{bfl}.out_layer", h, [(f"time_text_embed.{hf}.linear_2", h)])]
    for i in range(p.depth):
        b, t = f"double_blocks.{i}", f"transformer_blocks.{i}"
        for s, norm, qkv, proj, ff in (("img", "norm1", ("to_q", "to_k", "to_v"), "to_out.0", "ff"),
                                       ("txt", "norm1_context", ("add_q_proj", "add_k_proj", "add_v_proj"),
                                        "to_add_out", "ff_context")):
            out += [(f"{b}.{s}_mod.lin", h, [(f"{t}.{norm}.linear", 6 * h)]),
                    (f"{b}.{s}_attn.qkv", h, [(f"{t}.attn.{n}", h) for n in qkv]),
                    (f"{b}.{s}_attn.proj", h, [(f"{t}.attn.{proj}", h)]),
                    (f"{b}.{s}_mlp.0", h, [(f"{t}.{ff}.net.0.proj", m)]),
                    (f"{b}.{s}_mlp.2", m, [(f"{t}.{ff}.net.2", h)])]
    for j in range(p.depth_single_blocks):
        b, t = f"single_blocks.{j}", f"single_transformer_blocks.{j}"
        out += [(f"{b}.linear1", h, [(f"{t}.attn.to_q", h), (f"{t}.attn.to_k", h), (f"{t}.attn.to_v", h),
                                     (f"{t}.proj_mlp", m)]),
                (f"{b}.linear2", h + m, [(f"{t}.proj_out", h)]),
                (f"{b}.modulation.lin", h, [(f"{t}.norm.linear", 3 * h)])]
    out += [("final_layer.linear", h, [("proj_out", p.out_channels)]),
            ("final_layer.adaLN_modulation.1", h, [("~norm_out.linear", 2 * h)])]
    return out


def random_pieces(gen: torch.Generator, inp: int, rows: list[int], rank: int) -> list[tuple[torch.Tensor, ...]]:
    """One (A [rank, in], B [rows, rank]) per piece, bf16; B·A is about a quarter of a N(0, 1/in) weight."""
    return [((torch.randn(rank, inp, generator=gen) / inp**0.5).to(BF16),
             (0.5 * torch.randn(r, rank, generator=gen)).to(BF16)) for r in rows]


def fuse(pieces: list[tuple[torch.Tensor, ...]]) -> tuple[torch.Tensor, torch.Tensor]:
    """The pieces as one adapter on the fused layer: A stacked, B block-diagonal."""
    a = torch.cat([pa for pa, _ in pieces])
    b = torch.zeros(sum(pb.shape[0] for _, pb in pieces), a.shape[0], dtype=BF16)
    row = col = 0
    for _, pb in pieces:
        b[row:row + pb.shape[0], col:col + pb.shape[1]] = pb
        row, col = row + pb.shape[0], col + pb.shape[1]
    return a, b


def swap_halves(t: torch.Tensor) -> torch.Tensor:
    first, second = t.chunk(2)
    return torch.cat([second, first])


def write_formats(lora: dict, linears: list, out: str, name: str, formats: tuple[str, ...]) -> dict:
    """Writes `lora` ({BFL linear: pieces}, alpha 1/2 of each piece's rank) in the given formats; returns the
    BFL state dict the reference applies."""
    bfl, kohya, diffusers = {}, {}, {}
    for layer, _, modules in linears:
        if layer not in lora:
            continue
        pieces = lora[layer]
        a, b = fuse(pieces)
        alpha = a.shape[0] / 2
        bfl[f"{layer}.lora_A.weight"] = a
        bfl[f"{layer}.lora_B.weight"] = (b.to(F64) * (alpha / a.shape[0])).to(BF16)  # exact: a power of two
        k = "lora_unet_" + layer.replace(".", "_")
        kohya.update({f"{k}.lora_down.weight": a, f"{k}.lora_up.weight": b,
                      f"{k}.alpha": torch.tensor(alpha, dtype=torch.float32)})
        for (module, _), (pa, pb) in zip(modules, pieces):
            swapped = module.startswith("~")
            key = "transformer." + module.lstrip("~")
            diffusers.update({f"{key}.lora_A.weight": pa, f"{key}.lora_B.weight": swap_halves(pb) if swapped else pb,
                              f"{key}.alpha": torch.tensor(pa.shape[0] / 2, dtype=torch.float32)})
    files = {"bfl": bfl, "diffusers": diffusers, "kohya": kohya}
    for f in formats:
        save_file(files[f], os.path.join(out, f"{name}_{f}.safetensors"), {"format": f, "rank_per_module": RANK})
    return bfl


@torch.no_grad()
def make_lora(model_dir: str, goldens_dir: str, seed: int, out: str) -> None:
    gen = torch.Generator().manual_seed(seed)
    dit = load_dit(model_dir, F64)
    linears = dit_linears(dit.params)
    os.makedirs(out, exist_ok=True)
    lora1 = {layer: random_pieces(gen, inp, [r for _, r in mods], RANK) for layer, inp, mods in linears}
    bfl1 = write_formats(lora1, linears, out, "lora", ("bfl", "diffusers", "kohya"))
    inputs_of = {layer: inp for layer, inp, _ in linears}
    rows_of = {layer: sum(r for _, r in mods) for layer, _, mods in linears}
    lora2 = {layer: random_pieces(gen, inputs_of[layer], [rows_of[layer]], 1) for layer in LORA2_LAYERS}
    bfl2 = write_formats(lora2, linears, out, "lora2", ("kohya",))

    g = load_file(os.path.join(goldens_dir, "dit.safetensors"))
    names = ["hidden_states", "encoder_hidden_states", "pooled_projections", "timestep", "img_ids", "txt_ids",
             "guidance"]
    inputs = [g[k].to(F64) for k in names]
    apply_lora(dit, load_file(os.path.join(out, "lora_bfl.safetensors")), STRENGTH)
    velocity_lora = run_dit(dit, *inputs)
    apply_lora(dit, bfl2, STRENGTH_2)
    velocity_two = run_dit(dit, *inputs)
    assert set(bfl1) == set(load_file(os.path.join(out, "lora_bfl.safetensors")))
    save_file({"velocity_lora": velocity_lora.to(torch.float32), "velocity_two_loras": velocity_two.to(torch.float32)},
              os.path.join(out, "goldens.safetensors"),
              {"seed": seed, "inputs": "goldens/dit.safetensors", "strength": STRENGTH, "lora": "lora_bfl",
               "strength_2": STRENGTH_2, "lora_2": "lora2_kohya"})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--goldens", required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    make_lora(args.model, args.goldens, args.seed, args.out)


if __name__ == "__main__":
    main()
