"""Samples and multi-turn chains: pure functions of (seed, index), rendered at any size.

Sample dict (make_sample):
  seed, index        the key it was made from
  category           "local" | "global" | "text" | "style_reference" | "character_reference"
  edit               the edit's name, e.g. "recolor", "background", "apply_style" (see EDITS_BY_CATEGORY)
  instruction        plain English, lower case
  input, target      [H, W, 3] uint8
  reference          [H, W, 3] uint8, or None when the edit needs no reference image
  touched            [H, W] bool: pixels the instruction may change (every changed pixel is touched)
  input_scene, target_scene, reference_scene   the Scene objects behind the images (reference_scene may be None)
"""
import hashlib
from typing import Callable, Optional

import numpy as np

from .edit import Edit
from .edits_global import FILTER_EDITS, GLOBAL_EDITS
from .edits_local import LOCAL_EDITS
from .edits_reference import CHARACTER_EDITS, STYLE_EDITS, STYLE_SIZES
from .edits_text import TEXT_EDITS
from .render import get_background_footprint, get_footprint, render_scene
from .rng import Rng
from .sampling import check_scene, make_scene
from .scene import Scene

CATEGORIES = ("local", "global", "text", "style_reference", "character_reference")
EDITS_BY_CATEGORY: dict[str, dict[str, Callable]] = {
    "local": LOCAL_EDITS, "global": GLOBAL_EDITS, "text": TEXT_EDITS,
    "style_reference": STYLE_EDITS, "character_reference": CHARACTER_EDITS,
}
CATEGORY_OF_EDIT = {name: cat for cat, edits in EDITS_BY_CATEGORY.items() for name in edits}
# How often each edit is drawn within its category (move and resize have two edits each).
EDIT_WEIGHTS = {
    "recolor": 2, "remove": 2, "add": 2, "move_to": 1, "move_step": 1, "enlarge": 1, "shrink": 1,
    "background": 3, "recolor_all": 2, "invert": 1, "grayscale": 1, "mirror": 1, "flip_vertical": 1,
    "replace_glyph": 3, "replace_text": 3, "recolor_text": 3, "remove_text": 1, "add_text": 2,
    "apply_style": 1, "insert_character": 1, "restage_character": 1,
}
MAX_ATTEMPTS = 200


def make_input_scene(rng: Rng, edit: str) -> Scene:
    """A random scene of the kind the edit works on."""
    category = CATEGORY_OF_EDIT[edit]
    if category == "text":
        scene = make_scene(rng, text_chance=1.0)
        return scene.with_(text=None) if edit == "add_text" else scene
    if category == "style_reference":
        return make_scene(rng, (2, 4), text_chance=0.0, sizes=STYLE_SIZES)
    if category == "character_reference":
        return make_scene(rng, (1, 3), text_chance=0.0)
    if edit == "recolor_all":
        return make_scene(rng, (2, 4))
    return make_scene(rng)


def get_touched_mask(edit: Edit, before: Scene, size: int) -> np.ndarray:
    mask = np.zeros((size, size), dtype=bool)
    for which, element in edit.touched:
        scene = before if which == "input" else edit.target
        if element == "all":
            mask[:] = True
        elif element == "background":
            mask |= get_background_footprint(scene, size)
        else:
            mask |= get_footprint(scene, element, size)
    return mask


def render_edit(edit: Edit, before: Scene, size: int) -> Optional[dict]:
    """Images and touched mask of an edit; None when it changes no pixel (the caller draws another)."""
    check_scene(edit.target)
    source, target = render_scene(before, size), render_scene(edit.target, size)
    changed = (source != target).any(axis=2)
    if not changed.any():
        return None
    touched = get_touched_mask(edit, before, size)
    if (changed & ~touched).any():
        raise AssertionError(f"{edit.name} changed {int((changed & ~touched).sum())} pixels outside its mask")
    reference = render_scene(edit.reference, size) if edit.reference is not None else None
    return {"input": source, "target": target, "reference": reference, "touched": touched}


def _pick_edit(rng: Rng, names) -> str:
    return rng.weighted({n: EDIT_WEIGHTS[n] for n in names})


def make_sample(seed: int, index: int, category: Optional[str] = None, edit: Optional[str] = None,
                size: int = 64) -> dict:
    """One single-edit sample (schema in the module docstring). `category`/`edit` fix what is drawn."""
    if category is not None and category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}; valid: {CATEGORIES}")
    if edit is not None and edit not in CATEGORY_OF_EDIT:
        raise ValueError(f"unknown edit {edit!r}; valid: {sorted(CATEGORY_OF_EDIT)}")
    rng = Rng("sample", seed, index)
    category = CATEGORY_OF_EDIT[edit] if edit else category or rng.choice(CATEGORIES)
    for _ in range(MAX_ATTEMPTS):
        name = edit or _pick_edit(rng, EDITS_BY_CATEGORY[category])
        scene = make_input_scene(rng, name)
        result = EDITS_BY_CATEGORY[category][name](rng, scene)
        images = result and render_edit(result, scene, size)
        if images:
            return {"seed": seed, "index": index, "category": category, "edit": name,
                    "instruction": result.instruction, **images, "input_scene": scene,
                    "target_scene": result.target, "reference_scene": result.reference,
                    "referent": result.referent}
    raise RuntimeError(f"no {edit or category} sample after {MAX_ATTEMPTS} tries (seed {seed}, index {index})")


# Background edits touch nearly every pixel; keeping them rare leaves chains with pixels no turn may change.
def get_fingerprint(instruction: str, source: np.ndarray, reference: Optional[np.ndarray]) -> str:
    """Content key of a case (what the model sees), so trainers can skip exact duplicates of bench cases."""
    digest = hashlib.sha256(instruction.encode())
    for image in (source, reference):
        digest.update(b"none" if image is None else np.ascontiguousarray(image).tobytes())
    return digest.hexdigest()[:16]


CHAIN_CATEGORY_WEIGHTS = {"local": 3, "global": 1, "text": 1}
CHAIN_EDITS = {"local": tuple(LOCAL_EDITS), "global": ("background", "recolor_all"), "text": tuple(TEXT_EDITS)}


def make_chain(seed: int, index: int, turns: int = 5, size: int = 64, last_turn_filter_chance: float = 0.15) -> dict:
    """A multi-turn chain: each turn edits the previous turn's target.

    Returns {seed, index, input, input_scene, turns: [{category, edit, instruction, target, touched,
    target_scene, referent}], untouched}. `untouched` is the [H, W] bool mask of pixels no turn was allowed to
    change, so they must equal the input's after every turn. Whole-image operations (invert, flips, grayscale)
    come only as the last turn, because they leave colour and position words meaningless afterwards.
    """
    rng = Rng("chain", seed, index)
    scene = make_scene(rng, (2, 4), text_chance=0.5)
    start = scene
    records = []
    for turn in range(turns):
        for _ in range(MAX_ATTEMPTS):
            if turn == turns - 1 and rng.chance(last_turn_filter_chance):
                category, name = "global", rng.choice(FILTER_EDITS)
            else:
                category = rng.weighted(CHAIN_CATEGORY_WEIGHTS)
                name = _pick_edit(rng, CHAIN_EDITS[category])
            result = EDITS_BY_CATEGORY[category][name](rng, scene)
            images = result and render_edit(result, scene, size)
            if images:
                break
        else:
            raise RuntimeError(f"chain (seed {seed}, index {index}) found no edit for turn {turn}")
        records.append({"category": category, "edit": name, "instruction": result.instruction,
                        "target": images["target"], "touched": images["touched"], "target_scene": result.target,
                        "referent": result.referent})
        scene = result.target
    touched_any = np.logical_or.reduce([r["touched"] for r in records])
    return {"seed": seed, "index": index, "input": render_scene(start, size), "input_scene": start,
            "turns": records, "untouched": ~touched_any}
