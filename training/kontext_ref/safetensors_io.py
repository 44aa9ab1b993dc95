"""Minimal safetensors reader/writer (no `safetensors` package on this machine).

Format: u64 little-endian header length, a JSON header {name: {dtype, shape, data_offsets}} plus an optional
`__metadata__` map of str -> str, then the raw little-endian tensor bytes. Offsets are relative to the end of
the header. The header is padded with spaces to a multiple of 8 so every tensor starts 8-byte aligned, as the
reference writer does.
"""
import json
import struct

import numpy as np
import torch

# dtype tag -> (torch dtype, numpy dtype used to move the bytes). bf16 has no numpy dtype, so it travels as int16.
_DTYPES = {
    "F32": (torch.float32, np.float32),
    "F16": (torch.float16, np.float16),
    "BF16": (torch.bfloat16, np.int16),
    "I32": (torch.int32, np.int32),
    "I64": (torch.int64, np.int64),
    "F64": (torch.float64, np.float64),
}
_TAG_OF = {torch_dtype: tag for tag, (torch_dtype, _) in _DTYPES.items()}


def _to_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def save_file(tensors: dict, path: str, metadata: dict | None = None) -> None:
    """Write `tensors` (name -> torch.Tensor) in insertion order."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        if t.dtype not in _TAG_OF:
            raise ValueError(f"{name}: unsupported dtype {t.dtype}")
        blob = _to_bytes(t)
        header[name] = {"dtype": _TAG_OF[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for blob in blobs:
            f.write(blob)


def read_header(path: str) -> dict:
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n))


def load_file(path: str) -> dict:
    """Read every tensor into a dict name -> torch.Tensor (stored dtype kept). `__metadata__` is dropped."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        torch_dtype, np_dtype = _DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[begin:end], dtype=np.dtype(np_dtype).newbyteorder("<")).reshape(info["shape"])
        t = torch.from_numpy(arr.copy())
        out[name] = t.view(torch.bfloat16) if torch_dtype == torch.bfloat16 else t
    return out


def load_metadata(path: str) -> dict:
    return read_header(path).get("__metadata__", {})
