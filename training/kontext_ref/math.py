"""Math shared by the DiT: sinusoidal embedding, rotary position embedding, joint attention (spec §2.2, §2.4, §3)."""
import math

import torch
from torch import Tensor


def timestep_embedding(t: Tensor, dim: int = 256, max_period: float = 10000.0, time_factor: float = 1000.0) -> Tensor:
    """[B] -> [B, dim]. t is sigma in [0,1] (or the raw guidance value); both are scaled by 1000 first.
    Layout is [cos | sin] (cos half first), frequencies exp(-ln(max_period)·k/half)."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float64) / half).to(t.device)
    args = (time_factor * t.to(torch.float64))[:, None] * freqs[None]
    emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
    return emb.to(t.dtype if t.is_floating_point() else torch.float32)


def rope(pos: Tensor, dim: int, theta: float) -> tuple[Tensor, Tensor]:
    """Angles for one axis: pos [..., L] -> (cos, sin) each [..., L, dim/2]; pair j uses theta^(-2j/dim)."""
    assert dim % 2 == 0, "each RoPE axis needs an even number of dims"
    omega = 1.0 / theta ** (torch.arange(0, dim, 2, dtype=torch.float64, device=pos.device) / dim)
    angles = pos.to(torch.float64)[..., None] * omega
    return torch.cos(angles), torch.sin(angles)


def rope_nd(ids: Tensor, axes_dim: list[int], theta: float) -> tuple[Tensor, Tensor]:
    """ids [B, L, n_axes] -> (cos, sin) [B, 1, L, sum(axes_dim)/2]; pairs of axis 0 first, then axis 1, ...
    The extra dim 1 broadcasts the same table over every head."""
    parts = [rope(ids[..., i], d, theta) for i, d in enumerate(axes_dim)]
    cos = torch.cat([c for c, _ in parts], dim=-1)
    sin = torch.cat([s for _, s in parts], dim=-1)
    return cos[:, None], sin[:, None]


def apply_rope(x: Tensor, pe: tuple[Tensor, Tensor]) -> Tensor:
    """Rotate adjacent (interleaved) pairs (x[2p], x[2p+1]) of x [B, H, L, D] by the angle of pair p.
    Done in at least fp32 like the reference; cast back to x's dtype."""
    cos, sin = pe
    work = torch.promote_types(x.dtype, torch.float32)
    xp = x.to(work).reshape(*x.shape[:-1], -1, 2)
    x0, x1 = xp[..., 0], xp[..., 1]
    cos, sin = cos.to(work), sin.to(work)
    out = torch.stack([cos * x0 - sin * x1, sin * x0 + cos * x1], dim=-1)
    return out.reshape(x.shape).to(x.dtype)


def attention(q: Tensor, k: Tensor, v: Tensor, pe: tuple[Tensor, Tensor]) -> Tensor:
    """Joint attention over all tokens, no mask. q,k,v [B, H, L, D] -> [B, L, H·D] (head-major features)."""
    q, k = apply_rope(q, pe), apply_rope(k, pe)
    scores = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
    out = torch.softmax(scores, dim=-1) @ v
    b, h, l, d = out.shape
    return out.transpose(1, 2).reshape(b, l, h * d)
