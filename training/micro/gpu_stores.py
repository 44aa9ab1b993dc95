"""Device-side data of a GPU run: uint8 image pool for the AE, packed AE tokens for the DiT, chunk encoding."""
import numpy as np
import torch

from training.kontext_ref.autoencoder import AutoEncoder
from training.kontext_ref.sampling import pack
from training.micro.common import to_float
from training.micro.config import AE
from training.micro.model import TOKENS_PER_IMAGE


def chunk_images(chunk: dict) -> np.ndarray:
    return np.concatenate([chunk["input"], chunk["target"], chunk["reference"][chunk["has_ref"]]])


class ImagePool:
    """uint8 images on the device: a ring of fixed capacity the AE samples its batches from."""

    def __init__(self, capacity: int, device: torch.device):
        self.data = torch.empty((capacity, 64, 64, 3), dtype=torch.uint8, device=device)
        self.n = self.pos = 0

    def add(self, images: np.ndarray) -> None:
        x = torch.from_numpy(images).to(self.data.device)
        while len(x):
            k = min(len(x), len(self.data) - self.pos)
            self.data[self.pos:self.pos + k] = x[:k]
            self.pos, self.n, x = (self.pos + k) % len(self.data), min(len(self.data), self.n + k), x[k:]

    def sample(self, count: int, gen: torch.Generator) -> torch.Tensor:
        return self.data[torch.randint(0, self.n, (count,), device=self.data.device, generator=gen)]


class TokenStore:
    """Packed AE tokens of every training sample, on the device, growing as chunks arrive."""

    def __init__(self, capacity: int, text_len: int, device: torch.device):
        shape = (capacity, TOKENS_PER_IMAGE, 4 * AE.z_channels)
        self.tokens = {k: torch.zeros(shape, dtype=torch.float16, device=device)
                       for k in ("input", "target", "reference")}
        self.ids = torch.zeros((capacity, text_len), dtype=torch.long, device=device)
        self.has_ref = torch.zeros(capacity, dtype=torch.bool, device=device)
        self.n = 0
        self.groups = {False: torch.zeros(0, dtype=torch.long, device=device),
                       True: torch.zeros(0, dtype=torch.long, device=device)}

    def add(self, tokens: dict) -> None:
        k = min(len(tokens["ids"]), len(self.ids) - self.n)
        sl = slice(self.n, self.n + k)
        for key in self.tokens:
            self.tokens[key][sl] = tokens[key][:k]
        self.ids[sl], self.has_ref[sl] = tokens["ids"][:k], tokens["has_ref"][:k]
        new = torch.arange(self.n, self.n + k, device=self.ids.device)
        for r in (False, True):
            self.groups[r] = torch.cat([self.groups[r], new[self.has_ref[sl] == r]])
        self.n += k

    def p_ref(self) -> float:
        return len(self.groups[True]) / max(1, self.n)

    def batch(self, with_ref: bool, count: int, gen: torch.Generator) -> dict:
        group = self.groups[with_ref]
        idx = group[torch.randint(0, len(group), (count,), device=group.device, generator=gen)]
        return {"input": self.tokens["input"][idx].float(), "target": self.tokens["target"][idx].float(),
                "reference": self.tokens["reference"][idx].float() if with_ref else None, "ids": self.ids[idx]}


@torch.no_grad()
def encode_chunk(ae: AutoEncoder, chunk: dict, device: torch.device, batch: int = 1024) -> dict:
    def tokens(images: np.ndarray) -> torch.Tensor:
        x = torch.from_numpy(images).to(device)
        return torch.cat([pack(ae.encode(to_float(x[i:i + batch]))) for i in range(0, len(x), batch)]).half()

    has_ref = torch.from_numpy(chunk["has_ref"]).to(device)
    out = {"input": tokens(chunk["input"]), "target": tokens(chunk["target"]),
           "ids": torch.from_numpy(chunk["ids"].astype(np.int64)).to(device), "has_ref": has_ref}
    ref = torch.zeros_like(out["input"])
    if has_ref.any():
        ref[has_ref] = tokens(chunk["reference"][chunk["has_ref"]])
    out["reference"] = ref
    return out


def concat_chunks(chunks: list[dict]) -> dict:
    return {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0] if k != "skipped"}
