"""Choose kontext-micro's sampler defaults (kontext_bundle.json default_steps and default_average) on unseen
training-range samples, never the bench.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m training.micro.sampler_sweep --model training/checkpoints/kontext-micro

For each step count, edits `--count` samples make_sample(0, 500000 + k) (the keep-unchanged sweep's samples) from
`--runs` noise seeds, then scores the mean of the first n runs' target tokens for n = 1, 2, 4, ... (one decode
of the mean: what the engine does with `average` = n), with and without the keep-unchanged copy-back. The
model is trained with an MSE objective on an editing domain whose targets are exact, so each run is the mean edit
plus the model's own noise; averaging runs removes that noise. Last, the chains (make_chain(7, k)) for the
settings named by --chains.
"""
import argparse
import time

import torch

from training.micro.batch_eval import decode_tokens, edit_images, edit_tokens
from training.micro.common import set_single_thread
from training.micro.export import load_for_inference
from training.micro.keep_unchanged import CHOSEN, chain_rows, keep_unchanged, score_row
from training.micro.make_data import make_chunk


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--count", type=int, default=600)
    ap.add_argument("--steps", type=int, nargs="*", default=[1, 2, 4, 12], help="none: chains only")
    ap.add_argument("--runs", type=int, default=8, help="noise seeds per step count; n doubles up to it")
    ap.add_argument("--chains", nargs="*", default=["12x1", "2x4"], help="STEPSxAVERAGE settings to run chains with")
    args = ap.parse_args()
    set_single_thread()
    model, ae = load_for_inference(args.model)
    cases = make_chunk(0, 500_000, args.count)
    print(f"{args.count} edits of make_sample(0, 500000 + k); success = PSNR >= 24 dB; noise seeds 3, 4, ...")
    print(score_row("identity (output = input)", cases["input"], cases), flush=True)
    for steps in args.steps:
        start, runs = time.time(), []
        n = 1
        while n <= args.runs:
            runs += [edit_tokens(model, ae, cases, seed=3 + r, steps=steps) for r in range(len(runs), n)]
            out = decode_tokens(ae, torch.stack(runs).mean(0))
            print(score_row(f"{steps} steps, average {n}", out, cases), flush=True)
            print(score_row(f"{steps} steps, average {n}, keep", keep_unchanged(cases["input"], out, **CHOSEN), cases),
                  f"({time.time() - start:.0f} s so far)", flush=True)
            n *= 2
    for setting in args.chains:
        steps, average = map(int, setting.split("x"))
        edit = lambda m, a, turn, seed: edit_images(m, a, turn, seed, steps=steps, average=average)  # noqa: E731
        for row in chain_rows(model, ae, [(f"{setting} model output", None),
                                          (f"{setting} keep", lambda i, o: keep_unchanged(i, o, **CHOSEN))], edit=edit):
            print(row, flush=True)


if __name__ == "__main__":
    torch.set_grad_enabled(False)
    main()
