"""Encode the cached image chunks into packed transformer-space tokens with a (frozen) kontext-micro AE.

The cache file name carries a hash of ae.safetensors, so a new AE never reuses stale latents.
"""
import hashlib
import os

import numpy as np
import torch

from training.kontext_ref.sampling import pack
from training.kontext_ref.util import AE_FILE, load_ae
from training.micro.common import load_chunks, to_tensor
from training.micro.config import DATA_DIR


def get_ae_hash(folder: str) -> str:
    with open(os.path.join(folder, AE_FILE), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:10]


@torch.no_grad()
def encode_tokens(ae, images: np.ndarray, batch: int = 100) -> np.ndarray:
    """[N, 64, 64, 3] uint8 -> [N, 16, 64] float16 packed tokens (ae.encode: scale * (mean - shift))."""
    out = [pack(ae.encode(to_tensor(images[i:i + batch]))).half().numpy() for i in range(0, len(images), batch)]
    return np.concatenate(out)


def load_latents(ae_folder: str, chunks: int) -> dict:
    """Token cache for the first `chunks` data chunks, built (minutes) on first use."""
    path = os.path.join(DATA_DIR, f"latents_{get_ae_hash(ae_folder)}_{chunks}.npz")
    if os.path.exists(path):
        return dict(np.load(path))
    ae = load_ae(ae_folder)
    data = load_chunks(limit=chunks)
    out = {"ids": data["ids"], "category": data["category"], "has_ref": data["has_ref"]}
    for key in ("input", "target"):
        out[key] = encode_tokens(ae, data[key])
    ref = np.zeros_like(out["input"])
    ref[data["has_ref"]] = encode_tokens(ae, data["reference"][data["has_ref"]])
    out["reference"] = ref
    np.savez(path, **out)
    return out
