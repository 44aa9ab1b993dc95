"""A small seeded random source, so a sample is the same pure function of (seed, index) on every machine and
NumPy version (NumPy does not promise identical Generator streams across releases)."""
import hashlib
from typing import Sequence, TypeVar

T = TypeVar("T")
_MASK = (1 << 64) - 1


class Rng:
    """splitmix64 over a state derived from the key by SHA-256."""

    def __init__(self, *key: int | str):
        digest = hashlib.sha256(":".join(str(k) for k in key).encode()).digest()
        self._state = int.from_bytes(digest[:8], "little")

    def next_u64(self) -> int:
        self._state = (self._state + 0x9E3779B97F4A7C15) & _MASK
        z = self._state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def random(self) -> float:
        """Uniform in [0, 1) with 53 bits."""
        return (self.next_u64() >> 11) / float(1 << 53)

    def integer(self, low: int, high: int) -> int:
        """Uniform in [low, high], both ends included."""
        if high < low:
            raise ValueError(f"empty range [{low}, {high}]")
        return low + self.next_u64() % (high - low + 1)  # bias < 2^-50 for our tiny ranges

    def choice(self, items: Sequence[T]) -> T:
        if not items:
            raise ValueError("choice from an empty sequence")
        return items[self.integer(0, len(items) - 1)]

    def weighted(self, weights: dict[T, float]) -> T:
        total = sum(weights.values())
        x = self.random() * total
        for item, w in weights.items():
            x -= w
            if x < 0:
                return item
        return next(reversed(weights))

    def chance(self, p: float) -> bool:
        return self.random() < p

    def sample(self, items: Sequence[T], k: int) -> list[T]:
        """k distinct items in random order."""
        pool = list(items)
        if k > len(pool):
            raise ValueError(f"cannot pick {k} of {len(pool)}")
        for i in range(k):
            j = self.integer(i, len(pool) - 1)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]

    def shuffled(self, items: Sequence[T]) -> list[T]:
        return self.sample(items, len(items))
