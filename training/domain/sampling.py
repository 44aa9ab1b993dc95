"""Random scenes, backgrounds, glyph strings and characters that obey the domain's invariants:

- every shape is identified by its (colour, kind) pair, so "the red circle" always names exactly one shape;
- everything drawn on top of the background contrasts with every colour the background shows (gradients included);
- elements sit in distinct cells, text owns its whole row.
`check_scene` states these rules once; generators and edits both go through it.
"""
from functools import lru_cache
from typing import Optional

import numpy as np

from .colors import COLOR_NAMES, get_rgb
from .font import SCENE_DIGITS, SCENE_GLYPHS, SCENE_LETTERS
from .rng import Rng
from .scene import (BACKGROUND_KINDS, GRID, SHAPE_KINDS, SIZES, TEXT_ROWS, Background, Part, Scene,
                    Shape, Text, get_ink_colors, get_occupied_cells)

MIN_CONTRAST = 70.0  # RGB distance; every pair of named colours is further apart than this


@lru_cache(maxsize=4096)
def get_contrast(color: str, background: Background) -> float:
    """Smallest RGB distance from `color` to any colour the background shows (a gradient shows its whole segment)."""
    c = np.array(get_rgb(color), dtype=float)
    ends = [np.array(get_rgb(name), dtype=float) for name in background.colors]
    if background.kind in ("vertical_gradient", "horizontal_gradient"):
        a, b = ends
        t = np.clip(np.dot(c - a, b - a) / np.dot(b - a, b - a), 0.0, 1.0)
        return float(np.linalg.norm(c - (a + t * (b - a))))
    return min(float(np.linalg.norm(c - e)) for e in ends)


def is_visible_on(color: str, background: Background) -> bool:
    return get_contrast(color, background) >= MIN_CONTRAST


def check_scene(scene: Scene) -> None:
    """Raise ValueError when the scene breaks an invariant of the domain."""
    keys = [(s.color, s.kind) for s in scene.shapes]
    if len(set(keys)) != len(keys):
        raise ValueError(f"two shapes share colour and kind: {keys}")
    cells = [s.cell for s in scene.shapes]
    if len(set(cells)) != len(cells):
        raise ValueError(f"two shapes share a cell: {cells}")
    if scene.text is not None and any(c[1] == scene.text.row for c in cells):
        raise ValueError("a shape sits in the text row")
    for color in get_ink_colors(scene):
        if not is_visible_on(color, scene.background):
            raise ValueError(f"{color} does not stand out from background {scene.background}")


def is_valid_scene(scene: Scene) -> bool:
    try:
        check_scene(scene)
    except ValueError:
        return False
    return True


def make_background(rng: Rng, kinds: tuple[str, ...] = BACKGROUND_KINDS, avoid: frozenset[str] = frozenset()) -> Background:
    """A background none of whose colours is too close to a colour in `avoid` (the inks drawn on it)."""
    for _ in range(1000):
        kind = rng.choice(kinds)
        colors = tuple(rng.sample(COLOR_NAMES, 1 if kind == "flat" else 2))
        bg = Background(kind, colors)
        if all(is_visible_on(c, bg) for c in avoid):
            return bg
    raise RuntimeError(f"no background of kinds {kinds} lets {sorted(avoid)} stand out")


def pick_visible_color(rng: Rng, background: Background, exclude: tuple[str, ...] = ()) -> str:
    options = [c for c in COLOR_NAMES if c not in exclude and is_visible_on(c, background)]
    return rng.choice(options)


def make_glyphs(rng: Rng, length: int | None = None) -> str:
    """1-3 glyphs with no two letters side by side (so "A7B" tokenizes glyph by glyph, see phrases.py)."""
    length = length or rng.integer(1, 3)
    glyphs = ""
    for _ in range(length):
        pool = SCENE_DIGITS if glyphs and glyphs[-1] in SCENE_LETTERS else SCENE_GLYPHS
        glyphs += rng.choice(pool)
    return glyphs


def make_shapes(rng: Rng, count: int, background: Background, cells: list[tuple[int, int]],
                sizes: tuple[str, ...] = SIZES, existing: tuple[Shape, ...] = ()) -> tuple[Shape, ...]:
    """`count` new shapes in distinct cells taken from `cells`, each with an unused (colour, kind) pair."""
    taken = {(s.color, s.kind) for s in existing}
    shapes = []
    for cell in rng.sample(cells, count):
        while True:
            shape = Shape(rng.choice(SHAPE_KINDS), pick_visible_color(rng, background), rng.choice(sizes), cell)
            if (shape.color, shape.kind) not in taken:
                break
        taken.add((shape.color, shape.kind))
        shapes.append(shape)
    return tuple(shapes)


def make_scene(rng: Rng, shape_count: tuple[int, int] = (1, 4), text_chance: float = 0.3,
               sizes: tuple[str, ...] = SIZES, background_kinds: tuple[str, ...] = BACKGROUND_KINDS) -> Scene:
    """A random scene: background, 1-4 shapes on the 3x3 grid and, sometimes, a text row (top or bottom)."""
    background = make_background(rng, background_kinds)
    text = None
    if rng.chance(text_chance):
        text = Text(make_glyphs(rng), pick_visible_color(rng, background), rng.choice(TEXT_ROWS))
    scene = Scene(background, (), text)
    free = [(c, r) for r in range(GRID) for c in range(GRID) if (c, r) not in get_occupied_cells(scene)]
    count = min(rng.integer(*shape_count), len(free))
    scene = scene.with_(shapes=make_shapes(rng, count, background, free, sizes))
    check_scene(scene)
    return scene


# Character layout in character units (box [-0.5, 0.5]^2): body below, head above, optional extras.
_BODY_KINDS = ("square", "circle", "diamond", "heart", "triangle")
_HEAD_KINDS = ("circle", "square", "diamond")
_EXTRAS = {
    "eyes": lambda kind: (Part("circle", kind, -0.09, -0.29, 0.1), Part("circle", kind, 0.09, -0.29, 0.1)),
    "feet": lambda kind: (Part("square", kind, -0.15, 0.44, 0.14), Part("square", kind, 0.15, 0.44, 0.14)),
    "arms": lambda kind: (Part("circle", kind, -0.37, 0.12, 0.18), Part("circle", kind, 0.37, 0.12, 0.18)),
    "hat": lambda kind: (Part("triangle", kind, 0.0, -0.43, 0.2),),
}


def _are_distinct(a: str, b: str) -> bool:
    return float(np.linalg.norm(np.subtract(get_rgb(a), get_rgb(b)))) >= MIN_CONTRAST


def make_character_parts(rng: Rng, backgrounds: tuple[Background, ...]) -> Optional[tuple[Part, ...]]:
    """A multi-part character: a body and a head in two colours, plus up to two extras (eyes, feet, arms, hat).

    Every part's colour stands out from every given background, and extras stand out from the body and the head.
    None when the backgrounds leave too few colours.
    """
    outer = [c for c in COLOR_NAMES if all(is_visible_on(c, bg) for bg in backgrounds)]
    if len(outer) < 3:
        return None
    body_color = rng.choice(outer)
    head_color = rng.choice([c for c in outer if _are_distinct(c, body_color)])
    parts = [Part(rng.choice(_BODY_KINDS), body_color, 0.0, 0.16, 0.62),
             Part(rng.choice(_HEAD_KINDS), head_color, 0.0, -0.26, 0.42)]
    extra_colors = [c for c in outer if _are_distinct(c, head_color) and _are_distinct(c, body_color)]
    for extra in sorted(rng.sample(tuple(_EXTRAS), rng.integer(0, 2))) if extra_colors else ():
        parts += _EXTRAS[extra](rng.choice(extra_colors))
    return tuple(parts)
