"""kontext-micro's procedural image-editing domain: scenes, edits with exact targets, chains, tokenizer.

Public API (see README.md):
  make_sample(seed, index, category=None, edit=None, size=64) -> dict
  make_chain(seed, index, turns=5, size=64) -> dict
  get_fingerprint(instruction, input, reference) -> str (matches cases.json)
  render_scene(scene, size=64) -> [H, W, 3] uint8
  CATEGORIES, EDITS_BY_CATEGORY, TRAIN_SEEDS, BENCH_SEEDS, check_seed
  encode(text) -> ids, get_vocabulary(), write_tokenizer_json(path)
  read_png(path), write_png(path, image)
"""
from .png import read_png, write_png
from .render import render_scene
from .samples import CATEGORIES, EDITS_BY_CATEGORY, get_fingerprint, make_chain, make_sample
from .splits import BENCH_SEEDS, TRAIN_SEEDS, check_seed
from .tokenizer import encode, get_vocabulary, write_tokenizer_config_json, write_tokenizer_json

__all__ = [
    "BENCH_SEEDS", "CATEGORIES", "EDITS_BY_CATEGORY", "TRAIN_SEEDS", "check_seed", "encode", "get_fingerprint", "get_vocabulary",
    "make_chain", "make_sample", "read_png", "render_scene", "write_png", "write_tokenizer_config_json",
    "write_tokenizer_json",
]
