"""Train the kontext-micro autoencoder (FLUX AE architecture, config.AE) on domain images. Resumable.

  OPENBLAS_NUM_THREADS=1 nohup /usr/bin/python3 -m training.micro.train_ae --run ae1 --minutes 30 --seed 0 \
      > training/runs/ae1/stdout.log 2>&1 &

Early training may use --crop 32 (8-aligned crops, 4x the steps per second), then full images.
Loss: L1 + L2 between the image and the decoded encoder MEAN (deterministic AE, no KL; the logvar half of
conv_out is unused, as at inference), plus 1e-4 * mean(latent^2) to keep latents bounded. Images: inputs,
targets and references of the cached chunks. Evaluates PSNR on the first `--eval-count` bench inputs.
State: training/runs/<run>/ckpt.pt (with optimizer); log: training/runs/<run>/log.jsonl.
"""
import argparse
import os
import time

import numpy as np
import torch

from training.kontext_ref.autoencoder import AutoEncoder
from training.kontext_ref.util import load_ae
from training.micro.common import (RunLog, Timer, load_bench_cases, load_chunks, psnr, save_resumable,
                                   set_single_thread, to_float, to_tensor, to_uint8, uint8_levels)
from training.micro.config import AE, RUNS_DIR


def collect_images(data: dict) -> np.ndarray:
    return np.concatenate([data["input"], data["target"], data["reference"][data["has_ref"]]])


@torch.no_grad()
def reconstruct(ae: AutoEncoder, images: np.ndarray, batch: int = 50, trips: int = 1) -> np.ndarray:
    """uint8 images after `trips` encode → decode → uint8 round trips (what a chain of edits does to them), on the
    AE's own device; the AE's train/eval mode is left as it was."""
    was_training, device = ae.training, next(ae.parameters()).device
    ae.eval()
    out = []
    for i in range(0, len(images), batch):
        y = images[i:i + batch]
        for _ in range(trips):
            y = to_uint8(ae.decode(ae.encode(to_float(torch.from_numpy(y).to(device)))))
        out.append(y)
    ae.train(was_training)
    return np.concatenate(out)


def train_step(ae: AutoEncoder, opt: torch.optim.Optimizer, x: torch.Tensor, cycle: float = 0.0) -> torch.Tensor:
    """One step on L1 + L2 of decoder(encoder mean) vs x, + 1e-4·mean(latent²); returns the (detached) loss.

    cycle > 0 adds cycle·(L1 + L2) of a second round trip of the (8-bit) decoded image back to itself, so that
    decode∘encode drifts less over a chain of edits (decoder-only runs: the encoder is frozen).
    """
    mean = ae.encoder(x).chunk(2, dim=1)[0]
    y = ae.decoder(mean)
    loss = (y - x).abs().mean() + ((y - x) ** 2).mean() + 1e-4 * (mean**2).mean()
    if cycle:
        y8 = uint8_levels(y.detach()) / 127.5 - 1  # the decoded image as the app stores it (8 bits)
        with torch.no_grad():
            mean2 = ae.encoder(y8).chunk(2, dim=1)[0]
        y2 = ae.decoder(mean2)
        loss = loss + cycle * ((y2 - y8).abs().mean() + ((y2 - y8) ** 2).mean())
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(ae.parameters(), 1.0)
    opt.step()
    return loss.detach()


def make_optimizer(ae: AutoEncoder, lr: float, decoder_only: bool) -> torch.optim.Optimizer:
    """AdamW over the AE, or over its decoder alone with the encoder frozen (the latent space stays)."""
    ae.encoder.requires_grad_(not decoder_only)
    return torch.optim.AdamW([p for p in ae.parameters() if p.requires_grad], lr=lr, weight_decay=0.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--minutes", type=float, required=True, help="training time for this invocation")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--crop", type=int, default=0,
                    help="train on random crops of this size (multiple of 8, 8-aligned): more steps per second")
    ap.add_argument("--chunks", type=int, default=4, help="data chunks to draw images from")
    ap.add_argument("--eval-every", type=int, default=500)
    ap.add_argument("--eval-count", type=int, default=100)
    ap.add_argument("--init", help="official folder whose ae.safetensors starts a run that has no ckpt.pt")
    ap.add_argument("--decoder-only", action="store_true",
                    help="freeze the encoder: the latent space (and a DiT trained on it) stays valid")
    ap.add_argument("--cycle", type=float, default=0.0,
                    help="weight of the second-round-trip loss (needs --decoder-only); best.pt is then chosen by "
                         "the PSNR after 5 round trips")
    args = ap.parse_args()
    if args.cycle and not args.decoder_only:
        ap.error("--cycle needs --decoder-only (with a trainable encoder the second trip's target moves too)")
    set_single_thread()
    run_dir = os.path.join(RUNS_DIR, args.run)
    ckpt_path = os.path.join(run_dir, "ckpt.pt")
    log = RunLog(run_dir)

    images = collect_images(load_chunks(limit=args.chunks))
    bench = np.stack([c["input_image"] for c in load_bench_cases()[::5][:args.eval_count]])
    ae = AutoEncoder(AE)
    if args.init and not os.path.exists(ckpt_path):
        ae.load_state_dict(load_ae(args.init).state_dict())
        print(f"initialised from {args.init}", flush=True)
    opt = make_optimizer(ae, args.lr, args.decoder_only)
    state = {"step": 0, "samples": 0, "time_s": 0.0, "best_psnr": 0.0, "seed": args.seed}
    if os.path.exists(ckpt_path):
        saved = torch.load(ckpt_path)
        ae.load_state_dict(saved["model"])
        opt.load_state_dict(saved["opt"])
        state = saved["state"]
        print(f"resumed {ckpt_path} at step {state['step']}", flush=True)
    for group in opt.param_groups:  # the lr of this invocation wins over the saved one (decay by resuming)
        group["lr"] = args.lr
    gen = np.random.default_rng([args.seed, state["step"]])
    timer = Timer(state["time_s"])
    end = timer.start + 60 * args.minutes
    print(f"AE params {sum(p.numel() for p in ae.parameters()):,}, {len(images)} train images", flush=True)

    losses, t_last = [], time.time()
    while True:
        x = to_tensor(images[gen.integers(0, len(images), args.batch)])
        if gen.random() < 0.5:  # the domain is left-right symmetric; flips double the shapes' variety
            x = x.flip(3)
        if args.crop:
            r, c = 8 * gen.integers(0, (64 - args.crop) // 8 + 1, 2)
            x = x[:, :, r:r + args.crop, c:c + args.crop]
        losses.append(train_step(ae, opt, x, args.cycle).item())
        state["step"] += 1
        state["samples"] += args.batch
        done = time.time() >= end
        if state["step"] % args.eval_every == 0 or done:
            state["time_s"] = timer.total_s
            score = float(psnr(reconstruct(ae, bench), bench).mean())
            score5 = float(psnr(reconstruct(ae, bench, trips=5), bench).mean())
            log.write(step=state["step"], samples=state["samples"], time_s=round(state["time_s"], 1),
                      loss=float(np.mean(losses)), bench_psnr=score, bench_psnr5=score5, lr=args.lr,
                      samples_per_s=round(args.batch * len(losses) / (time.time() - t_last), 2))
            score = score5 if args.cycle else score
            losses, t_last = [], time.time()
            if score > state["best_psnr"]:
                state["best_psnr"] = score
                torch.save(ae.state_dict(), os.path.join(run_dir, "best.pt"))
            save_resumable(ckpt_path, {"model": ae.state_dict(), "opt": opt.state_dict(), "state": state})
        if done:
            break


if __name__ == "__main__":
    main()
