"""Write a chunk of procedural training samples (uint8 images + token ids) to an .npz cache.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m training.micro.make_data --seed 0 --start 0 --count 4000 \
      --out training/runs/data/train_s0_000000.npz

Samples are make_sample(seed, index) for index in [start, start+count), seed in the TRAIN range. A sample whose
fingerprint appears in kontextbench_micro/cases.json is skipped (never train on the bench).
"""
import argparse
import json
import os
import time

import numpy as np

from training.domain import CATEGORIES, check_seed, encode, get_fingerprint, make_sample
from training.micro.config import BENCH_DIR, TEXT_LEN


def load_bench_fingerprints() -> set:
    with open(os.path.join(BENCH_DIR, "cases.json")) as f:
        return {c["fingerprint"] for c in json.load(f)["cases"]}


def pad_ids(text: str, length: int = TEXT_LEN) -> np.ndarray:
    ids = encode(text)
    if len(ids) > length:
        raise ValueError(f"{text!r} has {len(ids)} ids > text length {length}")
    return np.array(ids + [0] * (length - len(ids)), dtype=np.int16)


def make_chunk(seed: int, start: int, count: int, size: int = 64) -> dict:
    check_seed("train", seed)
    banned = load_bench_fingerprints()
    inputs, targets, refs, has_ref, ids, cats, skipped = [], [], [], [], [], [], 0
    for index in range(start, start + count):
        s = make_sample(seed, index, size=size)
        if get_fingerprint(s["instruction"], s["input"], s["reference"]) in banned:
            skipped += 1
            continue
        inputs.append(s["input"])
        targets.append(s["target"])
        ref = s["reference"]
        has_ref.append(ref is not None)
        refs.append(ref if ref is not None else np.zeros_like(s["input"]))
        ids.append(pad_ids(s["instruction"]))
        cats.append(CATEGORIES.index(s["category"]))
    return {"input": np.stack(inputs), "target": np.stack(targets), "reference": np.stack(refs),
            "has_ref": np.array(has_ref), "ids": np.stack(ids), "category": np.array(cats, dtype=np.int8),
            "skipped": np.array(skipped)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    t0 = time.time()
    chunk = make_chunk(args.seed, args.start, args.count)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    np.savez(args.out, **chunk)
    print(f"{args.out}: {len(chunk['ids'])} samples, skipped {int(chunk['skipped'])} bench duplicates, "
          f"{time.time() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    main()
