"""FLUX.1 (Kontext) rectified-flow DiT (spec §2). Config-driven so the same code covers the 12B model and the
tiny test model; parameter names are the BFL checkpoint names (§8)."""
from dataclasses import asdict, dataclass, field

import torch
from torch import Tensor, nn

from .layers import DoubleStreamBlock, EmbedND, LastLayer, MLPEmbedder, SingleStreamBlock
from .math import timestep_embedding


@dataclass
class FluxParams:
    in_channels: int = 64
    out_channels: int = 64
    vec_in_dim: int = 768
    context_in_dim: int = 4096
    hidden_size: int = 3072
    mlp_ratio: float = 4.0
    num_heads: int = 24
    depth: int = 19
    depth_single_blocks: int = 38
    axes_dim: list[int] = field(default_factory=lambda: [16, 56, 56])
    theta: int = 10_000
    qkv_bias: bool = True
    guidance_embed: bool = True

    def to_dict(self) -> dict:
        return asdict(self)


class Flux(nn.Module):
    def __init__(self, params: FluxParams):
        super().__init__()
        p = self.params = params
        if p.hidden_size % p.num_heads:
            raise ValueError(f"hidden_size {p.hidden_size} not divisible by num_heads {p.num_heads}")
        head_dim = p.hidden_size // p.num_heads
        if sum(p.axes_dim) != head_dim:
            raise ValueError(f"sum(axes_dim)={sum(p.axes_dim)} must equal head_dim={head_dim}")
        self.pe_embedder = EmbedND(p.theta, p.axes_dim)
        self.img_in = nn.Linear(p.in_channels, p.hidden_size, bias=True)
        self.time_in = MLPEmbedder(256, p.hidden_size)
        self.vector_in = MLPEmbedder(p.vec_in_dim, p.hidden_size)
        self.guidance_in = MLPEmbedder(256, p.hidden_size) if p.guidance_embed else nn.Identity()
        self.txt_in = nn.Linear(p.context_in_dim, p.hidden_size)
        self.double_blocks = nn.ModuleList(
            DoubleStreamBlock(p.hidden_size, p.num_heads, p.mlp_ratio, p.qkv_bias) for _ in range(p.depth))
        self.single_blocks = nn.ModuleList(
            SingleStreamBlock(p.hidden_size, p.num_heads, p.mlp_ratio) for _ in range(p.depth_single_blocks))
        self.final_layer = LastLayer(p.hidden_size, p.out_channels)

    def forward(self, img: Tensor, img_ids: Tensor, txt: Tensor, txt_ids: Tensor, timesteps: Tensor, y: Tensor,
                guidance: Tensor | None = None) -> Tensor:
        """img [B, L_img, C_in], img_ids [B, L_img, 3], txt [B, L_txt, D_t5], txt_ids [B, L_txt, 3],
        timesteps [B] (sigma in [0,1]), y [B, D_clip], guidance [B] raw value -> [B, L_img, C_out]."""
        dtype = self.img_in.weight.dtype
        img = self.img_in(img)
        vec = self.time_in(timestep_embedding(timesteps.to(dtype), 256))
        if self.params.guidance_embed:
            if guidance is None:
                raise ValueError("guidance-distilled model needs a guidance value")
            vec = vec + self.guidance_in(timestep_embedding(guidance.to(dtype), 256))
        vec = vec + self.vector_in(y)
        txt = self.txt_in(txt)

        pe = self.pe_embedder(torch.cat((txt_ids, img_ids), dim=1))
        for block in self.double_blocks:
            img, txt = block(img, txt, vec, pe)
        x = torch.cat((txt, img), dim=1)
        for block in self.single_blocks:
            x = block(x, vec, pe)
        return self.final_layer(x[:, txt.shape[1] :], vec)


def run_dit(model: Flux, hidden_states: Tensor, encoder_hidden_states: Tensor, pooled_projections: Tensor,
            timestep: Tensor, img_ids: Tensor, txt_ids: Tensor, guidance: Tensor) -> Tensor:
    """The `dit` graph of docs/graph-contract.md: ids come without a batch dim, output is `velocity`."""
    return model(img=hidden_states, img_ids=img_ids[None], txt=encoder_hidden_states, txt_ids=txt_ids[None],
                 timesteps=timestep, y=pooled_projections, guidance=guidance)
