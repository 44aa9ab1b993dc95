"""examples.png: a few samples per category (input | reference | target | touched) with their instructions.

Run from the repo root: /usr/bin/python3 -m training.domain.contact_sheet [--out training/domain/examples.png]
"""
import argparse
import textwrap

import numpy as np

from .font import GLYPH_HEIGHT, GLYPH_WIDTH, render_glyph_string
from .png import write_png
from .samples import CATEGORIES, make_sample
from .splits import EXAMPLE_SEEDS

TILE_SCALE, GAP, TEXT_SCALE, WRAP = 2, 6, 2, 34
INK, PAPER, EMPTY = (20, 20, 20), (255, 255, 255), (225, 225, 225)


def _draw_text(lines: list[str], width: int, height: int) -> np.ndarray:
    canvas = np.full((height, width, 3), PAPER, dtype=np.uint8)
    line_height = (GLYPH_HEIGHT + 3) * TEXT_SCALE
    for i, line in enumerate(lines):
        bitmap = np.kron(render_glyph_string(line), np.ones((TEXT_SCALE, TEXT_SCALE))).astype(bool)
        y, h, w = 4 + i * line_height, bitmap.shape[0], min(bitmap.shape[1], width)
        if y + h <= height:
            canvas[y:y + h, :w][bitmap[:, :w]] = INK
    return canvas


def _tile(image) -> np.ndarray:
    if image is None:
        return None
    if image.dtype == bool:
        image = np.repeat(np.where(image, 255, 60).astype(np.uint8)[..., None], 3, axis=2)
    return image.repeat(TILE_SCALE, 0).repeat(TILE_SCALE, 1)


def make_contact_sheet(per_category: int = 3, size: int = 64) -> np.ndarray:
    tile = size * TILE_SCALE
    text_width = WRAP * (GLYPH_WIDTH + 1) * TEXT_SCALE + 8
    rows = []
    for c, category in enumerate(CATEGORIES):
        for k in range(per_category):
            sample = make_sample(EXAMPLE_SEEDS.start + c * per_category + k, 0, category, size=size)
            cells = [_tile(sample[key]) for key in ("input", "reference", "target", "touched")]
            cells = [x if x is not None else np.full((tile, tile, 3), EMPTY, dtype=np.uint8) for x in cells]
            lines = [category.upper(), f"({sample['edit']})".upper(), ""] + textwrap.wrap(sample["instruction"], WRAP)
            parts = []
            for x in cells + [_draw_text(lines, text_width, tile)]:
                parts += [x, np.full((tile, GAP, 3), PAPER, dtype=np.uint8)]
            rows += [np.concatenate(parts, axis=1), np.full((GAP, sum(p.shape[1] for p in parts), 3), PAPER,
                                                            dtype=np.uint8)]
    return np.concatenate(rows, axis=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="training/domain/examples.png")
    parser.add_argument("--per-category", type=int, default=3)
    args = parser.parse_args()
    write_png(args.out, make_contact_sheet(args.per_category))


if __name__ == "__main__":
    main()
