"""Write KontextBench-micro: single-edit cases per category and multi-turn chains, from the bench seed range.

    /usr/bin/python3 training/make_bench.py --out training/kontextbench_micro --size 64

Case seeds do not depend on how many cases are written (seed = bench start + category slot + case number), so a
smaller run reproduces the first cases of the full bench byte for byte. Running it twice gives identical files.
"""
import argparse
import json
import os
import shutil
import sys

if __package__ in (None, ""):  # run as a script: make `training.domain` importable from the repo root
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from training.domain.png import write_png  # noqa: E402
from training.domain.samples import (CATEGORIES, EDITS_BY_CATEGORY, get_fingerprint, make_chain,  # noqa: E402
                                     make_sample)
from training.domain.splits import BENCH_SEEDS, check_seed  # noqa: E402
from training.domain.tokenizer import write_tokenizer_config_json, write_tokenizer_json  # noqa: E402

CATEGORY_SEED_STRIDE = 10_000  # case k of category c uses seed BENCH_SEEDS.start + c * stride + k
CHAIN_SEED_OFFSET = 50_000
FORMAT_VERSION = 1


def _write_json(path: str, data: dict) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")


def write_cases(out: str, size: int, per_category: int) -> list[dict]:
    os.makedirs(os.path.join(out, "cases"))
    cases = []
    for c, category in enumerate(CATEGORIES):
        for k in range(per_category):
            seed = BENCH_SEEDS.start + c * CATEGORY_SEED_STRIDE + k
            check_seed("bench", seed)
            edits = tuple(EDITS_BY_CATEGORY[category])
            sample = make_sample(seed, 0, edit=edits[k % len(edits)], size=size)  # every edit equally often
            case_id = f"{category}_{k:03d}"
            files = {}
            for key in ("input", "reference", "target", "touched"):
                if sample[key] is not None:
                    files[key] = f"cases/{case_id}_{key}.png"
                    write_png(os.path.join(out, files[key]), sample[key])
            cases.append({"id": case_id, "category": category, "edit": sample["edit"],
                          "instruction": sample["instruction"], "seed": seed, "index": 0,
                          "input": files["input"], "reference": files.get("reference"), "target": files["target"],
                          "touched": files["touched"],
                          "fingerprint": get_fingerprint(sample["instruction"], sample["input"], sample["reference"])})
    return cases


def write_chains(out: str, size: int, count: int) -> list[dict]:
    os.makedirs(os.path.join(out, "chains"))
    chains = []
    for k in range(count):
        seed = BENCH_SEEDS.start + CHAIN_SEED_OFFSET + k
        check_seed("bench", seed)
        chain = make_chain(seed, 0, size=size)
        chain_id = f"chain_{k:03d}"
        prefix = f"chains/{chain_id}"
        write_png(os.path.join(out, f"{prefix}_input.png"), chain["input"])
        write_png(os.path.join(out, f"{prefix}_untouched.png"), chain["untouched"])
        turns = []
        for t, turn in enumerate(chain["turns"], start=1):
            target, touched = f"{prefix}_turn{t}_target.png", f"{prefix}_turn{t}_touched.png"
            write_png(os.path.join(out, target), turn["target"])
            write_png(os.path.join(out, touched), turn["touched"])
            turns.append({"turn": t, "category": turn["category"], "edit": turn["edit"],
                          "instruction": turn["instruction"], "target": target, "touched": touched})
        chains.append({"id": chain_id, "seed": seed, "index": 0, "input": f"{prefix}_input.png",
                       "untouched": f"{prefix}_untouched.png", "turns": turns})
    return chains


def write_bench(out: str, size: int = 64, per_category: int = 100, chains: int = 40) -> None:
    """Write the bench under `out`, replacing what an earlier run wrote there (and nothing else)."""
    os.makedirs(out, exist_ok=True)
    for sub in ("cases", "chains"):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    header = {"format_version": FORMAT_VERSION, "size": size, "generator": "training/domain",
              "seed_range": [BENCH_SEEDS.start, BENCH_SEEDS.stop]}
    _write_json(os.path.join(out, "cases.json"), {**header, "cases": write_cases(out, size, per_category)})
    _write_json(os.path.join(out, "chains.json"), {**header, "chains": write_chains(out, size, chains)})
    write_tokenizer_json(os.path.join(out, "tokenizer.json"))
    write_tokenizer_config_json(os.path.join(out, "tokenizer_config.json"))


def main() -> None:
    parser = argparse.ArgumentParser(description="Write KontextBench-micro.")
    parser.add_argument("--out", default="training/kontextbench_micro")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--per-category", type=int, default=100)
    parser.add_argument("--chains", type=int, default=40)
    args = parser.parse_args()
    write_bench(args.out, args.size, args.per_category, args.chains)


if __name__ == "__main__":
    main()
