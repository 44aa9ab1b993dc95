"""Write KontextBench-micro's paraphrase split: every case's instruction said in words the templates never use.

    /usr/bin/python3 training/make_paraphrases.py            # writes training/kontextbench_micro/paraphrases.json

The bench's instructions come from the same templates the model was trained on (`domain/phrases.py`), so the bench
cannot tell understanding from matching a memorised sentence. A paraphrase keeps the case's meaning (its slots:
the shape named, colour, position, glyphs, background) and the same images and target, in a phrasing that no
training template can produce with any slot filling, using only words of the model's tokenizer (an unknown word
would test `<unk>`, not phrasing). Both are asserted for every case when the file is written. Deterministic: the
phrasing of a case is picked by a hash of its id, and running it twice writes identical bytes.
"""
import argparse
import hashlib
import json
import os
import re
import sys

if __package__ in (None, ""):  # run as a script: make `training.domain` importable from the repo root
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from training.domain.colors import COLOR_NAMES, with_article  # noqa: E402
from training.domain.phrases import (BAND_WORDS, DIRECTION_WORDS, TEMPLATES, get_at_position_phrases,  # noqa: E402
                                     get_background_noun_phrases, get_object_phrases, get_pattern_phrases,
                                     get_to_position_phrases)
from training.domain.scene import NAMED_TARGET_CELLS, SHAPE_KINDS, SIZES  # noqa: E402
from training.domain.tokenizer import encode, split_words  # noqa: E402

TRAINING = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(TRAINING, "kontextbench_micro")
CHECKPOINT = os.path.join(TRAINING, "checkpoints", "kontext-micro")
FORMAT_VERSION = 1

# Other phrasings of each edit, with the templates' slot names. {place} is a position without its preposition
# ("the top left corner"), so a template can say "in", "to" or "into" as its sentence needs.
PARAPHRASES: dict[str, tuple[str, ...]] = {
    "recolor": ("colour the {ref} {color}", "set the colour of the {ref} to {color}",
                "make the colour of the {ref} {color}", "paint the {ref} in {color}"),
    "remove": ("take the {ref} away", "delete the {ref} from the image", "erase the {ref} from the picture",
               "remove the {ref} from the image"),
    "add": ("add {object} to the image in {place}", "draw {object} and put it in {place}",
            "insert {object} into the picture in {place}"),
    "move_to": ("take the {ref} to {place}", "push the {ref} to {place}", "take the {ref} and put it in {place}"),
    "move_step": ("take the {ref} {direction}", "take the {ref} and move it {direction}",
                  "take the {ref} and shift it {direction}"),
    "enlarge": ("scale the {ref} up", "increase the {ref}'s size", "make the size of the {ref} bigger"),
    "shrink": ("scale the {ref} down", "reduce the {ref}'s size", "make the size of the {ref} smaller"),
    "background_flat": ("colour the background {color}", "set the background to {color}",
                        "change the background colour to {color}", "use {a_color} background"),
    "background_pattern": ("set the background to {pattern}", "use {pattern} as the background",
                           "turn the background into {pattern}"),
    "recolor_all": ("paint all the shapes {color}", "change every shape to {color}", "turn every shape {color}",
                    "colour every shape {color}"),
    "invert": ("invert the picture", "invert all the colours", "make the picture a negative",
               "turn the picture into its negative"),
    "grayscale": ("make the picture black and white", "convert it to grayscale", "make the image greyscale",
                  "take all the colour away", "desaturate the picture"),
    "mirror": ("flip the picture horizontally", "mirror it left to right", "flip the image left to right",
               "mirror it horizontally"),
    "flip_vertical": ("flip the picture vertically", "flip the image top to bottom", "mirror it top to bottom",
                      "mirror the picture vertically"),
    "replace_glyph": ('change the "{old}" into "{new}"', 'rewrite the "{old}" as "{new}"',
                      'write "{new}" in place of the "{old}"', 'make the "{old}" read "{new}"'),
    "replace_text": ('turn the text into "{text}"', 'write "{text}" in place of the text',
                     'rewrite the text to say "{text}"', 'replace the writing with "{text}"'),
    "recolor_text": ("paint the text {color}", "make the writing {color}", "set the text colour to {color}",
                     "recolour the text {color}"),
    "remove_text": ("delete the writing", "erase the writing", "take away the text", "get rid of the writing",
                    "remove all the text"),
    "add_text": ('put the text "{text}" in {color} at the {band}', 'add "{text}" in {color} at the {band}',
                 'write {color} text saying "{text}" at the {band}', 'at the {band} write "{text}" in {color}'),
    "apply_style": ("use the reference style", "apply the reference style", "restyle it like the reference image",
                    "draw it in the style of the reference", "copy the reference style",
                    "match the style of the reference"),
    "insert_character": ("draw the character in {place}", "put the reference character in {place}",
                         "place the character from the reference in {place}", "insert the character in {place}"),
    "restage_character": ("place the character in {place} on {a_background}",
                          "put the character in {place} on {a_background}",
                          "show the reference character on {a_background} in {place}",
                          "draw the character on {a_background} in {place}"),
}
# Cases name the edit; the background edit has two template families (flat colour, pattern).
TEMPLATE_KEYS = {"background": ("background_flat", "background_pattern")}


def _all_slot_phrases() -> dict[str, tuple[str, ...]]:
    """Every phrase each template slot can take (glyph slots are patterns instead, see _slot_pattern)."""
    pairs = [(a, b) for a in COLOR_NAMES for b in COLOR_NAMES if a != b]
    cells = NAMED_TARGET_CELLS
    return {
        "ref": SHAPE_KINDS + tuple(f"{c} {k}" for c in COLOR_NAMES for k in SHAPE_KINDS),
        "color": COLOR_NAMES,
        "a_color": tuple(with_article(c) for c in COLOR_NAMES),
        "object": tuple(p for k in SHAPE_KINDS for c in COLOR_NAMES for s in SIZES
                        for p in get_object_phrases(k, c, s)),
        "at_pos": tuple(p for cell in cells for p in get_at_position_phrases(cell)),
        "to_pos": tuple(p for cell in cells for p in get_to_position_phrases(cell)),
        "direction": tuple(p for words in DIRECTION_WORDS.values() for p in words),
        "pattern": tuple(p for kind in ("stripes", "checker", "vertical_gradient", "horizontal_gradient")
                         for pair in pairs for p in get_pattern_phrases(kind, pair)),
        "a_background": tuple(p for c in COLOR_NAMES for p in get_background_noun_phrases("flat", (c,)))
        + tuple(p for kind in ("stripes", "checker") for pair in pairs
                for p in get_background_noun_phrases(kind, pair)),
        "band": tuple(BAND_WORDS.values()),
    }


SLOT_PHRASES = _all_slot_phrases()
GLYPH_SLOTS = {"text": r'[^"]+', "old": r'[^"]', "new": r'[^"]'}


def _normalize(text: str) -> str:
    """What the model sees: the tokenizer's words (lower case, punctuation and digits split) joined by spaces."""
    return " ".join(split_words(text))


def _slot_pattern(slot: str, normalized: bool) -> str:
    if slot in GLYPH_SLOTS:  # a superset of the glyph strings: matching more can only reject more paraphrases
        return r"[a-z0-9]+(?: [a-z0-9]+)*" if normalized else GLYPH_SLOTS[slot]
    phrases = SLOT_PHRASES[slot]
    return "(?:" + "|".join(re.escape(_normalize(p) if normalized else p)
                            for p in sorted(phrases, key=len, reverse=True)) + ")"


def _template_regex(template: str, normalized: bool) -> re.Pattern:
    """The template with each slot replaced by every phrase it can take: raw (to read a case's slots back) or on
    the normalized word sequence (to tell whether any filling produces what the model would see)."""
    pieces = re.split(r"\{(\w+)\}", template)
    parts = []
    for i, piece in enumerate(pieces):
        if i % 2:
            slot = _slot_pattern(piece, normalized)
            parts.append(f"(?P<{piece}>{slot})" if not normalized else slot)
        elif normalized:
            parts.extend(re.escape(w) for w in split_words(piece))
        elif piece:
            parts.append(re.escape(piece))
    return re.compile((" ".join(parts) if normalized else "".join(parts)) + r"\Z")


RAW_REGEXES = {key: [_template_regex(t, False) for t in templates] for key, templates in TEMPLATES.items()}
NORMALIZED_REGEXES = [_template_regex(t, True) for templates in TEMPLATES.values() for t in templates]


def read_slots(edit: str, instruction: str) -> tuple[str, dict[str, str]]:
    """(template key, slots) of a bench instruction, read back through the edit's own templates."""
    for key in TEMPLATE_KEYS.get(edit, (edit,)):
        for regex in RAW_REGEXES[key]:
            m = regex.match(instruction)
            if m:
                slots = dict(m.groupdict())
                position = slots.get("at_pos") or slots.get("to_pos")
                if position:  # "in the top left corner" / "to the middle" -> "the top left corner"
                    slots["place"] = position.split(" ", 1)[1]
                if "color" in slots:
                    slots["a_color"] = with_article(slots["color"])
                return key, slots
    raise ValueError(f"{edit}: no template reads {instruction!r}")


def is_template_output(text: str) -> bool:
    """True when some template, with some filling of its slots, gives the same words as `text`."""
    words = _normalize(text)
    return any(regex.match(words) for regex in NORMALIZED_REGEXES)


def read_vocabulary(path: str) -> set[str]:
    with open(path, encoding="utf-8") as f:
        return set(json.load(f)["model"]["vocab"])


def read_text_length(checkpoint: str = CHECKPOINT) -> int:
    """The shorter of the two encoders' text lengths: a longer paraphrase would be cut off, not paraphrased."""
    with open(os.path.join(checkpoint, "kontext_bundle.json"), encoding="utf-8") as f:
        sidecar = json.load(f)
    return min(sidecar["t5_max_length"], sidecar["clip_max_length"])


def paraphrase(case: dict, vocabulary: set[str], text_length: int) -> str:
    """The case's instruction in another phrasing; asserts the three properties the split promises."""
    key, slots = read_slots(case["edit"], case["instruction"])
    options = PARAPHRASES[key]
    pick = int(hashlib.sha256(case["id"].encode()).hexdigest(), 16) % len(options)
    text = options[pick].format(**slots)
    unknown = [w for w in split_words(text) if w not in vocabulary]
    assert not unknown, f"{case['id']}: {text!r} has words outside the model's vocabulary: {unknown}"
    assert not is_template_output(text), f"{case['id']}: {text!r} is a training template's output"
    assert len(encode(text)) <= text_length, f"{case['id']}: {text!r} is longer than {text_length} ids"
    kept = [slots[s] for s in ("ref", "color", "object", "direction", "pattern", "text", "old", "new", "band",
                               "place") if s in slots]
    assert all(v in text for v in kept), f"{case['id']}: {text!r} lost a slot of {case['instruction']!r}"
    return text


def build_paraphrases(bench: str = BENCH) -> dict:
    with open(os.path.join(bench, "cases.json"), encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    vocabulary = read_vocabulary(os.path.join(bench, "tokenizer.json"))
    text_length = read_text_length()
    rows = [{"id": c["id"], "instruction": c["instruction"], "paraphrase": paraphrase(c, vocabulary, text_length)}
            for c in cases]
    return {"format_version": FORMAT_VERSION, "generator": "training/make_paraphrases.py", "paraphrases": rows}


def write_paraphrases(bench: str = BENCH) -> str:
    path = os.path.join(bench, "paraphrases.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(build_paraphrases(bench), f, indent=1, sort_keys=True)
        f.write("\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description="Write KontextBench-micro's paraphrase split.")
    parser.add_argument("--bench", default=BENCH)
    args = parser.parse_args()
    print(f"wrote {write_paraphrases(args.bench)}")


if __name__ == "__main__":
    main()
