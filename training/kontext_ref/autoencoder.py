"""FLUX convolutional autoencoder (spec §4.1). Names follow BFL `ae.safetensors`. The spatial factor is
2^(len(ch_mult)-1), so a 16x AE is just one more ch_mult entry; nothing depends on the image resolution."""
from dataclasses import asdict, dataclass, field

import torch
from torch import Tensor, nn


@dataclass
class AutoEncoderParams:
    in_channels: int = 3
    out_ch: int = 3
    ch: int = 128
    ch_mult: list[int] = field(default_factory=lambda: [1, 2, 4, 4])
    num_res_blocks: int = 2  # the decoder uses num_res_blocks + 1 per level
    z_channels: int = 16
    scale_factor: float = 0.3611
    shift_factor: float = 0.1159
    num_groups: int = 32  # GroupNorm groups; only lowered for models whose channel counts are below 32

    @property
    def downscale(self) -> int:
        return 2 ** (len(self.ch_mult) - 1)

    def to_dict(self) -> dict:
        return asdict(self)


def swish(x: Tensor) -> Tensor:
    return x * torch.sigmoid(x)


def _norm(groups: int, channels: int) -> nn.GroupNorm:
    if channels % groups:
        raise ValueError(f"GroupNorm: {channels} channels not divisible by {groups} groups")
    return nn.GroupNorm(num_groups=groups, num_channels=channels, eps=1e-6, affine=True)


class AttnBlock(nn.Module):
    """Single-head self-attention over all h·w positions; q/k/v/proj_out are 1x1 convs."""

    def __init__(self, channels: int, groups: int):
        super().__init__()
        self.norm = _norm(groups, channels)
        self.q = nn.Conv2d(channels, channels, 1)
        self.k = nn.Conv2d(channels, channels, 1)
        self.v = nn.Conv2d(channels, channels, 1)
        self.proj_out = nn.Conv2d(channels, channels, 1)

    def forward(self, x: Tensor) -> Tensor:
        h = self.norm(x)
        b, c, hh, ww = h.shape
        q, k, v = (m(h).reshape(b, c, hh * ww).transpose(1, 2) for m in (self.q, self.k, self.v))  # [B, hw, C]
        attn = torch.softmax(q @ k.transpose(1, 2) / c**0.5, dim=-1) @ v
        return x + self.proj_out(attn.transpose(1, 2).reshape(b, c, hh, ww))


class ResnetBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, groups: int):
        super().__init__()
        self.norm1 = _norm(groups, in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.norm2 = _norm(groups, out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        if in_channels != out_channels:
            self.nin_shortcut = nn.Conv2d(in_channels, out_channels, 1)

    def forward(self, x: Tensor) -> Tensor:
        h = self.conv2(swish(self.norm2(self.conv1(swish(self.norm1(x))))))
        skip = self.nin_shortcut(x) if hasattr(self, "nin_shortcut") else x
        return skip + h


class Downsample(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, padding=0)

    def forward(self, x: Tensor) -> Tensor:
        # Asymmetric: one zero row/column on the right and bottom only.
        return self.conv(nn.functional.pad(x, (0, 1, 0, 1), mode="constant", value=0.0))


class Upsample(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(nn.functional.interpolate(x, scale_factor=2.0, mode="nearest"))


def _mid(channels: int, groups: int) -> nn.Module:
    mid = nn.Module()
    mid.block_1 = ResnetBlock(channels, channels, groups)
    mid.attn_1 = AttnBlock(channels, groups)
    mid.block_2 = ResnetBlock(channels, channels, groups)
    return mid


class Encoder(nn.Module):
    def __init__(self, p: AutoEncoderParams):
        super().__init__()
        g, levels = p.num_groups, len(p.ch_mult)
        self.conv_in = nn.Conv2d(p.in_channels, p.ch, 3, padding=1)
        self.down = nn.ModuleList()
        block_in = p.ch
        for i in range(levels):
            level = nn.Module()
            level.block = nn.ModuleList()
            for _ in range(p.num_res_blocks):
                level.block.append(ResnetBlock(block_in, p.ch * p.ch_mult[i], g))
                block_in = p.ch * p.ch_mult[i]
            if i != levels - 1:
                level.downsample = Downsample(block_in)
            self.down.append(level)
        self.mid = _mid(block_in, g)
        self.norm_out = _norm(g, block_in)
        self.conv_out = nn.Conv2d(block_in, 2 * p.z_channels, 3, padding=1)  # (mean, logvar)

    def forward(self, x: Tensor) -> Tensor:
        h = self.conv_in(x)
        for level in self.down:
            for block in level.block:
                h = block(h)
            if hasattr(level, "downsample"):
                h = level.downsample(h)
        h = self.mid.block_2(self.mid.attn_1(self.mid.block_1(h)))
        return self.conv_out(swish(self.norm_out(h)))


class Decoder(nn.Module):
    def __init__(self, p: AutoEncoderParams):
        super().__init__()
        g, levels = p.num_groups, len(p.ch_mult)
        block_in = p.ch * p.ch_mult[-1]
        self.conv_in = nn.Conv2d(p.z_channels, block_in, 3, padding=1)
        self.mid = _mid(block_in, g)
        # up[i] is the level at resolution i (up[0] = full resolution); it is built and run from the bottom.
        ups = []
        for i in reversed(range(levels)):
            level = nn.Module()
            level.block = nn.ModuleList()
            for _ in range(p.num_res_blocks + 1):
                level.block.append(ResnetBlock(block_in, p.ch * p.ch_mult[i], g))
                block_in = p.ch * p.ch_mult[i]
            if i != 0:
                level.upsample = Upsample(block_in)
            ups.insert(0, level)
        self.up = nn.ModuleList(ups)
        self.norm_out = _norm(g, block_in)
        self.conv_out = nn.Conv2d(block_in, p.out_ch, 3, padding=1)

    def forward(self, z: Tensor) -> Tensor:
        h = self.mid.block_2(self.mid.attn_1(self.mid.block_1(self.conv_in(z))))
        for level in reversed(self.up):
            for block in level.block:
                h = block(h)
            if hasattr(level, "upsample"):
                h = level.upsample(h)
        return self.conv_out(swish(self.norm_out(h)))


class AutoEncoder(nn.Module):
    def __init__(self, params: AutoEncoderParams):
        super().__init__()
        self.params = params
        self.encoder = Encoder(params)
        self.decoder = Decoder(params)

    def encode(self, x: Tensor) -> Tensor:
        """image [B,3,H,W] in [-1,1] -> transformer-space latent scale·(mean − shift); the mean, never a sample."""
        mean, _logvar = self.encoder(x).chunk(2, dim=1)
        return self.params.scale_factor * (mean - self.params.shift_factor)

    def decode(self, z: Tensor) -> Tensor:
        """transformer-space latent -> image, about [-1,1], not clamped (the caller clamps)."""
        return self.decoder(z / self.params.scale_factor + self.params.shift_factor)
