"""Local edits: one shape changes (recolour, remove, add, move, resize); nothing else in the scene does."""
from dataclasses import replace
from typing import Optional

from .colors import COLOR_NAMES
from .edit import Edit, get_reference_phrases
from .phrases import (DIRECTION_WORDS, fill_template, get_at_position_phrases, get_object_phrases,
                      get_to_position_phrases)
from .rng import Rng
from .sampling import is_visible_on, make_shapes
from .scene import NAMED_TARGET_CELLS, SIZES, Scene, get_free_cells

MAX_SHAPES = 4


def _replace_shape(scene: Scene, index: int, **changes) -> Scene:
    shapes = list(scene.shapes)
    shapes[index] = replace(shapes[index], **changes)
    return scene.with_(shapes=tuple(shapes))


def _pick_referent(rng: Rng, scene: Scene, index: int) -> tuple[str, int]:
    return rng.choice(get_reference_phrases(scene, index)), index


def recolor_shape(rng: Rng, scene: Scene) -> Optional[Edit]:
    if not scene.shapes:
        return None
    index = rng.integer(0, len(scene.shapes) - 1)
    shape = scene.shapes[index]
    taken = {(s.color, s.kind) for s in scene.shapes}
    options = [c for c in COLOR_NAMES if (c, shape.kind) not in taken and is_visible_on(c, scene.background)]
    if not options:
        return None
    color = rng.choice(options)
    phrase, _ = referent = _pick_referent(rng, scene, index)
    return Edit("recolor", fill_template(rng, "recolor", ref=phrase, color=color),
                _replace_shape(scene, index, color=color), (("input", f"shape:{index}"),), referent=referent)


def remove_shape(rng: Rng, scene: Scene) -> Optional[Edit]:
    if not scene.shapes:
        return None
    index = rng.integer(0, len(scene.shapes) - 1)
    phrase, _ = referent = _pick_referent(rng, scene, index)
    target = scene.with_(shapes=scene.shapes[:index] + scene.shapes[index + 1:])
    return Edit("remove", fill_template(rng, "remove", ref=phrase), target, (("input", f"shape:{index}"),),
                referent=referent)


def add_shape(rng: Rng, scene: Scene) -> Optional[Edit]:
    cells = [c for c in get_free_cells(scene) if c in NAMED_TARGET_CELLS]
    if len(scene.shapes) >= MAX_SHAPES or not cells:
        return None
    (shape,) = make_shapes(rng, 1, scene.background, cells, existing=scene.shapes)
    target = scene.with_(shapes=scene.shapes + (shape,))
    instruction = fill_template(rng, "add", object=get_object_phrases(shape.kind, shape.color, shape.size),
                                at_pos=get_at_position_phrases(shape.cell))
    return Edit("add", instruction, target, (("target", f"shape:{len(scene.shapes)}"),))


def move_shape_to(rng: Rng, scene: Scene) -> Optional[Edit]:
    """Move to a corner or the center (the cells whose names are unambiguous)."""
    free = [c for c in get_free_cells(scene) if c in NAMED_TARGET_CELLS]
    if not scene.shapes or not free:
        return None
    index = rng.integer(0, len(scene.shapes) - 1)
    cell = rng.choice(free)
    phrase, _ = referent = _pick_referent(rng, scene, index)
    instruction = fill_template(rng, "move_to", ref=phrase, to_pos=get_to_position_phrases(cell),
                                at_pos=get_at_position_phrases(cell))
    touched = (("input", f"shape:{index}"), ("target", f"shape:{index}"))
    return Edit("move_to", instruction, _replace_shape(scene, index, cell=cell), touched, referent=referent)


def move_shape_one_step(rng: Rng, scene: Scene) -> Optional[Edit]:
    """'move the X to the left': only from the middle column/row, where one step left is also all the way left."""
    free = set(get_free_cells(scene))
    moves = []
    for i, shape in enumerate(scene.shapes):
        for (dx, dy) in DIRECTION_WORDS:
            col, row = shape.cell
            in_middle = (col == 1) if dx else (row == 1)
            if in_middle and (col + dx, row + dy) in free:
                moves.append((i, (dx, dy)))
    if not moves:
        return None
    index, (dx, dy) = rng.choice(moves)
    cell = (scene.shapes[index].cell[0] + dx, scene.shapes[index].cell[1] + dy)
    phrase, _ = referent = _pick_referent(rng, scene, index)
    instruction = fill_template(rng, "move_step", ref=phrase, direction=DIRECTION_WORDS[(dx, dy)])
    touched = (("input", f"shape:{index}"), ("target", f"shape:{index}"))
    return Edit("move_step", instruction, _replace_shape(scene, index, cell=cell), touched, referent=referent)


def _resize_shape(rng: Rng, scene: Scene, step: int) -> Optional[Edit]:
    """One size step: small <-> medium <-> large."""
    options = [i for i, s in enumerate(scene.shapes) if 0 <= SIZES.index(s.size) + step < len(SIZES)]
    if not options:
        return None
    index = rng.choice(options)
    size = SIZES[SIZES.index(scene.shapes[index].size) + step]
    name = "enlarge" if step > 0 else "shrink"
    phrase, _ = referent = _pick_referent(rng, scene, index)
    touched = (("input", f"shape:{index}"), ("target", f"shape:{index}"))
    return Edit(name, fill_template(rng, name, ref=phrase), _replace_shape(scene, index, size=size), touched,
                referent=referent)


def enlarge_shape(rng: Rng, scene: Scene) -> Optional[Edit]:
    return _resize_shape(rng, scene, +1)


def shrink_shape(rng: Rng, scene: Scene) -> Optional[Edit]:
    return _resize_shape(rng, scene, -1)


LOCAL_EDITS = {
    "recolor": recolor_shape, "remove": remove_shape, "add": add_shape, "move_to": move_shape_to,
    "move_step": move_shape_one_step, "enlarge": enlarge_shape, "shrink": shrink_shape,
}
