"""A tiny PNG codec for our own files (8-bit RGB or gray, no interlace), so the bench needs only numpy + zlib.

Writing picks, per row, whichever of the None/Sub/Up filters leaves the smallest sum of residuals (the usual
heuristic); flat areas and gradients then compress to almost nothing. Output bytes depend only on the pixels and
zlib's level-9 deflate, so rerunning the bench gives identical files.
"""
import struct
import zlib

import numpy as np

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of an [H, W, 3] uint8 image, an [H, W] uint8 image, or an [H, W] bool mask (stored as 0/255)."""
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    if image.dtype != np.uint8 or image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
        raise ValueError(f"expected [H, W, 3] or [H, W] uint8, got {image.shape} {image.dtype}")
    height, width = image.shape[:2]
    channels = 1 if image.ndim == 2 else 3
    rows = image.reshape(height, width * channels).astype(np.int16)
    raw = bytearray()
    previous = np.zeros(width * channels, dtype=np.int16)
    for row in rows:
        sub = row.copy()
        sub[channels:] -= row[:-channels]
        candidates = ((0, row), (1, sub % 256), (2, (row - previous) % 256))
        # Residual cost treats bytes as signed, so small negative differences count as small.
        kind, data = min(candidates, key=lambda c: int(np.abs(c[1].astype(np.int8)).sum()))
        raw.append(kind)
        raw += data.astype(np.uint8).tobytes()
        previous = row
    header = struct.pack(">IIBBBBB", width, height, 8, 0 if channels == 1 else 2, 0, 0, 0)
    return _SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + _chunk(b"IEND", b"")


def write_png(path: str, image: np.ndarray) -> None:
    with open(path, "wb") as f:
        f.write(encode_png(image))


def decode_png(data: bytes) -> np.ndarray:
    """Inverse of encode_png: [H, W, 3] uint8 for RGB, [H, W] uint8 for gray. Only filters 0-2 (ours)."""
    if data[:8] != _SIGNATURE:
        raise ValueError("not a PNG file")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color_type, _, _, interlace = header
    if depth != 8 or color_type not in (0, 2) or interlace:
        raise ValueError("only 8-bit gray/RGB non-interlaced PNGs are supported")
    channels = 1 if color_type == 0 else 3
    stride = width * channels
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, row = raw[y, 0], raw[y, 1:]
        if kind == 0:
            out[y] = row
        elif kind == 1:  # Sub: a running sum per channel
            out[y] = (np.cumsum(row.reshape(width, channels), axis=0) % 256).astype(np.uint8).reshape(stride)
        elif kind == 2:
            out[y] = row + previous  # uint8 addition wraps, as the filter wants
        else:
            raise ValueError(f"PNG filter {kind} is not supported by this reader")
        previous = out[y]
    return out.reshape(height, width, channels) if channels == 3 else out


def read_png(path: str) -> np.ndarray:
    with open(path, "rb") as f:
        return decode_png(f.read())
