"""Text edits: change glyphs, recolour, remove or add the text row."""
from dataclasses import replace
from typing import Optional

from .colors import COLOR_NAMES
from .edit import Edit
from .font import SCENE_GLYPHS
from .phrases import BAND_WORDS, fill_template
from .rng import Rng
from .sampling import is_visible_on, make_glyphs, pick_visible_color
from .scene import TEXT_ROWS, Scene, Text

_TOUCHED = (("input", "text"), ("target", "text"))


def replace_glyph(rng: Rng, scene: Scene) -> Optional[Edit]:
    """'change the "A" to "B"': only glyphs that occur once, so the instruction names one glyph."""
    text = scene.text
    if text is None or scene.filters:  # a mirrored "B" is not what anyone asking for a "B" wants
        return None
    unique = [g for g in text.glyphs if text.glyphs.count(g) == 1]
    if not unique:
        return None
    old = rng.choice(unique)
    new = rng.choice([g for g in SCENE_GLYPHS if g != old])
    target = scene.with_(text=replace(text, glyphs=text.glyphs.replace(old, new)))
    return Edit("replace_glyph", fill_template(rng, "replace_glyph", old=old, new=new), target, _TOUCHED)


def replace_text(rng: Rng, scene: Scene) -> Optional[Edit]:
    if scene.text is None:
        return None
    glyphs = make_glyphs(rng)
    if glyphs == scene.text.glyphs:
        return None
    target = scene.with_(text=replace(scene.text, glyphs=glyphs))
    return Edit("replace_text", fill_template(rng, "replace_text", text=glyphs), target, _TOUCHED)


def recolor_text(rng: Rng, scene: Scene) -> Optional[Edit]:
    if scene.text is None:
        return None
    options = [c for c in COLOR_NAMES if c != scene.text.color and is_visible_on(c, scene.background)]
    color = rng.choice(options)
    target = scene.with_(text=replace(scene.text, color=color))
    return Edit("recolor_text", fill_template(rng, "recolor_text", color=color), target, _TOUCHED)


def remove_text(rng: Rng, scene: Scene) -> Optional[Edit]:
    if scene.text is None:
        return None
    return Edit("remove_text", fill_template(rng, "remove_text"), scene.with_(text=None), (("input", "text"),))


def add_text(rng: Rng, scene: Scene) -> Optional[Edit]:
    """Text goes in a top or bottom row with no shapes in it."""
    rows = [r for r in TEXT_ROWS if all(s.cell[1] != r for s in scene.shapes)]
    if scene.text is not None or not rows:
        return None
    text = Text(make_glyphs(rng), pick_visible_color(rng, scene.background), rng.choice(rows))
    instruction = fill_template(rng, "add_text", text=text.glyphs, color=text.color, band=BAND_WORDS[text.row])
    return Edit("add_text", instruction, scene.with_(text=text), (("target", "text"),))


TEXT_EDITS = {
    "replace_glyph": replace_glyph, "replace_text": replace_text, "recolor_text": recolor_text,
    "remove_text": remove_text, "add_text": add_text,
}
