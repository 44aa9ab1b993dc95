"""LoRA on the DiT the way BFL's flux runs it: an adapted nn.Linear computes

    base(x) + scale * lora_B(lora_A(x)),   scale = strength * alpha / rank   (alpha defaults to rank)

with the adapter kept beside the layer, never merged. The converter merges W + scale * B @ A instead, so the
two paths only agree when the converter's key mapping, slicing of fused layers and scaling are right.

The state dict is in BFL's key format: `<linear>.lora_A.weight` [rank, in], `<linear>.lora_B.weight` [out, rank],
optional `<linear>.lora_B.bias` [out] and `<linear>.alpha` (scalar), where `<linear>` is a Linear's name in the
official checkpoint (`double_blocks.0.img_attn.qkv`, `single_blocks.3.linear1`, ...).
"""
import torch
from torch import Tensor, nn

SUFFIXES = (".lora_A.weight", ".lora_B.weight", ".lora_B.bias", ".alpha")


class LoraLinear(nn.Module):
    """nn.Linear plus any number of unmerged low-rank adapters."""

    def __init__(self, base: nn.Linear):
        super().__init__()
        self.base = base
        self.adapters: list[tuple[Tensor, Tensor, Tensor | None, float]] = []

    @property
    def weight(self) -> Tensor:  # the model reads its compute dtype off img_in.weight
        return self.base.weight

    def forward(self, x: Tensor) -> Tensor:
        y = self.base(x)
        for a, b, bias, scale in self.adapters:
            d = (x @ a.T) @ b.T
            y = y + scale * (d if bias is None else d + bias)
        return y


def group_bfl_lora(sd: dict) -> dict[str, dict[str, Tensor]]:
    """{linear name: {"A", "B", optional "bias", optional "alpha"}}; refuses keys of any other shape."""
    groups: dict[str, dict[str, Tensor]] = {}
    for key, t in sd.items():
        suffix = next((s for s in SUFFIXES if key.endswith(s)), None)
        if suffix is None:
            raise KeyError(f"{key}: not a BFL LoRA key (<linear>{'|'.join(SUFFIXES)})")
        part = {".lora_A.weight": "A", ".lora_B.weight": "B", ".lora_B.bias": "bias", ".alpha": "alpha"}[suffix]
        groups.setdefault(key[: -len(suffix)], {})[part] = t
    return groups


@torch.no_grad()
def apply_lora(model: nn.Module, sd: dict, strength: float) -> None:
    """Adds the LoRA `sd` (BFL keys) at `strength` to `model` in place; applying several stacks them."""
    dtype = next(model.parameters()).dtype
    for name, g in group_bfl_lora(sd).items():
        parent_name, _, leaf = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        layer = getattr(parent, leaf)
        if isinstance(layer, nn.Linear):
            layer = LoraLinear(layer)
            setattr(parent, leaf, layer)
        if not isinstance(layer, LoraLinear):
            raise KeyError(f"{name}: not a Linear layer of the DiT")
        a, b = g["A"].to(dtype), g["B"].to(dtype)
        rank = a.shape[0]
        if a.shape[1] != layer.base.in_features or b.shape != (layer.base.out_features, rank):
            raise ValueError(f"{name}: A {tuple(a.shape)} / B {tuple(b.shape)} do not fit {layer.base}")
        alpha = float(g["alpha"]) if "alpha" in g else float(rank)
        bias = g["bias"].to(dtype) if "bias" in g else None
        layer.adapters.append((a, b, bias, strength * alpha / rank))
