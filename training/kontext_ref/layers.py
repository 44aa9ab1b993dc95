"""DiT building blocks (spec §2.2-§2.7). Module/attribute names are the BFL checkpoint names (§8), so
`state_dict()` keys match flux1-kontext-dev.safetensors exactly."""
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .math import attention, rope_nd


class EmbedND(nn.Module):
    """Position ids [B, L, n_axes] -> RoPE (cos, sin) tables; parameter-free."""

    def __init__(self, theta: float, axes_dim: list[int]):
        super().__init__()
        self.theta, self.axes_dim = theta, list(axes_dim)

    def forward(self, ids: Tensor) -> tuple[Tensor, Tensor]:
        return rope_nd(ids, self.axes_dim, self.theta)


class MLPEmbedder(nn.Module):
    def __init__(self, in_dim: int, hidden_dim: int):
        super().__init__()
        self.in_layer = nn.Linear(in_dim, hidden_dim, bias=True)
        self.silu = nn.SiLU()
        self.out_layer = nn.Linear(hidden_dim, hidden_dim, bias=True)

    def forward(self, x: Tensor) -> Tensor:
        return self.out_layer(self.silu(self.in_layer(x)))


class RMSNorm(nn.Module):
    """Over head_dim; statistics in >= fp32 as in the reference, learned `scale` applied after the cast back."""

    def __init__(self, dim: int):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(dim))

    def forward(self, x: Tensor) -> Tensor:
        work = torch.promote_types(x.dtype, torch.float32)
        xf = x.to(work)
        rrms = torch.rsqrt(torch.mean(xf * xf, dim=-1, keepdim=True) + 1e-6)
        return (xf * rrms).to(x.dtype) * self.scale


class QKNorm(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.query_norm = RMSNorm(dim)
        self.key_norm = RMSNorm(dim)

    def forward(self, q: Tensor, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        return self.query_norm(q).to(v), self.key_norm(k).to(v)


def split_qkv(qkv: Tensor, num_heads: int) -> tuple[Tensor, Tensor, Tensor]:
    """[B, L, 3·H·D] with layout (K H D) -> three [B, H, L, D]."""
    b, l, f = qkv.shape
    x = qkv.reshape(b, l, 3, num_heads, f // (3 * num_heads)).permute(2, 0, 3, 1, 4)
    return x[0], x[1], x[2]


class SelfAttention(nn.Module):
    """Holds the per-stream weights of a double block; the attention itself runs jointly in the block."""

    def __init__(self, dim: int, num_heads: int, qkv_bias: bool):
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.norm = QKNorm(dim // num_heads)
        self.proj = nn.Linear(dim, dim)


@dataclass
class ModulationOut:
    shift: Tensor
    scale: Tensor
    gate: Tensor


class Modulation(nn.Module):
    """Linear(SiLU(vec)) split into (shift, scale, gate) x1 or x2, each [B, 1, dim] to broadcast over tokens."""

    def __init__(self, dim: int, double: bool):
        super().__init__()
        self.multiplier = 6 if double else 3
        self.lin = nn.Linear(dim, self.multiplier * dim, bias=True)

    def forward(self, vec: Tensor) -> tuple[ModulationOut, ModulationOut | None]:
        out = self.lin(nn.functional.silu(vec))[:, None, :].chunk(self.multiplier, dim=-1)
        return ModulationOut(*out[:3]), (ModulationOut(*out[3:]) if self.multiplier == 6 else None)


def _layer_norm(x: Tensor) -> Tensor:
    # Every DiT LayerNorm is affine-free with eps 1e-6.
    return nn.functional.layer_norm(x, x.shape[-1:], eps=1e-6)


def _mlp(hidden: int, mlp_hidden: int) -> nn.Sequential:
    # Indices 0 and 2 are the checkpoint names (img_mlp.0 / img_mlp.2).
    return nn.Sequential(nn.Linear(hidden, mlp_hidden), nn.GELU(approximate="tanh"), nn.Linear(mlp_hidden, hidden))


class DoubleStreamBlock(nn.Module):
    """Separate weights for the image and text streams, one joint attention over [txt; img]."""

    def __init__(self, hidden_size: int, num_heads: int, mlp_ratio: float, qkv_bias: bool):
        super().__init__()
        mlp_hidden = int(hidden_size * mlp_ratio)
        self.num_heads = num_heads
        self.img_mod = Modulation(hidden_size, double=True)
        self.img_attn = SelfAttention(hidden_size, num_heads, qkv_bias)
        self.img_mlp = _mlp(hidden_size, mlp_hidden)
        self.txt_mod = Modulation(hidden_size, double=True)
        self.txt_attn = SelfAttention(hidden_size, num_heads, qkv_bias)
        self.txt_mlp = _mlp(hidden_size, mlp_hidden)

    def _qkv(self, attn: SelfAttention, x: Tensor, mod: ModulationOut) -> tuple[Tensor, Tensor, Tensor]:
        q, k, v = split_qkv(attn.qkv((1 + mod.scale) * _layer_norm(x) + mod.shift), self.num_heads)
        q, k = attn.norm(q, k, v)  # QK-norm before RoPE
        return q, k, v

    def forward(self, img: Tensor, txt: Tensor, vec: Tensor, pe: tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor]:
        img_mod1, img_mod2 = self.img_mod(vec)
        txt_mod1, txt_mod2 = self.txt_mod(vec)
        img_q, img_k, img_v = self._qkv(self.img_attn, img, img_mod1)
        txt_q, txt_k, txt_v = self._qkv(self.txt_attn, txt, txt_mod1)
        # Text first: pe was built from [txt_ids; img_ids] in the same order.
        attn = attention(torch.cat((txt_q, img_q), 2), torch.cat((txt_k, img_k), 2), torch.cat((txt_v, img_v), 2), pe)
        txt_a, img_a = attn[:, : txt.shape[1]], attn[:, txt.shape[1] :]

        img = img + img_mod1.gate * self.img_attn.proj(img_a)
        img = img + img_mod2.gate * self.img_mlp((1 + img_mod2.scale) * _layer_norm(img) + img_mod2.shift)
        txt = txt + txt_mod1.gate * self.txt_attn.proj(txt_a)
        txt = txt + txt_mod2.gate * self.txt_mlp((1 + txt_mod2.scale) * _layer_norm(txt) + txt_mod2.shift)
        return img, txt


class SingleStreamBlock(nn.Module):
    """Parallel attention + MLP on the joint sequence: linear1 gives [q k v | mlp], linear2 fuses [attn | act(mlp)]."""

    def __init__(self, hidden_size: int, num_heads: int, mlp_ratio: float):
        super().__init__()
        self.hidden_size, self.num_heads = hidden_size, num_heads
        self.mlp_hidden = int(hidden_size * mlp_ratio)
        self.linear1 = nn.Linear(hidden_size, hidden_size * 3 + self.mlp_hidden)
        self.linear2 = nn.Linear(hidden_size + self.mlp_hidden, hidden_size)
        self.norm = QKNorm(hidden_size // num_heads)
        self.mlp_act = nn.GELU(approximate="tanh")
        self.modulation = Modulation(hidden_size, double=False)

    def forward(self, x: Tensor, vec: Tensor, pe: tuple[Tensor, Tensor]) -> Tensor:
        mod, _ = self.modulation(vec)
        qkv, mlp = torch.split(self.linear1((1 + mod.scale) * _layer_norm(x) + mod.shift),
                               [3 * self.hidden_size, self.mlp_hidden], dim=-1)
        q, k, v = split_qkv(qkv, self.num_heads)
        q, k = self.norm(q, k, v)
        out = self.linear2(torch.cat((attention(q, k, v, pe), self.mlp_act(mlp)), dim=2))
        return x + mod.gate * out


class LastLayer(nn.Module):
    """adaLN with (shift, scale) in that order (diffusers stores the halves swapped; §8)."""

    def __init__(self, hidden_size: int, out_channels: int):
        super().__init__()
        self.linear = nn.Linear(hidden_size, out_channels, bias=True)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden_size, 2 * hidden_size, bias=True))

    def forward(self, x: Tensor, vec: Tensor) -> Tensor:
        shift, scale = self.adaLN_modulation(vec).chunk(2, dim=1)
        return self.linear((1 + scale[:, None, :]) * _layer_norm(x) + shift[:, None, :])
