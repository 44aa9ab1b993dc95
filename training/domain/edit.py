"""What an edit function returns, and the helpers edits share."""
from dataclasses import dataclass
from typing import Callable, Optional

from .rng import Rng
from .scene import Scene

# (which scene, element): which ∈ {"input", "target"}; element ∈ {"shape:i", "text", "character", "background", "all"}
TouchedPart = tuple[str, str]


@dataclass(frozen=True)
class Edit:
    name: str
    instruction: str
    target: Scene
    touched: tuple[TouchedPart, ...]  # the footprints an instruction may change; samples.py turns them into a mask
    reference: Optional[Scene] = None
    referent: Optional[tuple[str, int]] = None  # (phrase used in the instruction, index of the shape it names)


EditFunction = Callable[[Rng, Scene], Optional[Edit]]  # None: the edit does not apply to this scene


def get_reference_phrases(scene: Scene, index: int) -> tuple[str, ...]:
    """Ways to name shape `index` unambiguously: its kind alone when no other shape has that kind, else colour+kind."""
    shape = scene.shapes[index]
    full = f"{shape.color} {shape.kind}"
    if sum(s.kind == shape.kind for s in scene.shapes) == 1:
        return (shape.kind, full)
    return (full,)


def resolve_reference(scene: Scene, phrase: str) -> list[int]:
    """Indices of the shapes a reference phrase can mean (tests use it: exactly one for every instruction)."""
    words = phrase.split()
    if len(words) == 1:
        return [i for i, s in enumerate(scene.shapes) if s.kind == words[0]]
    return [i for i, s in enumerate(scene.shapes) if (s.color, s.kind) == (words[0], words[1])]
