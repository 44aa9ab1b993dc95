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
import os
import time

import numpy as np
import torch

from training.kontext_ref.sampling import mu_for
from training.micro.common import RunLog, Timer, save_resumable, set_single_thread
from training.micro.config import CHECKPOINT_DIR, RUNS_DIR
from training.micro.latents import load_latents
from training.micro.model import TOKENS_PER_IMAGE, KontextMicro
from training.micro.objective import cosine_lr, dit_step, validate

VAL_COUNT = 512  # the last samples of the cache: held out from training, fixed noise and t


def make_batch(data: dict, idx: np.ndarray, with_ref: bool) -> dict:
    tensor = lambda key: torch.from_numpy(data[key][idx]).float()
    return {"target": tensor("target"), "input": tensor("input"), "reference": tensor("reference") if with_ref else None,
            "ids": torch.from_numpy(data["ids"][idx].astype(np.int64))}


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
    val_tokens = {k: torch.from_numpy(data[k][val_idx]) for k in ("input", "target", "reference", "has_ref")}
    val_tokens["ids"] = torch.from_numpy(data["ids"][val_idx].astype(np.int64))

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

    if state["step"] == 0 and args.init:  # the starting point on this run's held-out samples, for comparison
        log.write(step=0, samples=0, time_s=0.0, val_loss_ema=validate(ema, val_tokens, mu))
    ema_params = list(ema.parameters())
    gen = torch.Generator().manual_seed(args.seed * 1_000_003 + state["step"])
    rng = np.random.default_rng([args.seed, state["step"]])
    timer = Timer(state["time_s"])
    end = timer.start + 60 * args.minutes
    losses, t_last, steps_here = [], time.time(), 0
    while True:
        with_ref = bool(rng.random() < p_ref)
        idx = rng.choice(groups[with_ref], args.batch)
        frac = (time.time() - timer.start) / (60 * args.minutes)
        lr = args.lr * min(1.0, (state["step"] + 1) / args.warmup) * cosine_lr(1.0, frac, args.final_lr)
        loss = dit_step(model, ema_params, opt, make_batch(data, idx, with_ref), gen, mu, lr, state["step"], args.ema)
        losses.append(loss.item())
        state["step"] += 1
        state["samples"] += args.batch
        steps_here += 1
        done = time.time() >= end or (args.max_steps and steps_here >= args.max_steps)
        if state["step"] % args.eval_every == 0 or done:
            state["time_s"] = timer.total_s
            sps = args.batch * len(losses) / (time.time() - t_last)
            val = validate(ema, val_tokens, mu)
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
