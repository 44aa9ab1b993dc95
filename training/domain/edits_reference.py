"""Edits that need a reference image: apply the reference's style, or bring in the reference's character."""
from typing import Optional

from .colors import COLOR_NAMES
from .edit import Edit
from .phrases import fill_template, get_at_position_phrases, get_background_noun_phrases
from .rng import Rng
from .sampling import is_valid_scene, is_visible_on, make_background, make_character_parts, make_scene
from .scene import (FILLS, NAMED_TARGET_CELLS, Character, Scene, Style, get_character_at_cell, get_free_cells,
                    get_ink_colors)

STYLE_SIZES = ("medium", "large")  # patterns and outlines need room to be readable at 64x64


def make_style(rng: Rng, backgrounds: tuple) -> Style:
    """A non-default style: a pattern or outline fill, a one-colour palette (ink), or both."""
    fill = rng.choice(FILLS)
    inks = [c for c in COLOR_NAMES if all(is_visible_on(c, bg) for bg in backgrounds)]
    ink = rng.choice(inks) if fill == "solid" or rng.chance(0.4) else None
    return Style(fill, ink)


def _shows_style_unambiguously(reference: Scene) -> bool:
    """Without an ink the reference must show two shape colours, or it would read as a one-colour palette."""
    return reference.style.ink is not None or len({s.color for s in reference.shapes}) >= 2


def apply_style(rng: Rng, scene: Scene) -> Optional[Edit]:
    """Target: the input's shapes drawn in the reference's style. The reference has other shapes elsewhere."""
    if len(scene.shapes) < 2 or scene.text is not None or scene.style != Style():
        return None
    input_layout = {(s.kind, s.cell) for s in scene.shapes}
    for _ in range(50):
        reference = make_scene(rng, (2, 3), text_chance=0.0, sizes=STYLE_SIZES)
        if input_layout & {(s.kind, s.cell) for s in reference.shapes}:
            continue
        style = make_style(rng, (scene.background, reference.background))
        reference = reference.with_(style=style)
        target = scene.with_(style=style)
        if _shows_style_unambiguously(reference) and is_valid_scene(reference) and is_valid_scene(target):
            break
    else:
        return None
    touched = tuple((which, f"shape:{i}") for i in range(len(scene.shapes)) for which in ("input", "target"))
    return Edit("apply_style", fill_template(rng, "apply_style"), target, touched, reference=reference)


def make_character_reference(rng: Rng, parts: tuple, background) -> Scene:
    """The character alone, larger than in targets and off the grid, so the model has to find and resize it."""
    extent = 0.45 + 0.15 * rng.random()
    margin = extent * 0.5  # the character's parts stay inside its box
    center = tuple(margin + (1 - 2 * margin) * rng.random() for _ in range(2))
    return Scene(background, character=Character(parts, center, extent))


def _pick_character_cell(rng: Rng, scene: Scene):
    cells = [c for c in get_free_cells(scene) if c in NAMED_TARGET_CELLS]
    return rng.choice(cells) if cells else None


def insert_character(rng: Rng, scene: Scene) -> Optional[Edit]:
    """'add the character in the top right': the input scene plus the reference's character in that cell."""
    cell = _pick_character_cell(rng, scene)
    if cell is None or scene.character is not None:
        return None
    reference_bg = make_background(rng)
    parts = make_character_parts(rng, (scene.background, reference_bg))
    if parts is None:
        return None
    target = scene.with_(character=get_character_at_cell(parts, cell))
    instruction = fill_template(rng, "insert_character", at_pos=get_at_position_phrases(cell))
    return Edit("insert_character", instruction, target, (("target", "character"),),
                reference=make_character_reference(rng, parts, reference_bg))


def restage_character(rng: Rng, scene: Scene) -> Optional[Edit]:
    """'put the character on a yellow background in the top right': new background, character added, shapes kept."""
    cell = _pick_character_cell(rng, scene)
    if cell is None or scene.character is not None:
        return None
    background = make_background(rng, ("flat", "stripes", "checker"), frozenset(get_ink_colors(scene)))
    if background == scene.background:
        return None
    reference_bg = make_background(rng)
    parts = make_character_parts(rng, (background, reference_bg))
    if parts is None:
        return None
    target = scene.with_(background=background, character=get_character_at_cell(parts, cell))
    if not is_valid_scene(target):
        return None
    instruction = fill_template(rng, "restage_character", at_pos=get_at_position_phrases(cell),
                                a_background=get_background_noun_phrases(background.kind, background.colors))
    return Edit("restage_character", instruction, target, (("input", "background"), ("target", "character")),
                reference=make_character_reference(rng, parts, reference_bg))


STYLE_EDITS = {"apply_style": apply_style}
CHARACTER_EDITS = {"insert_character": insert_character, "restage_character": restage_character}
