"""Kontext sampling (spec §1, §3, §4.2, §5, §7): schedule, packing, position ids, Euler denoising with reference
tokens, latent-space mask blending, and the whole edit pipeline with the noise passed in."""
import math

import torch
from torch import Tensor

from .autoencoder import AutoEncoder
from .clip import CLIPTextModel
from .model import Flux
from .t5 import T5Encoder


def time_shift(mu: float, sigma: float, t: float) -> float:
    """e^mu / (e^mu + (1/t − 1)^sigma); t = 0 stays 0 (the formula's limit)."""
    if t <= 0.0:
        return 0.0
    return math.exp(mu) / (math.exp(mu) + (1 / t - 1) ** sigma)


def mu_for(seq_len: int, x1: float = 256, y1: float = 0.5, x2: float = 4096, y2: float = 1.15) -> float:
    """mu is linear in the TARGET token count (context tokens are not counted); no clamping outside [256, 4096]."""
    return y1 + (seq_len - x1) * (y2 - y1) / (x2 - x1)


def get_schedule(num_steps: int, image_seq_len: int, shift: bool = True) -> list[float]:
    """num_steps + 1 sigmas from 1 to 0: t_k = 1 − k/N, then time_shift(mu(L), 1, t_k)."""
    ts = [1 - k / num_steps for k in range(num_steps + 1)]
    if shift:
        mu = mu_for(image_seq_len)
        ts = [time_shift(mu, 1.0, t) for t in ts]
    return ts


def pack(z: Tensor) -> Tensor:
    """[B, C, h, w] -> [B, (h/2)(w/2), 4C]: token n = R·(w/2)+C, feature f = c·4 + py·2 + px."""
    b, c, h, w = z.shape
    if h % 2 or w % 2:
        raise ValueError(f"latent {h}x{w} must have even sides to pack 2x2 patches")
    return z.reshape(b, c, h // 2, 2, w // 2, 2).permute(0, 2, 4, 1, 3, 5).reshape(b, (h // 2) * (w // 2), c * 4)


def unpack(x: Tensor, h: int, w: int) -> Tensor:
    """Exact inverse of pack; h, w are the LATENT height and width."""
    b, n, f = x.shape
    c = f // 4
    return x.reshape(b, h // 2, w // 2, c, 2, 2).permute(0, 3, 1, 4, 2, 5).reshape(b, c, h, w)


def make_ids(index: int, h_tokens: int, w_tokens: int) -> Tensor:
    """[(index, r, c)] in row-major order (the packing order): index 0 = target, i >= 1 = reference i.
    Every grid starts at (0, 0), whatever its size."""
    r, c = torch.meshgrid(torch.arange(h_tokens), torch.arange(w_tokens), indexing="ij")
    ids = torch.stack([torch.full_like(r, index), r, c], dim=-1).reshape(h_tokens * w_tokens, 3)
    return ids.to(torch.float32)


def pack_mask(mask: Tensor, z_channels: int) -> Tensor:
    """Latent-resolution mask [B, 1, h, w] (1 = repaint) -> [B, L, 4Z], repeated over channels then packed."""
    return pack(mask.expand(-1, z_channels, -1, -1))


def denoise(model: Flux, img: Tensor, img_ids: Tensor, txt: Tensor, txt_ids: Tensor, vec: Tensor,
            timesteps: list[float], guidance: float, ref: Tensor | None = None, ref_ids: Tensor | None = None,
            mask: Tensor | None = None, image_latents: Tensor | None = None) -> Tensor:
    """Euler over the schedule. img [B, L_t, C] target tokens; ref [B, L_r, C] reference tokens appended each step
    (they are inputs only: their outputs are dropped). With `mask` (packed, 1 = repaint) and `image_latents`
    (packed clean latents of the edited image), after each step the kept area is reset to image_latents noised to
    the next sigma with the initial noise (§7); at the last step that is the clean latent."""
    noise = img
    n_t = img.shape[1]
    b = img.shape[0]
    g = torch.full((b,), guidance, dtype=img.dtype)
    for t_curr, t_next in zip(timesteps[:-1], timesteps[1:]):
        x_in, ids_in = img, img_ids
        if ref is not None:
            x_in, ids_in = torch.cat((img, ref), dim=1), torch.cat((img_ids, ref_ids), dim=1)
        v = model(img=x_in, img_ids=ids_in, txt=txt, txt_ids=txt_ids, y=vec,
                  timesteps=torch.full((b,), t_curr, dtype=img.dtype), guidance=g)[:, :n_t]
        img = img + (t_next - t_curr) * v
        if mask is not None:
            kept = t_next * noise + (1 - t_next) * image_latents
            img = (1 - mask) * kept + mask * img
    return img


@torch.no_grad()
def kontext_edit(dit: Flux, ae: AutoEncoder, t5: T5Encoder, clip: CLIPTextModel, t5_ids: Tensor, clip_ids: Tensor,
                 ref_images: list[Tensor], noise: Tensor, num_steps: int, guidance: float,
                 mask: Tensor | None = None) -> dict[str, Tensor]:
    """Whole edit at a fixed noise. ref_images: [1,3,H_i,W_i] in [-1,1]; reference i (1-based) gets ids (i, r, c).
    noise [1, Z, h, w] fixes the target latent size. mask [1, 1, h, w] at latent resolution, 1 = repaint; the
    kept area comes from reference 1, which must then have the target size.
    Returns the intermediates too, so an engine can be checked stage by stage."""
    txt = t5(t5_ids)
    _, pooled = clip(clip_ids)
    b, z, h, w = noise.shape
    txt_ids = torch.zeros(b, txt.shape[1], 3)

    ref_lat = [ae.encode(im) for im in ref_images]
    ref = torch.cat([pack(r) for r in ref_lat], dim=1)
    ref_ids = torch.cat([make_ids(i + 1, r.shape[2] // 2, r.shape[3] // 2) for i, r in enumerate(ref_lat)])[None]

    img = pack(noise)
    img_ids = make_ids(0, h // 2, w // 2)[None]
    timesteps = get_schedule(num_steps, img.shape[1])

    packed_mask = image_latents = None
    if mask is not None:
        if ref_lat[0].shape != noise.shape:
            raise ValueError(f"mask blending needs reference 1 {tuple(ref_lat[0].shape)} at the target latent size "
                             f"{tuple(noise.shape)}")
        packed_mask, image_latents = pack_mask(mask.to(noise.dtype), z), pack(ref_lat[0])

    x = denoise(dit, img, img_ids.to(img.dtype), txt, txt_ids.to(img.dtype), pooled, timesteps, guidance,
                ref=ref, ref_ids=ref_ids.to(img.dtype), mask=packed_mask, image_latents=image_latents)
    latents = unpack(x, h, w)
    return {"text_embeddings": txt, "pooled_embeddings": pooled, "timesteps": torch.tensor(timesteps),
            "reference_tokens": ref, "reference_ids": ref_ids[0], "latents": latents, "image": ae.decode(latents)}
