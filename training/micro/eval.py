"""Score a kontext-micro folder on KontextBench-micro through kontext_ref.sampling.kontext_edit (the math the
browser engine runs): per category success rate (PSNR to target >= 24 dB), mean PSNR, and the identity
baseline (output = input), and the AE ceiling (PSNR of decode(encode(target))).

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m training.micro.eval --model training/checkpoints/kontext-micro \
      --per-category 20 --steps 12

Case k of each category is used for k < per-category; the noise of case k is torch.randn(1,16,8,8) from
Generator().manual_seed(seed + k), so runs are reproducible.
"""
import argparse
import json
import os
import time

import numpy as np
import torch

from training.domain import CATEGORIES
from training.kontext_ref.sampling import kontext_edit
from training.kontext_ref.util import load_model_folder
from training.micro.common import load_bench_cases, psnr, set_single_thread, to_tensor, to_uint8
from training.micro.make_data import pad_ids

SUCCESS_DB = 24.0


def run_case(models: dict, case: dict, noise: torch.Tensor, steps: int, guidance: float,
             length: int) -> np.ndarray:
    """One edit; T5 and CLIP get the same ids (one tokenizer), padded with <pad> to the bundle's text length."""
    ids = torch.from_numpy(pad_ids(case["instruction"], length).astype(np.int64))[None]
    refs = [to_tensor(case["input_image"][None])]
    if case["reference_image"] is not None:
        refs.append(to_tensor(case["reference_image"][None]))
    out = kontext_edit(models["dit"], models["ae"], models["t5"], models["clip"], ids, ids, refs, noise, steps,
                       guidance)
    return to_uint8(out["image"])[0]


def evaluate(folder: str, per_category: int, steps: int, guidance: float, seed: int = 0) -> dict:
    models = load_model_folder(folder)
    with open(os.path.join(folder, "kontext_bundle.json")) as f:
        length = json.load(f)["t5_max_length"]
    cases = [c for c in load_bench_cases() if int(c["id"].rsplit("_", 1)[1]) < per_category]
    rows = {c: {"model": [], "identity": [], "ae": []} for c in CATEGORIES}
    for case in cases:
        k = int(case["id"].rsplit("_", 1)[1])
        noise = torch.randn(1, 16, 8, 8, generator=torch.Generator().manual_seed(seed + k))
        out = run_case(models, case, noise, steps, guidance, length)
        rows[case["category"]]["model"].append(psnr(out[None], case["target_image"][None])[0])
        rows[case["category"]]["identity"].append(psnr(case["input_image"][None], case["target_image"][None])[0])
        with torch.no_grad():  # the AE's ceiling: decode(encode(target)) vs target
            recon = to_uint8(models["ae"].decode(models["ae"].encode(to_tensor(case["target_image"][None]))))
        rows[case["category"]]["ae"].append(psnr(recon, case["target_image"][None])[0])
    summary = {}
    for cat, r in rows.items():
        summary[cat] = summarize(r)
    keys = ("model", "identity", "ae")
    summary["overall"] = summarize({k: np.concatenate([r[k] for r in rows.values()]) for k in keys})
    return summary


def summarize(r: dict) -> dict:
    m, i, a = np.array(r["model"]), np.array(r["identity"]), np.array(r["ae"])
    return {"n": len(m), "success": float((m >= SUCCESS_DB).mean()), "psnr": float(m.mean()),
            "identity_success": float((i >= SUCCESS_DB).mean()), "identity_psnr": float(i.mean()),
            "ae_ceiling_psnr": float(a.mean())}


def format_table(summary: dict) -> str:
    lines = ["| category | n | success | mean PSNR | identity success | identity PSNR | AE ceiling PSNR |",
             "|---|---|---|---|---|---|---|"]
    for cat, s in summary.items():
        lines.append(f"| {cat} | {s['n']} | {100 * s['success']:.0f}% | {s['psnr']:.2f} dB | "
                     f"{100 * s['identity_success']:.0f}% | {s['identity_psnr']:.2f} dB | "
                     f"{s['ae_ceiling_psnr']:.2f} dB |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--per-category", type=int, default=20)
    ap.add_argument("--steps", type=int, default=None, help="default: kontext_bundle.json default_steps")
    ap.add_argument("--guidance", type=float, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="also write the summary here")
    args = ap.parse_args()
    set_single_thread()
    with open(os.path.join(args.model, "kontext_bundle.json")) as f:
        bundle = json.load(f)
    steps = args.steps or bundle["default_steps"]
    guidance = args.guidance if args.guidance is not None else bundle["default_guidance"]
    t0 = time.time()
    summary = evaluate(args.model, args.per_category, steps, guidance, args.seed)
    print(f"{args.model}: {steps} steps, guidance {guidance}, one run per case, {time.time() - t0:.0f}s")
    if bundle.get("default_average", 1) > 1:  # the engine's own extension, not part of the reference sampler
        print(f"(the bundle averages {bundle['default_average']} runs per edit: batch_eval.edit_images and "
              "npm run bench:quality apply that, this script does not)")
    print(format_table(summary))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"steps": steps, "guidance": guidance, "summary": summary}, f, indent=1)


if __name__ == "__main__":
    main()
