"""Instruction templates (several paraphrases per edit) and the phrases that fill their slots.

Every word an instruction can contain comes from here, which is what lets tokenizer.py build a closed vocabulary.
Glyph strings are always quoted ("A7"), and scene text never puts two letters side by side, so the tokenizer can
split them into one token per glyph (digits are split individually; a lone letter is already a word).
"""
from .colors import COLOR_NAMES, with_article
from .rng import Rng
from .scene import NAMED_TARGET_CELLS, POSITION_NAMES, SHAPE_KINDS, Cell

TEMPLATES: dict[str, tuple[str, ...]] = {
    # local
    "recolor": ("make the {ref} {color}", "turn the {ref} {color}", "change the colour of the {ref} to {color}",
                "change the {ref}'s color to {color}", "paint the {ref} {color}", "recolour the {ref} {color}"),
    "remove": ("remove the {ref}", "delete the {ref}", "get rid of the {ref}", "erase the {ref}",
               "take away the {ref}"),
    "add": ("add {object} {at_pos}", "put {object} {at_pos}", "draw {object} {at_pos}", "insert {object} {at_pos}",
            "place {object} {at_pos}"),
    "move_to": ("move the {ref} {to_pos}", "put the {ref} {at_pos}", "shift the {ref} {to_pos}",
                "place the {ref} {at_pos}"),
    "move_step": ("move the {ref} {direction}", "shift the {ref} {direction}", "push the {ref} {direction}"),
    "enlarge": ("make the {ref} bigger", "make the {ref} larger", "enlarge the {ref}",
                "increase the size of the {ref}", "scale up the {ref}"),
    "shrink": ("make the {ref} smaller", "shrink the {ref}", "reduce the size of the {ref}", "scale down the {ref}"),
    # global
    "background_flat": ("make the background {color}", "change the background to {color}",
                        "turn the background {color}", "give it {a_color} background",
                        "set the background colour to {color}", "paint the background {color}"),
    "background_pattern": ("change the background to {pattern}", "make the background {pattern}",
                           "replace the background with {pattern}", "use {pattern} for the background"),
    "recolor_all": ("make all the shapes {color}", "make every shape {color}", "turn all the shapes {color}",
                    "change the colour of all shapes to {color}", "paint every shape {color}",
                    "colour all the shapes {color}"),
    "invert": ("invert the colours", "invert the colors", "invert the image", "make the image a negative",
               "turn the image into its negative"),
    "grayscale": ("make the image black and white", "make it grayscale", "convert the image to grayscale",
                  "remove all the colour", "desaturate the image", "make it greyscale"),
    "mirror": ("mirror the image", "flip the image horizontally", "flip it left to right",
               "mirror the picture horizontally"),
    "flip_vertical": ("flip the image vertically", "flip it top to bottom", "mirror the image vertically"),
    # text
    "replace_glyph": ('change the "{old}" to "{new}"', 'replace the "{old}" with "{new}"',
                      'turn the "{old}" into "{new}"', 'swap the "{old}" for "{new}"'),
    "replace_text": ('replace the text with "{text}"', 'change the text to "{text}"', 'make the text say "{text}"',
                     'make the text read "{text}"', 'rewrite the text as "{text}"'),
    "recolor_text": ("make the text {color}", "change the text colour to {color}", "colour the text {color}",
                     "turn the text {color}", "change the color of the text to {color}"),
    "remove_text": ("remove the text", "delete the text", "erase the text", "get rid of the text",
                    "remove the writing"),
    "add_text": ('add the text "{text}" in {color} at the {band}', 'write "{text}" in {color} at the {band}',
                 'add {color} text saying "{text}" at the {band}', 'write "{text}" at the {band} in {color}'),
    # style reference
    "apply_style": ("apply the style of the reference", "use the style of the reference image",
                    "make it look like the reference", "restyle it like the reference",
                    "copy the style of the reference", "draw the shapes in the style of the reference",
                    "match the reference style"),
    # character reference
    "insert_character": ("add the character {at_pos}", "put the character from the reference {at_pos}",
                         "place the character {at_pos}", "insert the reference character {at_pos}",
                         "add the character from the reference image {at_pos}"),
    "restage_character": ("put the character on {a_background} {at_pos}", "show the character {at_pos} on {a_background}",
                          "place the character on {a_background} {at_pos}",
                          "put the character from the reference on {a_background} {at_pos}"),
}

SIZE_WORDS = {"small": ("small", "little"), "medium": ("",), "large": ("large", "big")}
DIRECTION_WORDS = {(-1, 0): ("left", "to the left"), (1, 0): ("right", "to the right"),
                   (0, -1): ("up", "upwards"), (0, 1): ("down", "downwards")}
BAND_WORDS = {0: "top", 2: "bottom"}


def _position_phrases(cell: Cell, preposition: str) -> tuple[str, ...]:
    name = POSITION_NAMES[cell]
    if cell == (1, 1):  # "at the middle" is not English
        return tuple(f"{preposition} the {n}" for n in (("center",) if preposition == "at" else ("center", "middle")))
    return (f"{preposition} the {name}", f"{preposition} the {name} corner")


def get_at_position_phrases(cell: Cell) -> tuple[str, ...]:
    if cell not in NAMED_TARGET_CELLS:
        raise ValueError(f"cell {cell} has no unambiguous name; use one of {NAMED_TARGET_CELLS}")
    return _position_phrases(cell, "in") + _position_phrases(cell, "at")


def get_to_position_phrases(cell: Cell) -> tuple[str, ...]:
    if cell not in NAMED_TARGET_CELLS:
        raise ValueError(f"cell {cell} has no unambiguous name; use one of {NAMED_TARGET_CELLS}")
    return _position_phrases(cell, "to")


def get_object_phrases(kind: str, color: str, size: str) -> tuple[str, ...]:
    """'a red circle' (medium, the default size), 'a small red circle', 'a big red circle', ..."""
    return tuple(with_article(" ".join(w for w in (word, color, kind) if w)) for word in SIZE_WORDS[size])


def get_pattern_phrases(kind: str, colors: tuple[str, ...]) -> tuple[str, ...]:
    a, b = colors
    return {
        "stripes": (f"{a} and {b} stripes", f"vertical {a} and {b} stripes"),
        "checker": (f"a {a} and {b} checkerboard", f"a {a} and {b} checker pattern"),
        "vertical_gradient": (f"a {a} to {b} gradient from top to bottom", f"a vertical gradient from {a} to {b}"),
        "horizontal_gradient": (f"a {a} to {b} gradient from left to right", f"a horizontal gradient from {a} to {b}"),
    }[kind]


def get_background_noun_phrases(kind: str, colors: tuple[str, ...]) -> tuple[str, ...]:
    """'a yellow background', 'a blue and white striped background', ... (flat, stripes and checker only)."""
    if kind == "flat":
        return (with_article(f"{colors[0]} background"), with_article(f"plain {colors[0]} background"))
    adjective = {"stripes": "striped", "checker": "checkered"}[kind]
    return (with_article(f"{colors[0]} and {colors[1]} {adjective} background"),)


def fill_template(rng: Rng, edit: str, **slots: tuple[str, ...] | str) -> str:
    """A random paraphrase of `edit` with each slot filled by one of its phrasings."""
    template = rng.choice(TEMPLATES[edit])
    chosen = {k: (v if isinstance(v, str) else rng.choice(v)) for k, v in slots.items()}
    return template.format(**chosen)


def get_slot_phrases() -> list[str]:
    """Every phrase any slot can take (for the vocabulary); glyphs are added by the tokenizer."""
    phrases = list(COLOR_NAMES) + list(SHAPE_KINDS) + ["a", "an", "plain"]
    phrases += [w for words in SIZE_WORDS.values() for w in words if w]
    phrases += [p for words in DIRECTION_WORDS.values() for p in words] + list(BAND_WORDS.values())
    for cell in NAMED_TARGET_CELLS:
        phrases += get_at_position_phrases(cell) + get_to_position_phrases(cell)
    for kind in ("stripes", "checker", "vertical_gradient", "horizontal_gradient"):
        phrases += get_pattern_phrases(kind, ("red", "blue"))
    for kind in ("flat", "stripes", "checker"):
        phrases += get_background_noun_phrases(kind, ("red", "blue"))
    return phrases
