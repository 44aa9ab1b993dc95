"""The DiT objective (spec §5) and the schedule helpers both trainers share (train_dit on the CPU, train_gpu).

Rectified flow: z_t = (1-t) x + t eps, the model predicts v = eps - x on the target tokens only,
t = sigmoid(N(mu, 1)). Batches: {target, input, reference (or None), ids} tensors on the model's device.
"""
import math

import torch

from training.micro.config import TRAIN_GUIDANCE
from training.micro.model import KontextMicro


def rf_loss(model: KontextMicro, batch: dict, gen: torch.Generator, mu: float, autocast: bool = False) -> torch.Tensor:
    x = batch["target"]
    eps = torch.randn(x.shape, device=x.device, generator=gen)
    t = torch.sigmoid(mu + torch.randn(len(x), device=x.device, generator=gen))
    x_t = (1 - t[:, None, None]) * x + t[:, None, None] * eps
    with torch.autocast(device_type=x.device.type, dtype=torch.bfloat16, enabled=autocast):
        v = model.velocity(x_t, t, batch["ids"], batch["input"], batch["reference"], TRAIN_GUIDANCE)
    return ((v.float() - (eps - x)) ** 2).mean()


@torch.no_grad()
def validate(model: KontextMicro, tokens: dict, mu: float, autocast: bool = False) -> float:
    """Mean loss over held-out tokens {input, target, reference, ids, has_ref} at fixed noise and t."""
    gen = torch.Generator(device=tokens["ids"].device).manual_seed(1234)
    total, n = 0.0, 0
    for with_ref in (False, True):
        idx = torch.nonzero(tokens["has_ref"] == with_ref).flatten()
        if len(idx):
            batch = {k: tokens[k][idx].float() for k in ("input", "target", "reference")}
            batch["reference"] = batch["reference"] if with_ref else None
            total += rf_loss(model, {**batch, "ids": tokens["ids"][idx]}, gen, mu, autocast).item() * len(idx)
            n += len(idx)
    return total / n


def dit_step(model: KontextMicro, ema_params: list, opt: torch.optim.Optimizer, batch: dict, gen: torch.Generator,
               mu: float, lr: float, step: int, ema: float, autocast: bool = False) -> torch.Tensor:
    """One AdamW step on rf_loss at `lr` (grad clip 1), then the EMA step (decay ramps up to `ema`); returns the
    (detached) loss."""
    for group in opt.param_groups:
        group["lr"] = lr
    loss = rf_loss(model, batch, gen, mu, autocast)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    with torch.no_grad():
        lerp_all(ema_params, list(model.parameters()), 1 - min(ema, (1 + step) / (10 + step)))
    return loss.detach()


def cosine_lr(peak: float, frac: float, floor: float = 0.05) -> float:
    """peak at frac 0, peak * floor at frac >= 1."""
    return peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))


def lerp_all(targets: list, sources: list, weight: float) -> None:
    """EMA step: targets += weight * (sources - targets)."""
    if hasattr(torch, "_foreach_lerp_"):  # one kernel launch per group on torch 2 (the GPU machine)
        torch._foreach_lerp_(targets, sources, weight)
    else:
        for t, s in zip(targets, sources):
            t.lerp_(s, weight)
