"""Reconstruction PSNR of the committed (fp16) kontext-micro AE on all KontextBench-micro inputs.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m training.micro.eval_ae --model training/checkpoints/kontext-micro
"""
import argparse

import numpy as np
import torch

from training.domain import CATEGORIES
from training.kontext_ref.util import load_ae
from training.micro.common import load_bench_cases, psnr, set_single_thread, to_tensor, to_uint8


@torch.no_grad()
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    args = ap.parse_args()
    set_single_thread()
    ae = load_ae(args.model)
    cases = load_bench_cases()
    images = np.stack([c["input_image"] for c in cases])
    recon = np.concatenate([to_uint8(ae.decode(ae.encode(to_tensor(images[i:i + 50]))))
                            for i in range(0, len(images), 50)])
    scores = psnr(recon, images)
    cats = np.array([c["category"] for c in cases])
    for cat in CATEGORIES:
        print(f"{cat}: {scores[cats == cat].mean():.2f} dB")
    print(f"all {len(scores)} bench inputs: mean {scores.mean():.2f} dB, min {scores.min():.2f} dB, "
          f"share >= 30 dB {100 * (scores >= 30).mean():.0f}%")
    lat = torch.cat([ae.encode(to_tensor(images[i:i + 50])) for i in range(0, len(images), 50)])
    print(f"latents (transformer space): mean {lat.mean():.3f}, std {lat.std():.3f}")


if __name__ == "__main__":
    main()
