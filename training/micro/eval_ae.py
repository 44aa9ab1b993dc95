"""The committed (fp16) kontext-micro AE on KontextBench-micro: reconstruction of the inputs, the same after 5
round trips (what a 5-turn chain does to untouched pixels), and the edit ceiling: the share of targets whose
reconstruction reaches the 24 dB success bar (no DiT can score above it), and the same for the app's default, where
the engine copies unchanged pixels back from the input (keep_unchanged), so only the edited region goes through the AE;
both also under the strict measure of `npm run bench:quality` (whole image >= 24 dB, touched region >= 20 dB,
>= 1 dB closer to the target than the input).

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m training.micro.eval_ae --model training/checkpoints/kontext-micro
"""
import argparse
import os

import numpy as np
import torch

from training.domain import CATEGORIES, read_png
from training.kontext_ref.util import load_ae
from training.micro.common import BENCH_DIR, load_bench_cases, psnr, set_single_thread, to_tensor
from training.micro.eval import SUCCESS_DB
from training.micro.keep_unchanged import CHOSEN, keep_unchanged
from training.micro.train_ae import reconstruct


STRICT_REGION_DB, STRICT_GAIN_DB = 20.0, 1.0  # tools/bench/qualityMetrics.ts STRICT


@torch.no_grad()
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    args = ap.parse_args()
    set_single_thread()
    ae = load_ae(args.model)
    cases = load_bench_cases()
    inputs = np.stack([c["input_image"] for c in cases])
    targets = np.stack([c["target_image"] for c in cases])
    once, five = psnr(reconstruct(ae, inputs), inputs), psnr(reconstruct(ae, inputs, trips=5), inputs)
    decoded = reconstruct(ae, targets)
    ceiling, kept = psnr(decoded, targets), psnr(keep_unchanged(inputs, decoded, **CHOSEN), targets)
    cats = np.array([c["category"] for c in cases])
    for cat in CATEGORIES:
        s = cats == cat
        print(f"{cat}: {once[s].mean():.2f} dB, after 5 round trips {five[s].mean():.2f} dB; targets "
              f"{ceiling[s].mean():.2f} dB, {100 * (ceiling[s] >= SUCCESS_DB).mean():.0f}% >= {SUCCESS_DB:g} dB "
              f"({100 * (kept[s] >= SUCCESS_DB).mean():.0f}% with keep-unchanged)")
    print(f"all {len(once)} bench inputs: mean {once.mean():.2f} dB, min {once.min():.2f} dB, "
          f"share >= 30 dB {100 * (once >= 30).mean():.0f}%; after 5 round trips {five.mean():.2f} dB "
          f"(loss {once.mean() - five.mean():.2f} dB)")
    print(f"edit ceiling: targets {ceiling.mean():.2f} dB, {100 * (ceiling >= SUCCESS_DB).mean():.0f}% >= "
          f"{SUCCESS_DB:g} dB; with keep-unchanged {kept.mean():.2f} dB, {100 * (kept >= SUCCESS_DB).mean():.0f}%")
    touched = np.stack([read_png(os.path.join(BENCH_DIR, c["touched"])) > 127 for c in cases])
    identity = psnr(inputs, targets)
    kept_images = keep_unchanged(inputs, decoded, **CHOSEN)
    for label, out in (("strict edit ceiling", decoded), ("with keep-unchanged", kept_images)):
        whole, region = psnr(out, targets), psnr(out, targets, touched)
        ok = (whole >= SUCCESS_DB) & (region >= STRICT_REGION_DB) & (whole >= identity + STRICT_GAIN_DB)
        per_category = ", ".join(f"{c} {100 * ok[cats == c].mean():.0f}% (region {region[cats == c].mean():.2f} dB)"
                                 for c in CATEGORIES)
        print(f"{label}: {100 * ok.mean():.1f}%; {per_category}")
    lat = torch.cat([ae.encode(to_tensor(inputs[i:i + 50])) for i in range(0, len(inputs), 50)])
    print(f"latents (transformer space): mean {lat.mean():.3f}, std {lat.std():.3f}")


if __name__ == "__main__":
    main()
