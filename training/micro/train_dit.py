"""Train the kontext-micro DiT + T5 + CLIP jointly with the rectified-flow objective. Resumable.

  OPENBLAS_NUM_THREADS=1 nohup /usr/bin/python3 -m training.micro.train_dit --run dit1 --minutes 50 --seed 0 \
      > training/runs/dit1/stdout.log 2>&1 &

Objective (spec §5): z_t = (1-t) x + t eps, the model predicts v = eps - x on the TARGET tokens only;
t = sigmoid(N(mu, 1)) with mu = mu_for(16 target tokens) (the same mu the sampler's shift uses). Context tokens
(input image, ids (1,r,c)) and, for style/character edits, reference tokens (ids (2,r,c)) are clean. The
guidance slot gets the fixed TRAIN_GUIDANCE (we do not distill guidance). Weights for export: an EMA (0.999).

Resume order: training/runs/<run>/ckpt.pt if present, else --init <official folder> (e.g. the committed
training/checkpoints/kontext-micro), else random init.
"""
import argparse
import copy
import math
import os
import time

import numpy as np
import torch

from training.kontext_ref.sampling import mu_for
from training.micro.common import RunLog, Timer, save_resumable, set_single_thread
from training.micro.config import CHECKPOINT_DIR, RUNS_DIR, TRAIN_GUIDANCE
from training.micro.latents import load_latents
from training.micro.model import TOKENS_PER_IMAGE, KontextMicro

VAL_COUNT = 512  # the last samples of the cache: held out from training, fixed noise and t


def make_batch(data: dict, idx: np.ndarray, gen: torch.Generator, mu: float, with_ref: bool) -> dict:
    x = torch.from_numpy(data["target"][idx]).float()
    eps = torch.randn(x.shape, generator=gen)
    t = torch.sigmoid(mu + torch.randn(len(idx), generator=gen))
    return {"x_t": (1 - t[:, None, None]) * x + t[:, None, None] * eps, "v": eps - x, "t": t,
            "ids": torch.from_numpy(data["ids"][idx].astype(np.int64)),
            "context": torch.from_numpy(data["input"][idx]).float(),
            "reference": torch.from_numpy(data["reference"][idx]).float() if with_ref else None}


def compute_loss(model: KontextMicro, batch: dict) -> torch.Tensor:
    v = model.velocity(batch["x_t"], batch["t"], batch["ids"], batch["context"], batch["reference"],
                       TRAIN_GUIDANCE)
    return ((v - batch["v"]) ** 2).mean()


@torch.no_grad()
def validate(model: KontextMicro, data: dict, val_idx: np.ndarray, mu: float) -> float:
    gen = torch.Generator().manual_seed(1234)
    total = 0.0
    for with_ref in (False, True):
        idx = val_idx[data["has_ref"][val_idx] == with_ref]
        for i in range(0, len(idx), 128):
            part = idx[i:i + 128]
            total += compute_loss(model, make_batch(data, part, gen, mu, with_ref)).item() * len(part)
    return total / len(val_idx)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--minutes", type=float, required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--chunks", type=int, default=10)
    ap.add_argument("--ae", default=CHECKPOINT_DIR, help="folder with the frozen ae.safetensors")
    ap.add_argument("--init", default=None, help="official folder to start from when the run has no ckpt.pt")
    ap.add_argument("--eval-every", type=int, default=400)
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0 = time only)")
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--final-lr", type=float, default=1.0,
                    help="cosine decay over --minutes to this fraction of --lr (1 = constant)")
    args = ap.parse_args()
    set_single_thread()
    torch.manual_seed(args.seed)
    run_dir = os.path.join(RUNS_DIR, args.run)
    ckpt_path = os.path.join(run_dir, "ckpt.pt")
    log = RunLog(run_dir)

    data = load_latents(args.ae, args.chunks)
    n = len(data["ids"])
    train_idx, val_idx = np.arange(n - VAL_COUNT), np.arange(n - VAL_COUNT, n)
    groups = {r: train_idx[data["has_ref"][train_idx] == r] for r in (False, True)}
    p_ref = len(groups[True]) / len(train_idx)
    mu = mu_for(TOKENS_PER_IMAGE)

    model = KontextMicro()
    if args.init and not os.path.exists(ckpt_path):
        from training.micro.export import load_official
        load_official(model, args.init)
        print(f"initialised from {args.init}", flush=True)
    ema = copy.deepcopy(model).requires_grad_(False)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0, betas=(0.9, 0.99))
    state = {"step": 0, "samples": 0, "time_s": 0.0, "best_val": 1e9, "seed": args.seed}
    if os.path.exists(ckpt_path):
        saved = torch.load(ckpt_path)
        model.load_state_dict(saved["model"])
        ema.load_state_dict(saved["ema"])
        opt.load_state_dict(saved["opt"])
        state = saved["state"]
        print(f"resumed {ckpt_path} at step {state['step']}", flush=True)
    counts = {k: sum(p.numel() for p in getattr(model, k).parameters()) for k in ("dit", "t5", "clip")}
    print(f"params {counts}, {len(train_idx)} train / {len(val_idx)} val samples, p_ref {p_ref:.2f}", flush=True)

    gen = torch.Generator().manual_seed(args.seed * 1_000_003 + state["step"])
    rng = np.random.default_rng([args.seed, state["step"]])
    timer = Timer(state["time_s"])
    end = timer.start + 60 * args.minutes
    losses, t_last, steps_here = [], time.time(), 0
    while True:
        with_ref = bool(rng.random() < p_ref)
        idx = rng.choice(groups[with_ref], args.batch)
        frac = min(1.0, (time.time() - timer.start) / (60 * args.minutes))
        lr = args.lr * min(1.0, (state["step"] + 1) / args.warmup) * (
            args.final_lr + (1 - args.final_lr) * 0.5 * (1 + math.cos(math.pi * frac)))
        for group in opt.param_groups:
            group["lr"] = lr
        loss = compute_loss(model, make_batch(data, idx, gen, mu, with_ref))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            decay = min(args.ema, (1 + state["step"]) / (10 + state["step"]))
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.lerp_(pm, 1 - decay)
        losses.append(loss.item())
        state["step"] += 1
        state["samples"] += args.batch
        steps_here += 1
        done = time.time() >= end or (args.max_steps and steps_here >= args.max_steps)
        if state["step"] % args.eval_every == 0 or done:
            state["time_s"] = timer.total_s
            sps = args.batch * len(losses) / (time.time() - t_last)
            val = validate(ema, data, val_idx, mu)
            log.write(step=state["step"], samples=state["samples"], time_s=round(state["time_s"], 1),
                      loss=float(np.mean(losses)), val_loss_ema=val, lr=lr, samples_per_s=round(sps, 1))
            if val < state["best_val"]:
                state["best_val"] = val
                torch.save(ema.state_dict(), os.path.join(run_dir, "best_ema.pt"))
            save_resumable(ckpt_path, {"model": model.state_dict(), "ema": ema.state_dict(),
                                       "opt": opt.state_dict(), "state": state})
            losses, t_last = [], time.time()
        if done:
            break


if __name__ == "__main__":
    main()
