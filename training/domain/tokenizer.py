"""The instruction tokenizer: a closed word-level vocabulary built from the templates, T5-style special tokens.

`write_tokenizer_json` writes a Hugging Face tokenizers-format file (WordLevel model, Lowercase normalizer,
Whitespace + individual-Digits pre-tokenizer, TemplateProcessing that appends `</s>`). `encode` is a pure-Python
copy of the same pipeline for training; tests check both give the same ids.
"""
import json
import re

from .font import SCENE_GLYPHS
from .phrases import TEMPLATES, get_slot_phrases

SPECIAL_TOKENS = ("<pad>", "</s>", "<unk>")  # ids 0, 1, 2 as in T5
PAD_ID, EOS_ID, UNK_ID = 0, 1, 2

# The tokenizers crate's Whitespace pre-tokenizer is exactly this regex; Digits(individual_digits) then splits
# every digit into its own piece ("a7b" -> "a", "7", "b").
_WORD_PATTERN = re.compile(r"\w+|[^\w\s]+")
_DIGIT_SPLIT = re.compile(r"\d|\D+")


def split_words(text: str) -> list[str]:
    """Normalizer + pre-tokenizer: lower-case, split into words and punctuation runs, split digits apart."""
    return [piece for word in _WORD_PATTERN.findall(text.lower()) for piece in _DIGIT_SPLIT.findall(word)]


def get_vocabulary() -> list[str]:
    """Tokens in id order: specials, then every word the templates and slot phrases can produce, sorted."""
    words = set()
    for templates in TEMPLATES.values():
        for template in templates:
            words.update(split_words(re.sub(r"\{\w+\}", " ", template)))
    for phrase in get_slot_phrases():
        words.update(split_words(phrase))
    words.update(split_words(" ".join(SCENE_GLYPHS)))
    return list(SPECIAL_TOKENS) + sorted(words - set(SPECIAL_TOKENS))


def encode(text: str, vocabulary: dict[str, int] | None = None) -> list[int]:
    """Token ids of an instruction followed by `</s>`, as the tokenizer.json pipeline gives them."""
    vocabulary = vocabulary or get_vocabulary_ids()
    return [vocabulary.get(w, UNK_ID) for w in split_words(text)] + [EOS_ID]


_IDS: dict[str, int] | None = None


def get_vocabulary_ids() -> dict[str, int]:
    global _IDS
    if _IDS is None:
        _IDS = {w: i for i, w in enumerate(get_vocabulary())}
    return _IDS


def build_tokenizer_spec() -> dict:
    vocab = get_vocabulary_ids()
    special = [{"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": True} for t in SPECIAL_TOKENS]
    eos = {"id": "</s>", "type_id": 0}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": special,
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Whitespace"}, {"type": "Digits", "individual_digits": True}]},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": eos}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": eos},
                     {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": eos}],
            "special_tokens": {"</s>": {"id": "</s>", "ids": [EOS_ID], "tokens": ["</s>"]}},
        },
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "<unk>"},
    }


def build_tokenizer_config() -> dict:
    """tokenizer_config.json: tokenizers.js reads the special tokens of a WordLevel model from here."""
    return {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 64,
            "pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>"}


def write_tokenizer_json(path: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(build_tokenizer_spec(), f, indent=1, sort_keys=False)
        f.write("\n")


def write_tokenizer_config_json(path: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(build_tokenizer_config(), f, indent=1)
        f.write("\n")
