"""Seed ranges: training and KontextBench-micro draw from disjoint seeds, so no bench (seed, index) key is ever
generated for training. (Tiny scenes can still coincide by chance; cases.json carries a fingerprint per case for
trainers that want to skip exact duplicates.)"""

TRAIN_SEEDS = range(0, 1_000_000_000)
BENCH_SEEDS = range(1_000_000_000, 1_000_100_000)
EXAMPLE_SEEDS = range(2_000_000_000, 2_000_000_100)  # the contact sheet in README/examples.png

SPLITS = {"train": TRAIN_SEEDS, "bench": BENCH_SEEDS, "examples": EXAMPLE_SEEDS}


def check_seed(split: str, seed: int) -> None:
    """Raise ValueError when `seed` is outside the split's range."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; valid: {sorted(SPLITS)}")
    if seed not in SPLITS[split]:
        raise ValueError(f"seed {seed} is not in the {split} range [{SPLITS[split].start}, {SPLITS[split].stop})")


def get_overlapping_splits() -> list[tuple[str, str]]:
    """Pairs of splits whose seed ranges intersect (must be empty; a test checks it)."""
    names = sorted(SPLITS)
    return [(a, b) for i, a in enumerate(names) for b in names[i + 1:]
            if max(SPLITS[a].start, SPLITS[b].start) < min(SPLITS[a].stop, SPLITS[b].stop)]
