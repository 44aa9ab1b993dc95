"""Configs and loading of a model folder in the official FLUX.1-Kontext-dev layout:

  flux1-kontext-dev.safetensors   DiT, BFL names       ae.safetensors   AE, BFL names
  text_encoder/   CLIP-L  config.json + model.safetensors
  text_encoder_2/ T5-XXL  config.json + model.safetensors.index.json + model-0000k-of-0000n.safetensors
  tokenizer/ (CLIP BPE vocab.json, merges.txt)      tokenizer_2/ (T5 tokenizer.json)

The official DiT/AE files carry no config. Our tiny files put theirs in the safetensors `__metadata__` under
"config"; without it the config is read off the tensor shapes, and what shapes cannot tell (RoPE axes, theta,
GroupNorm groups, latent scale/shift) takes the FLUX.1 value.
"""
import json
import os

import torch
from torch import nn

from .autoencoder import AutoEncoder, AutoEncoderParams
from .clip import CLIPTextConfig, CLIPTextModel
from .model import Flux, FluxParams
from .safetensors_io import load_file, load_metadata
from .t5 import T5Config, T5Encoder
from .taef1 import TAEParams

DIT_FILE, AE_FILE = "flux1-kontext-dev.safetensors", "ae.safetensors"

# The test model. DiT hidden 64 = 2 heads x 32 = sum(axes_dim); context/vec dims are the T5/CLIP widths.
TINY = {
    "dit": FluxParams(in_channels=64, out_channels=64, vec_in_dim=32, context_in_dim=32, hidden_size=64,
                      mlp_ratio=4.0, num_heads=2, depth=2, depth_single_blocks=2, axes_dim=[8, 12, 12],
                      theta=10_000, qkv_bias=True, guidance_embed=True),
    # 4 levels -> f = 8 like FLUX. GroupNorm(32) as in FLUX: 1 channel per group at 32 channels, 2 at 64, so a
    # wrong channel-to-group assignment shows. Level 2 changes width, so both nin_shortcut paths are used.
    "ae": AutoEncoderParams(ch=32, ch_mult=[1, 1, 2, 2], num_res_blocks=2, z_channels=16, num_groups=32),
    # 16 buckets / max distance 12 so that a 16-token prompt reaches the log-spaced and the clamped buckets.
    "t5": T5Config(vocab_size=100, d_model=32, d_kv=16, d_ff=64, num_layers=2, num_heads=2,
                   relative_attention_num_buckets=16, relative_attention_max_distance=12),
    "clip": CLIPTextConfig(vocab_size=100, hidden_size=32, intermediate_size=128, num_attention_heads=2,
                           num_hidden_layers=2, max_position_embeddings=77, bos_token_id=98, eos_token_id=99,
                           pad_token_id=99),
    "taef1": TAEParams(latent_channels=16, ch=16),
}


def upcast(sd: dict, dtype: torch.dtype) -> dict:
    """Stored bf16/fp16/fp32 -> one float dtype for computing; integer tensors are left alone."""
    return {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in sd.items()}


def load_strict(module: nn.Module, sd: dict) -> nn.Module:
    missing, unexpected = module.load_state_dict(sd, strict=False)
    if missing or unexpected:
        raise KeyError(f"{type(module).__name__}: missing {missing[:8]} unexpected {unexpected[:8]}")
    return module


def infer_flux_params(sd: dict, meta: dict) -> FluxParams:
    if "config" in meta:
        return FluxParams(**json.loads(meta["config"]))
    hidden, in_ch = sd["img_in.weight"].shape
    head_dim = sd["double_blocks.0.img_attn.norm.query_norm.scale"].shape[0]
    count = lambda prefix: len({k.split(".")[1] for k in sd if k.startswith(prefix)})
    return FluxParams(in_channels=in_ch, out_channels=sd["final_layer.linear.weight"].shape[0],
                      vec_in_dim=sd["vector_in.in_layer.weight"].shape[1],
                      context_in_dim=sd["txt_in.weight"].shape[1], hidden_size=hidden,
                      mlp_ratio=sd["double_blocks.0.img_mlp.0.weight"].shape[0] / hidden,
                      num_heads=hidden // head_dim, depth=count("double_blocks."),
                      depth_single_blocks=count("single_blocks."),
                      qkv_bias="double_blocks.0.img_attn.qkv.bias" in sd,
                      guidance_embed="guidance_in.in_layer.weight" in sd)


def infer_ae_params(sd: dict, meta: dict) -> AutoEncoderParams:
    if "config" in meta:
        return AutoEncoderParams(**json.loads(meta["config"]))
    ch = sd["encoder.conv_in.weight"].shape[0]
    levels = len({k.split(".")[2] for k in sd if k.startswith("encoder.down.")})
    ch_mult = [sd[f"encoder.down.{i}.block.0.conv1.weight"].shape[0] // ch for i in range(levels)]
    blocks = len({k.split(".")[4] for k in sd if k.startswith("encoder.down.0.block.")})
    return AutoEncoderParams(ch=ch, ch_mult=ch_mult, num_res_blocks=blocks,
                             z_channels=sd["decoder.conv_in.weight"].shape[1])


def load_dit(folder: str, dtype: torch.dtype = torch.float32) -> Flux:
    path = os.path.join(folder, DIT_FILE)
    sd = load_file(path)
    return load_strict(Flux(infer_flux_params(sd, load_metadata(path))).to(dtype), upcast(sd, dtype)).eval()


def load_ae(folder: str, dtype: torch.dtype = torch.float32) -> AutoEncoder:
    path = os.path.join(folder, AE_FILE)
    sd = load_file(path)
    return load_strict(AutoEncoder(infer_ae_params(sd, load_metadata(path))).to(dtype), upcast(sd, dtype)).eval()


def load_hf_weights(subdir: str) -> dict:
    """model.safetensors, or the shards listed in model.safetensors.index.json (weight_map: name -> file)."""
    index = os.path.join(subdir, "model.safetensors.index.json")
    if not os.path.exists(index):
        return load_file(os.path.join(subdir, "model.safetensors"))
    with open(index) as f:
        weight_map = json.load(f)["weight_map"]
    sd = {}
    for shard in sorted(set(weight_map.values())):
        sd.update(load_file(os.path.join(subdir, shard)))
    if set(sd) != set(weight_map):
        raise KeyError(f"{index}: shards do not hold exactly the tensors the index lists")
    return sd


def load_t5(folder: str, dtype: torch.dtype = torch.float32) -> T5Encoder:
    subdir = os.path.join(folder, "text_encoder_2")
    with open(os.path.join(subdir, "config.json")) as f:
        cfg = T5Config.from_hf(json.load(f))
    sd = load_hf_weights(subdir)
    tied = sd.pop("encoder.embed_tokens.weight", None)  # HF's tied alias of shared.weight
    if "shared.weight" not in sd and tied is not None:
        sd["shared.weight"] = tied
    return load_strict(T5Encoder(cfg).to(dtype), upcast(sd, dtype)).eval()


def load_clip(folder: str, dtype: torch.dtype = torch.float32) -> CLIPTextModel:
    subdir = os.path.join(folder, "text_encoder")
    with open(os.path.join(subdir, "config.json")) as f:
        cfg = CLIPTextConfig.from_hf(json.load(f))
    sd = load_hf_weights(subdir)
    sd.pop("text_model.embeddings.position_ids", None)  # a buffer some transformers versions save; it is arange
    return load_strict(CLIPTextModel(cfg).to(dtype), upcast(sd, dtype)).eval()


def load_model_folder(folder: str, dtype: torch.dtype = torch.float32) -> dict:
    return {"dit": load_dit(folder, dtype), "ae": load_ae(folder, dtype), "t5": load_t5(folder, dtype),
            "clip": load_clip(folder, dtype)}
