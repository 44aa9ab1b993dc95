"""Choose the engine's keep-unchanged constants (workers/kontext/keepUnchanged.ts) on unseen training-range samples.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m training.micro.keep_unchanged --model training/checkpoints/kontext-micro

Edits `--count` samples make_sample(0, 500000 + k) (beyond every training run's indices, never the bench) and 60
chains make_chain(7, k) with the bundle's batched sampler (batch_eval.edit_images; runs/keep1 used 12 steps, one
run), then scores the raw outputs, the identity and the
copy-back at each threshold / feather / global-share setting: per category success (PSNR >= 24 dB) and mean PSNR,
and for chains the PSNR of the untouched pixels after each turn with the copy-back applied turn by turn.
This numpy version is the reference the TypeScript one follows (window means with clamped edges, the same order:
smooth -> threshold -> open -> fill holes -> global guard -> feather).
"""
import argparse
import itertools
import os

import numpy as np
import torch

from training.domain import CATEGORIES, make_chain
from training.micro.batch_eval import edit_images, score_edits
from training.micro.common import psnr, set_single_thread
from training.micro.config import TEXT_LEN
from training.micro.eval import SUCCESS_DB
from training.micro.export import load_for_inference
from training.micro.make_data import make_chunk, pad_ids

CHOSEN = {"threshold": 48, "feather": 3, "global_share": 0.25}


def box_mean(x: np.ndarray, r: int) -> np.ndarray:
    """Mean over (2r+1)^2 windows of [N, H, W] planes, edges clamped."""
    if r <= 0:
        return x.astype(np.float64)
    k = 2 * r + 1
    c = np.pad(np.pad(x.astype(np.float64), ((0, 0), (r, r), (r, r)), mode="edge").cumsum(1).cumsum(2),
               ((0, 0), (1, 0), (1, 0)))
    return (c[:, k:, k:] - c[:, :-k, k:] - c[:, k:, :-k] + c[:, :-k, :-k]) / (k * k)


def fill_holes(changed: np.ndarray) -> np.ndarray:
    """[N, H, W] 0/1 -> also 1 where unchanged pixels cannot reach the border through unchanged pixels."""
    free = changed == 0
    reach = np.zeros_like(free)
    for edge in (np.s_[:, 0, :], np.s_[:, -1, :], np.s_[:, :, 0], np.s_[:, :, -1]):
        reach[edge] = free[edge]
    while True:
        grown = reach.copy()
        grown[:, 1:] |= reach[:, :-1]
        grown[:, :-1] |= reach[:, 1:]
        grown[:, :, 1:] |= reach[:, :, :-1]
        grown[:, :, :-1] |= reach[:, :, 1:]
        grown &= free
        if (grown == reach).all():
            return (~reach).astype(np.float64)
        reach = grown


def keep_unchanged(inputs: np.ndarray, outputs: np.ndarray, threshold: float, feather: int, global_share: float,
                   smooth: int = 1, opening: int = 1) -> np.ndarray:
    """uint8 [N, H, W, 3] inputs/outputs -> outputs with unchanged pixels copied from the inputs (64x64: unit 1)."""
    i, o = inputs.astype(np.float64), outputs.astype(np.float64)
    changed = (box_mean(np.abs(o - i).max(-1), smooth) > threshold).astype(np.float64)
    changed = (box_mean((box_mean(changed, opening) > 1 - 1e-9).astype(np.float64), opening) > 1e-9).astype(np.float64)
    changed = fill_holes(changed)
    weight = box_mean(changed, feather)
    weight[changed.reshape(len(changed), -1).mean(1) > global_share] = 1
    return np.round(i + weight[..., None] * (o - i)).astype(np.uint8)


def score_row(label: str, images: np.ndarray, cases: dict) -> str:
    rows = score_edits(images, cases)
    cells = [f"{label:30s} all {100 * rows['overall']['success']:5.1f}% {rows['overall']['psnr']:5.2f} dB"]
    cells += [f"{name.split('_')[0]} {100 * rows[name]['success']:3.0f}% {rows[name]['psnr']:5.2f}"
              for name in CATEGORIES if name in rows]
    return " | ".join(cells)


def chain_rows(model, ae, settings: list, seed: int = 100, edit=edit_images) -> list[str]:
    chains = [c for c in (make_chain(7, k) for k in range(60)) if c["untouched"].any()]
    original = np.stack([c["input"] for c in chains])
    untouched = np.stack([c["untouched"] for c in chains])
    rows = []
    for label, keep in settings:
        current, turns = original, []
        for t in range(5):
            # encode_chunk also encodes a target; chains have none to give, so the input stands in (unused)
            turn = {"input": current, "target": current, "reference": np.zeros_like(original),
                    "has_ref": np.zeros(len(chains), bool),
                    "ids": np.stack([pad_ids(c["turns"][t]["instruction"], TEXT_LEN) for c in chains])}
            output = edit(model, ae, turn, seed=seed + t)
            current = keep(current, output) if keep else output
            turns.append(psnr(current, original, untouched).mean())
        rows.append(f"{label:30s} untouched PSNR by turn " + " ".join(f"{v:6.2f}" for v in turns)
                    + f" | turn 1 -> 5 loss {turns[0] - turns[-1]:.2f} dB ({len(chains)} chains)")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--count", type=int, default=1500)
    ap.add_argument("--cache", help="npz of earlier outputs for the same --count (written when absent)")
    args = ap.parse_args()
    set_single_thread()
    model, ae = load_for_inference(args.model)
    if args.cache and os.path.exists(args.cache):
        cases = dict(np.load(args.cache))
    else:
        cases = make_chunk(0, 500_000, args.count)
        cases["output"] = edit_images(model, ae, cases, seed=3)
        if args.cache:
            np.savez(args.cache, **cases)
    x, out = cases["input"], cases["output"]
    print(f"{len(x)} edits of make_sample(0, 500000 + k); success = PSNR >= {SUCCESS_DB} dB")
    print(score_row("identity (output = input)", x, cases))
    print(score_row("model output", out, cases))
    for threshold, feather, share in itertools.product([32, 48, 64, 96], [1, 2, 3, 4], [0.25, 0.5, 1.0]):
        mark = " *" if (threshold, feather, share) == tuple(CHOSEN.values()) else ""
        label = f"keep t{threshold} f{feather} g{share}{mark}"
        print(score_row(label, keep_unchanged(x, out, threshold, feather, share), cases))
    for row in chain_rows(model, ae, [("model output", None),
                                      ("keep (chosen)", lambda i, o: keep_unchanged(i, o, **CHOSEN))]):
        print(row)


if __name__ == "__main__":
    torch.set_grad_enabled(False)
    main()
