"""Shared helpers: threads, data chunks, resumable checkpoints, jsonl logs, PSNR, bench cases."""
import glob
import json
import os
import time

import numpy as np
import torch

from training.domain import read_png
from training.micro.config import BENCH_DIR, DATA_DIR


def set_single_thread() -> None:
    """One torch thread (OpenBLAS threads must also be 1: set OPENBLAS_NUM_THREADS=1 in the environment)."""
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        print("warning: OPENBLAS_NUM_THREADS is not 1; runs get several times slower", flush=True)


def load_chunks(pattern: str = "train_s0_*.npz", limit: int | None = None) -> dict:
    """Concatenate the cached data chunks (make_data.py) in name order."""
    paths = sorted(glob.glob(os.path.join(DATA_DIR, pattern)))[:limit]
    if not paths:
        raise FileNotFoundError(f"no data chunks {pattern} in {DATA_DIR}; run training.micro.make_data first")
    parts = [dict(np.load(p)) for p in paths]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0] if k != "skipped"}


def to_float(u8: torch.Tensor) -> torch.Tensor:
    """[N, H, W, 3] uint8 (any device) -> [N, 3, H, W] float in [-1, 1]."""
    return u8.permute(0, 3, 1, 2).float() / 127.5 - 1


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """[N, H, W, 3] uint8 numpy -> [N, 3, H, W] float in [-1, 1]."""
    return to_float(torch.from_numpy(images))


def uint8_levels(images: torch.Tensor) -> torch.Tensor:
    """[-1, 1] -> the 0..255 levels the app stores (clamp, round), still float and on the same device."""
    return ((images.float().clamp(-1, 1) + 1) * 127.5).round()


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """[N, 3, H, W] about [-1, 1] (any device) -> [N, H, W, 3] uint8 numpy."""
    return uint8_levels(images).to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()


def psnr(a: np.ndarray, b: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
    """Per-image PSNR in dB of uint8 [N, H, W, 3] arrays (capped at 99 dB for identical images), over the pixels
    of the bool [N, H, W] `where` when given."""
    sq = ((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean(-1)
    mse = np.array([s[w].mean() for s, w in zip(sq, where)]) if where is not None else sq.reshape(len(sq), -1).mean(1)
    return np.where(mse > 0, 10 * np.log10(255.0**2 / np.maximum(mse, 1e-12)), 99.0)


def load_bench_cases() -> list[dict]:
    """KontextBench-micro single-edit cases with their images loaded (uint8 [64, 64, 3])."""
    with open(os.path.join(BENCH_DIR, "cases.json")) as f:
        cases = json.load(f)["cases"]
    for c in cases:
        for key in ("input", "target", "reference"):
            c[key + "_image"] = read_png(os.path.join(BENCH_DIR, c[key])) if c[key] else None
    return cases


class RunLog:
    """Append-only jsonl log in training/runs/<run>/log.jsonl."""

    def __init__(self, run_dir: str):
        os.makedirs(run_dir, exist_ok=True)
        self.path = os.path.join(run_dir, "log.jsonl")

    def write(self, **record) -> None:
        with open(self.path, "a") as f:
            f.write(json.dumps(record) + "\n")
        print(" ".join(f"{k}={v:.5g}" if isinstance(v, float) else f"{k}={v}" for k, v in record.items()),
              flush=True)

    def read(self) -> list[dict]:
        if not os.path.exists(self.path):
            return []
        with open(self.path) as f:
            return [json.loads(line) for line in f if line.strip()]


def save_resumable(path: str, state: dict) -> None:
    """Atomic write of a training state (models, optimizer, counters); keeps the previous one as ckpt_prev.pt."""
    tmp = path + ".tmp"
    torch.save(state, tmp)
    if os.path.exists(path):
        os.replace(path, os.path.join(os.path.dirname(path), "ckpt_prev.pt"))
    os.replace(tmp, path)


class Timer:
    """Wall-clock training time that survives resumes (the previous total is passed in)."""

    def __init__(self, previous_s: float = 0.0):
        self.previous_s, self.start = previous_s, time.time()

    @property
    def total_s(self) -> float:
        return self.previous_s + time.time() - self.start
