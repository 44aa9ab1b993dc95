"""The tiny model's two vocabularies (100 ids each), written by make_tiny_model.py.

CLIP: 29 characters, the same 29 with `</w>`, 40 merges that spell the words below, then <|startoftext|> (98) and
<|endoftext|> (99) last, so EOS is the largest id as in CLIP-L (49407). Other characters map to <|endoftext|>.
T5: <pad>=0, </s>=1, <unk>=2, then a SentencePiece-style Unigram vocabulary: "▁", characters, "▁word" pieces.
"""
import string

CLIP_CHARS = list(string.ascii_lowercase) + [".", ",", "!"]
# Merge ranks in order; each result is a vocab entry. Together they spell: the cat hat dog red blue make turn sky
# into night with green and add on of.
CLIP_MERGES = [
    ("t", "h"), ("th", "e</w>"), ("a", "t</w>"), ("c", "at</w>"), ("h", "at</w>"), ("o", "g</w>"), ("d", "og</w>"),
    ("e", "d</w>"), ("r", "ed</w>"), ("b", "l"), ("u", "e</w>"), ("bl", "ue</w>"), ("m", "a"), ("k", "e</w>"),
    ("ma", "ke</w>"), ("t", "u"), ("r", "n</w>"), ("tu", "rn</w>"), ("s", "k"), ("sk", "y</w>"), ("i", "n"),
    ("t", "o</w>"), ("in", "to</w>"), ("i", "g"), ("h", "t</w>"), ("n", "ig"), ("nig", "ht</w>"), ("w", "i"),
    ("t", "h</w>"), ("wi", "th</w>"), ("g", "r"), ("e", "e"), ("gr", "ee"), ("gree", "n</w>"), ("a", "n"),
    ("an", "d</w>"), ("a", "d"), ("ad", "d</w>"), ("o", "n</w>"), ("o", "f</w>"),
]
CLIP_BOS, CLIP_EOS = "<|startoftext|>", "<|endoftext|>"

T5_SPECIALS = ["<pad>", "</s>", "<unk>"]
T5_WORDS = ("make the cat blue red dog hat a turn sky into night with green and add on of in to it is sun moon big "
            "small white black tree car house photo style paint remove change color snow sea man woman sketch "
            "glass wear put hair face light dark yellow orange purple old young happy sad smile hand eye door window "
            "road bird").split()


def clip_vocab() -> tuple[dict[str, int], list[tuple[str, str]]]:
    tokens = CLIP_CHARS + [c + "</w>" for c in CLIP_CHARS] + [a + b for a, b in CLIP_MERGES] + [CLIP_BOS, CLIP_EOS]
    vocab = {t: i for i, t in enumerate(tokens)}
    if len(vocab) != len(tokens):
        raise AssertionError("duplicate CLIP token")
    for a, b in CLIP_MERGES:
        if a not in vocab or b not in vocab:
            raise AssertionError(f"merge {a} {b} uses a token that is not in the vocab")
    return vocab, CLIP_MERGES


def t5_pieces() -> list[tuple[str, float]]:
    """(piece, log-prob score). Whole words score far better than spelling them out, as in a trained model."""
    pieces = [(s, 0.0) for s in T5_SPECIALS] + [("▁", -3.0)]
    pieces += [(c, -10.0 - 0.01 * i) for i, c in enumerate(string.ascii_lowercase + ".,!")]
    pieces += [("▁" + w, -6.0 - 0.05 * i) for i, w in enumerate(T5_WORDS)]
    pieces += [("ing", -7.0), ("ed", -7.2), ("er", -7.4), ("ly", -7.6)]
    if len({p for p, _ in pieces}) != len(pieces):
        raise AssertionError("duplicate T5 piece")
    return pieces
