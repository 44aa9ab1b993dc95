"""TAEF1, the tiny preview autoencoder for FLUX latents (spec §10). Plain nn.Sequential stacks so the state_dict
keys are those of taef1_encoder/decoder.safetensors (`0.weight`, `1.conv.0.weight`, ...). The decoder's index 0 is
the parameter-free soft clamp, so its first conv is `1.*`.

TAEF1 works on [0,1] pixels and transformer-space latents; `encode_contract`/`decode_contract` wrap it to the
AE graph contract ([-1,1] pixels), as the preview graphs do.
"""
from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn


@dataclass
class TAEParams:
    latent_channels: int = 16
    ch: int = 64  # every hidden conv has this width in TAEF1

    def to_dict(self) -> dict:
        return asdict(self)


def conv(n_in: int, n_out: int, **kwargs) -> nn.Conv2d:
    return nn.Conv2d(n_in, n_out, 3, padding=1, **kwargs)


class Clamp(nn.Module):
    """Soft clamp of the latent to (-3, 3)."""

    def forward(self, x: Tensor) -> Tensor:
        return torch.tanh(x / 3) * 3


class Block(nn.Module):
    """conv-ReLU-conv-ReLU-conv plus skip, then ReLU. The 1x1 skip only exists when widths differ (never in TAEF1)."""

    def __init__(self, n_in: int, n_out: int):
        super().__init__()
        self.conv = nn.Sequential(conv(n_in, n_out), nn.ReLU(), conv(n_out, n_out), nn.ReLU(), conv(n_out, n_out))
        self.skip = nn.Conv2d(n_in, n_out, 1, bias=False) if n_in != n_out else nn.Identity()
        self.fuse = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        return self.fuse(self.conv(x) + self.skip(x))


def make_encoder(p: TAEParams) -> nn.Sequential:
    """[0,1] RGB -> latent at 1/8 resolution: three stride-2 stages of (conv, Block x3)."""
    c = p.ch
    layers = [conv(3, c), Block(c, c)]
    for _ in range(3):
        layers += [conv(c, c, stride=2, bias=False), Block(c, c), Block(c, c), Block(c, c)]
    return nn.Sequential(*layers, conv(c, p.latent_channels))


def make_decoder(p: TAEParams) -> nn.Sequential:
    """latent -> [0,1]-ish RGB (not clamped): three nearest x2 stages; the last has one Block instead of three."""
    c = p.ch
    layers = [Clamp(), conv(p.latent_channels, c), nn.ReLU(), Block(c, c), Block(c, c), Block(c, c)]
    for blocks in (3, 3, 1):
        layers += [nn.Upsample(scale_factor=2), conv(c, c, bias=False)] + [Block(c, c) for _ in range(blocks)]
    return nn.Sequential(*layers, conv(c, 3))


class TAEF1(nn.Module):
    def __init__(self, params: TAEParams):
        super().__init__()
        self.params = params
        self.encoder = make_encoder(params)
        self.decoder = make_decoder(params)

    def encode_contract(self, image: Tensor) -> Tensor:
        """`preview_encoder` graph: [-1,1] image -> transformer-space latent."""
        return self.encoder((image + 1) / 2)

    def decode_contract(self, latent: Tensor) -> Tensor:
        """`preview_decoder` graph: transformer-space latent -> about [-1,1] image, not clamped."""
        return self.decoder(latent) * 2 - 1
