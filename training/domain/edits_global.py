"""Global edits: the background, every shape's colour, or a whole-image operation (invert, grayscale, flips)."""
from dataclasses import replace
from typing import Optional

from .colors import COLOR_NAMES, with_article
from .edit import Edit
from .phrases import fill_template, get_pattern_phrases
from .rng import Rng
from .sampling import is_visible_on, make_background
from .scene import BACKGROUND_KINDS, Scene, get_ink_colors


def change_background(rng: Rng, scene: Scene) -> Optional[Edit]:
    """A new flat colour (half the time) or a new pattern; everything drawn on it must still stand out."""
    kinds = ("flat",) if rng.chance(0.5) else BACKGROUND_KINDS[1:]
    inks = frozenset(get_ink_colors(scene))
    for _ in range(20):
        background = make_background(rng, kinds, inks)
        if background != scene.background:
            break
    else:
        return None
    if background.kind == "flat":
        color = background.colors[0]
        instruction = fill_template(rng, "background_flat", color=color, a_color=with_article(color))
    else:
        instruction = fill_template(rng, "background_pattern", pattern=get_pattern_phrases(background.kind,
                                                                                           background.colors))
    return Edit("background", instruction, scene.with_(background=background), (("input", "background"),))


def recolor_all_shapes(rng: Rng, scene: Scene) -> Optional[Edit]:
    """'make all the shapes blue'. Needs shapes of distinct kinds, or two would end up with the same name."""
    kinds = [s.kind for s in scene.shapes]
    if len(kinds) < 2 or len(set(kinds)) != len(kinds):
        return None
    options = [c for c in COLOR_NAMES if is_visible_on(c, scene.background)
               and any(s.color != c for s in scene.shapes)]
    color = rng.choice(options)
    target = scene.with_(shapes=tuple(replace(s, color=color) for s in scene.shapes))
    touched = tuple(("input", f"shape:{i}") for i in range(len(scene.shapes)))
    return Edit("recolor_all", fill_template(rng, "recolor_all", color=color), target, touched)


def _make_filter_edit(name: str):
    def apply(rng: Rng, scene: Scene) -> Optional[Edit]:
        return Edit(name, fill_template(rng, name), scene.with_(filters=scene.filters + (name,)), (("input", "all"),))
    apply.__name__ = f"apply_{name}"
    return apply


GLOBAL_EDITS = {
    "background": change_background, "recolor_all": recolor_all_shapes,
    **{name: _make_filter_edit(name) for name in ("invert", "grayscale", "mirror", "flip_vertical")},
}
# Whole-image operations leave colour and position words meaningless for later turns; chains use them last only.
FILTER_EDITS = ("invert", "grayscale", "mirror", "flip_vertical")
