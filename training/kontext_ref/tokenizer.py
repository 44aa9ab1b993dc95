"""Small reference tokenizers, enough to turn a prompt into ids for the tiny model's goldens.

- `ClipBPE`: CLIP's byte-level BPE from vocab.json + merges.txt (lower-case, whitespace-collapsed text,
  words end with `</w>`), BOS + tokens + EOS, padded to 77 with the pad id (EOS for CLIP).
- `UnigramTokenizer`: a Hugging Face tokenizer.json with a Unigram model and a Metaspace pre-tokenizer (T5):
  Viterbi over piece scores, then `</s>`, padded with `<pad>` = 0.
Not a replacement for `tokenizers`: no ftfy, no Unicode normalisation, ASCII-level pre-tokenizer classes.
"""
import json
import re


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP byte -> printable character map: printable Latin-1 bytes map to themselves, the others to 256+."""
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    chars, extra = {}, 0
    for b in range(256):
        if b in keep:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return chars


class ClipBPE:
    # CLIP's split: specials, English contractions, letter runs, single digits, other non-space runs.
    _pattern = re.compile(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[^\W\d_]+|\d|(?:[^\s\w]|_)+",
                          re.IGNORECASE)

    def __init__(self, vocab: dict[str, int], merges: list[tuple[str, str]], bos: str = "<|startoftext|>",
                 eos: str = "<|endoftext|>"):
        self.vocab, self.ranks = vocab, {m: i for i, m in enumerate(merges)}
        self.bos_id, self.eos_id = vocab[bos], vocab[eos]
        self.byte_chars = bytes_to_unicode()

    @classmethod
    def from_files(cls, vocab_path: str, merges_path: str) -> "ClipBPE":
        with open(vocab_path, encoding="utf-8") as f:
            vocab = json.load(f)
        with open(merges_path, encoding="utf-8") as f:
            lines = f.read().strip().split("\n")[1:]  # line 0 is the "#version" header
        return cls(vocab, [tuple(line.split()) for line in lines if line])

    def bpe(self, word: str) -> list[str]:
        parts = list(word[:-1]) + [word[-1] + "</w>"]
        while len(parts) > 1:
            pairs = [(self.ranks.get((a, b), float("inf")), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
            rank, _ = min(pairs)
            if rank == float("inf"):
                break
            first, second = [k for k, v in self.ranks.items() if v == rank][0]
            merged, i = [], 0
            while i < len(parts):  # merge every occurrence of the best pair, left to right
                if i + 1 < len(parts) and parts[i] == first and parts[i + 1] == second:
                    merged.append(first + second)
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        return parts

    def encode(self, text: str, max_length: int = 77) -> list[int]:
        text = re.sub(r"\s+", " ", text).strip().lower()
        ids = []
        for token in self._pattern.findall(text):
            word = "".join(self.byte_chars[b] for b in token.encode("utf-8"))
            ids += [self.vocab.get(piece, self.eos_id) for piece in self.bpe(word)]  # unk is <|endoftext|>
        ids = [self.bos_id] + ids[: max_length - 2] + [self.eos_id]
        return ids + [self.eos_id] * (max_length - len(ids))


class UnigramTokenizer:
    def __init__(self, spec: dict):
        model = spec["model"]
        if model["type"] != "Unigram":
            raise ValueError(f"expected a Unigram model, got {model['type']}")
        self.pieces = {piece: (i, score) for i, (piece, score) in enumerate(model["vocab"])}
        self.unk_id = model["unk_id"]
        self.unk_score = min(score for _, score in model["vocab"]) - 10.0  # the tokenizers crate's unk penalty
        self.max_piece = max(len(p) for p in self.pieces)
        self.replacement = spec["pre_tokenizer"]["replacement"]

    @classmethod
    def from_file(cls, path: str) -> "UnigramTokenizer":
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    def viterbi(self, word: str) -> list[int]:
        # best[i] = (score, start, id) of the best segmentation of word[:i] ending with a piece word[start:i].
        best = [(0.0, 0, -1)] + [(float("-inf"), 0, -1)] * len(word)
        for end in range(1, len(word) + 1):
            for start in range(max(0, end - self.max_piece), end):
                piece = word[start:end]
                if piece in self.pieces:
                    pid, score = self.pieces[piece]
                elif end - start == 1:
                    pid, score = self.unk_id, self.unk_score
                else:
                    continue
                if best[start][0] + score > best[end][0]:
                    best[end] = (best[start][0] + score, start, pid)
        ids, end = [], len(word)
        while end > 0:
            _, start, pid = best[end]
            ids.append(pid)
            end = start
        ids.reverse()
        fused = [i for k, i in enumerate(ids) if not (i == self.unk_id and k and ids[k - 1] == self.unk_id)]
        return fused

    def encode(self, text: str, max_length: int, eos_id: int = 1, pad_id: int = 0) -> list[int]:
        # Normalizer of the T5 tokenizer.json minus its Precompiled (NFKC) step: strip right, runs of spaces -> "▁".
        text = re.sub(" {2,}", self.replacement, text.rstrip())
        # Metaspace: spaces become the replacement char, one is prepended, words split before each replacement.
        if not text.startswith(self.replacement):
            text = self.replacement + text
        text = text.replace(" ", self.replacement)
        words = [w for w in re.split(f"(?={re.escape(self.replacement)})", text) if w]
        ids = [i for w in words for i in self.viterbi(w)]
        ids = ids[: max_length - 1] + [eos_id]
        return ids + [pad_id] * (max_length - len(ids))
