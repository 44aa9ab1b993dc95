"""Batched edits with the bundle's sampler (DEFAULT_STEPS Euler steps, DEFAULT_AVERAGE runs averaged) and their
KontextBench-style scores (success = PSNR to target >= 24 dB), on any device."""
import numpy as np
import torch

from training.domain import CATEGORIES
from training.kontext_ref.autoencoder import AutoEncoder
from training.kontext_ref.sampling import unpack
from training.micro.common import load_bench_cases, psnr, to_uint8
from training.micro.config import DEFAULT_AVERAGE, DEFAULT_STEPS, TRAIN_GUIDANCE
from training.micro.eval import SUCCESS_DB
from training.micro.gpu_stores import encode_chunk
from training.micro.make_data import pad_ids
from training.micro.model import KontextMicro, sample_tokens


@torch.no_grad()
def edit_tokens(model: KontextMicro, ae: AutoEncoder, cases: dict, seed: int, batch: int = 256,
                steps: int = DEFAULT_STEPS) -> torch.Tensor:
    """Batched Euler edits of cases {input, reference, has_ref (numpy), ids} from the noise of `seed`: the clean
    target tokens [N, 16, 64] in case order."""
    device = next(model.parameters()).device
    tokens = encode_chunk(ae, cases, device)
    gen = torch.Generator(device=device).manual_seed(seed)
    noise = torch.randn(tokens["input"].shape, device=device, generator=gen)
    out = torch.zeros_like(noise)
    for with_ref in (False, True):
        idx = torch.nonzero(tokens["has_ref"] == with_ref).flatten()
        for part in idx.split(batch) if len(idx) else ():
            ref = tokens["reference"][part].float() if with_ref else None
            out[part] = sample_tokens(model, tokens["ids"][part], tokens["input"][part].float(), ref, noise[part],
                                      steps, TRAIN_GUIDANCE)
    return out


@torch.no_grad()
def decode_tokens(ae: AutoEncoder, tokens: torch.Tensor, batch: int = 256) -> np.ndarray:
    """[N, 16, 64] target tokens -> uint8 images [N, 64, 64, 3]."""
    return to_uint8(torch.cat([ae.decode(unpack(tokens[i:i + batch], 8, 8)) for i in range(0, len(tokens), batch)]))


def edit_images(model: KontextMicro, ae: AutoEncoder, cases: dict, seed: int, batch: int = 256,
                steps: int = DEFAULT_STEPS, average: int = DEFAULT_AVERAGE) -> np.ndarray:
    """uint8 edits in case order; with `average` > 1, the mean of that many runs (noise seeds seed, seed + 1, ...)
    is decoded, as the engine does for a bundle whose `default_average` is above 1."""
    runs = [edit_tokens(model, ae, cases, seed + r, batch, steps) for r in range(average)]
    return decode_tokens(ae, torch.stack(runs).mean(0), batch)


def score_edits(outputs: np.ndarray, cases: dict) -> dict:
    model, ident = psnr(outputs, cases["target"]), psnr(cases["input"], cases["target"])
    rows = {}
    for i, cat in enumerate(CATEGORIES):
        sel = cases["category"] == i
        if not sel.any():
            continue
        rows[cat] = {"n": int(sel.sum()), "success": float((model[sel] >= SUCCESS_DB).mean()),
                     "psnr": float(model[sel].mean()), "identity_success": float((ident[sel] >= SUCCESS_DB).mean()),
                     "identity_psnr": float(ident[sel].mean())}
    rows["overall"] = {"n": len(model), "success": float((model >= SUCCESS_DB).mean()), "psnr": float(model.mean()),
                       "identity_success": float((ident >= SUCCESS_DB).mean()),
                       "identity_psnr": float(ident.mean())}
    return rows


def bench_as_cases(count: int, text_len: int) -> dict:
    cases = load_bench_cases()[:count]
    zeros = np.zeros_like(cases[0]["input_image"])
    return {"input": np.stack([c["input_image"] for c in cases]),
            "target": np.stack([c["target_image"] for c in cases]),
            "reference": np.stack([c["reference_image"] if c["reference_image"] is not None else zeros
                                   for c in cases]),
            "has_ref": np.array([c["reference_image"] is not None for c in cases]),
            "ids": np.stack([pad_ids(c["instruction"], text_len) for c in cases]),
            "category": np.array([CATEGORIES.index(c["category"]) for c in cases], dtype=np.int8)}
