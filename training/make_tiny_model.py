"""Write a random tiny FLUX.1 Kontext model in the official FLUX.1-Kontext-dev folder layout.

  /usr/bin/python3 training/make_tiny_model.py --seed 0 --out training/fixtures/tiny/model \
      --taef1-out training/fixtures/tiny/taef1

Weights are stored as bf16 (DiT), fp16 (AE) and fp32 (text encoders) to exercise all three input dtypes; the
goldens are computed from the weights as stored. Initialisation keeps activations O(1) and makes every bias and
norm scale non-zero and non-one, so a dropped bias or an ignored scale changes the output.
"""
import argparse
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kontext_ref.autoencoder import AutoEncoder  # noqa: E402
from kontext_ref.clip import CLIPTextModel  # noqa: E402
from kontext_ref.model import Flux  # noqa: E402
from kontext_ref.safetensors_io import save_file  # noqa: E402
from kontext_ref.t5 import T5Encoder  # noqa: E402
from kontext_ref.taef1 import TAEF1  # noqa: E402
from kontext_ref.util import AE_FILE, DIT_FILE, TINY  # noqa: E402
import tiny_vocab  # noqa: E402

PRESETS = {"tiny": TINY}
NORM_TYPES = (nn.LayerNorm, nn.GroupNorm)


@torch.no_grad()
def init_random(module: nn.Module, gen: torch.Generator) -> None:
    """Weights ~ N(0, 1/fan_in); biases ~ N(0, 0.1²); norm scales ~ U(0.5, 1.5); embeddings ~ N(0, 1)."""
    randn = lambda shape: torch.randn(shape, generator=gen)
    for name, p in module.named_parameters():
        leaf = name.rsplit(".", 1)[-1]
        owner = module.get_submodule(name.rsplit(".", 1)[0]) if "." in name else module
        if leaf == "scale" or (leaf == "weight" and (p.dim() == 1 or isinstance(owner, NORM_TYPES))):
            p.copy_(0.5 + torch.rand(p.shape, generator=gen))
        elif leaf == "bias":
            p.copy_(0.1 * randn(p.shape))
        elif isinstance(owner, nn.Embedding):
            p.copy_(randn(p.shape))
        else:
            fan_in = p[0].numel()
            p.copy_(randn(p.shape) / fan_in**0.5)


@torch.no_grad()
def tune_t5(t5: T5Encoder) -> None:
    # T5 does not divide scores by sqrt(d_kv); like T5's own init, q carries that factor instead.
    for block in t5.encoder.block:
        block.layer[0].SelfAttention.q.weight.mul_(t5.cfg.d_kv**-0.5)


def stored(sd: dict, dtype: torch.dtype) -> dict:
    return {k: v.detach().to(dtype).contiguous() for k, v in sorted(sd.items())}


def write_json(path: str, obj) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def write_t5_shards(sd: dict, subdir: str, n_shards: int = 2) -> None:
    """HF sharded layout: model-0000k-of-0000n.safetensors + model.safetensors.index.json (weight_map)."""
    names = list(sd)
    per = -(-len(names) // n_shards)
    weight_map, total = {}, 0
    for k in range(n_shards):
        shard = f"model-{k + 1:05d}-of-{n_shards:05d}.safetensors"
        part = {n: sd[n] for n in names[k * per:(k + 1) * per]}
        save_file(part, os.path.join(subdir, shard), {"format": "pt"})
        weight_map.update({n: shard for n in part})
        total += sum(t.numel() * t.element_size() for t in part.values())
    write_json(os.path.join(subdir, "model.safetensors.index.json"),
               {"metadata": {"total_size": total}, "weight_map": weight_map})


def write_clip_tokenizer(subdir: str, max_length: int) -> None:
    vocab, merges = tiny_vocab.clip_vocab()
    write_json(os.path.join(subdir, "vocab.json"), vocab)
    with open(os.path.join(subdir, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    token = lambda s: {"content": s, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}
    specials = {"bos_token": token(tiny_vocab.CLIP_BOS), "eos_token": token(tiny_vocab.CLIP_EOS),
                "pad_token": tiny_vocab.CLIP_EOS, "unk_token": token(tiny_vocab.CLIP_EOS)}
    write_json(os.path.join(subdir, "special_tokens_map.json"), specials)
    write_json(os.path.join(subdir, "tokenizer_config.json"),
               {**specials, "add_prefix_space": False, "do_lower_case": True, "errors": "replace",
                "model_max_length": max_length, "tokenizer_class": "CLIPTokenizer"})


def write_t5_tokenizer(subdir: str) -> None:
    special = lambda i, s: {"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
                            "normalized": False, "special": True}
    metaspace = {"type": "Metaspace", "replacement": "▁", "add_prefix_space": True}
    write_json(os.path.join(subdir, "tokenizer.json"), {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [special(i, s) for i, s in enumerate(tiny_vocab.T5_SPECIALS)],
        # The real file starts with a Precompiled (NFKC) charsmap; the tiny vocab is plain ASCII and skips it.
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Strip", "strip_left": False, "strip_right": True},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": "▁"}]},
        "pre_tokenizer": {**metaspace, "prepend_scheme": "first"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "special_tokens": {"</s>": {"id": "</s>", "ids": [1], "tokens": ["</s>"]}}},
        "decoder": {**metaspace, "prepend_scheme": "always"},
        "model": {"type": "Unigram", "unk_id": 2, "vocab": [list(p) for p in tiny_vocab.t5_pieces()],
                  "byte_fallback": False}})
    specials = {"eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}
    write_json(os.path.join(subdir, "special_tokens_map.json"), specials)
    write_json(os.path.join(subdir, "tokenizer_config.json"),
               {**specials, "added_tokens_decoder": {str(i): {k: v for k, v in special(i, s).items() if k != "id"}
                                                     for i, s in enumerate(tiny_vocab.T5_SPECIALS)},
                "clean_up_tokenization_spaces": True, "extra_ids": 0, "legacy": False, "model_max_length": 512,
                "tokenizer_class": "T5Tokenizer"})


def make_model(preset: dict, seed: int, out: str, taef1_out: str | None = None) -> None:
    gen = torch.Generator().manual_seed(seed)
    dit, ae = Flux(preset["dit"]), AutoEncoder(preset["ae"])
    t5, clip = T5Encoder(preset["t5"]), CLIPTextModel(preset["clip"])
    for m in (dit, ae, t5, clip):
        init_random(m, gen)
    tune_t5(t5)

    for sub in ("text_encoder", "text_encoder_2", "tokenizer", "tokenizer_2"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    meta = lambda params: {"format": "pt", "config": json.dumps(params.to_dict())}
    save_file(stored(dit.state_dict(), torch.bfloat16), os.path.join(out, DIT_FILE), meta(preset["dit"]))
    save_file(stored(ae.state_dict(), torch.float16), os.path.join(out, AE_FILE), meta(preset["ae"]))
    write_json(os.path.join(out, "text_encoder", "config.json"), preset["clip"].to_hf())
    save_file(stored(clip.state_dict(), torch.float32), os.path.join(out, "text_encoder", "model.safetensors"),
              {"format": "pt"})
    write_json(os.path.join(out, "text_encoder_2", "config.json"), preset["t5"].to_hf())
    write_t5_shards(stored(t5.state_dict(), torch.float32), os.path.join(out, "text_encoder_2"))
    write_clip_tokenizer(os.path.join(out, "tokenizer"), preset["clip"].max_position_embeddings)
    write_t5_tokenizer(os.path.join(out, "tokenizer_2"))

    if taef1_out:
        # Same file names, keys and dtype (bf16) as the circulating TAEF1 safetensors, at the tiny width.
        taef1 = TAEF1(preset["taef1"])
        init_random(taef1, gen)
        os.makedirs(taef1_out, exist_ok=True)
        for part in ("encoder", "decoder"):
            save_file(stored(getattr(taef1, part).state_dict(), torch.bfloat16),
                      os.path.join(taef1_out, f"taef1_{part}.safetensors"), meta(preset["taef1"]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True, help="model folder to write (official Kontext-dev layout)")
    ap.add_argument("--preset", default="tiny", choices=sorted(PRESETS))
    ap.add_argument("--taef1-out", help="also write a random TAEF1 of the preset's width here")
    args = ap.parse_args()
    torch.set_num_threads(2)
    make_model(PRESETS[args.preset], args.seed, args.out, args.taef1_out)


if __name__ == "__main__":
    main()
