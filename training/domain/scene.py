"""The scene: a small immutable description that one function (render.render_scene) turns into pixels.

Edits are functions Scene -> Scene, so every target is the exact re-render of the edited scene.
Layout: a 3x3 grid of cells (col, row), (0, 0) = top left. At most one element per cell, so elements never overlap
and "the square in the top left" is a fact of the scene, not of the pixels. Text fills a whole row (top or bottom).
"""
from dataclasses import dataclass, field, replace
from typing import Optional

GRID = 3
Cell = tuple[int, int]  # (col, row)

POSITION_NAMES: dict[Cell, str] = {
    (0, 0): "top left", (1, 0): "top", (2, 0): "top right",
    (0, 1): "left", (1, 1): "center", (2, 1): "right",
    (0, 2): "bottom left", (1, 2): "bottom", (2, 2): "bottom right",
}
# Absolute targets ("in the top left") use only corners and the center: "at the top" would not say which column.
NAMED_TARGET_CELLS: tuple[Cell, ...] = ((0, 0), (2, 0), (1, 1), (0, 2), (2, 2))

SHAPE_KINDS = ("circle", "square", "triangle", "star", "heart", "ring", "cross", "diamond")
SIZES = ("small", "medium", "large")
SIZE_SCALE = {"small": 0.5, "medium": 0.7, "large": 0.92}  # object extent as a fraction of the cell

BACKGROUND_KINDS = ("flat", "vertical_gradient", "horizontal_gradient", "stripes", "checker")
FILLS = ("solid", "stripes", "dots", "outline")
TEXT_ROWS = (0, 2)


@dataclass(frozen=True)
class Background:
    kind: str
    colors: tuple[str, ...]  # one colour for flat; (first, second) otherwise: top/left/first stripe/top-left square

    def __post_init__(self):
        if self.kind not in BACKGROUND_KINDS:
            raise ValueError(f"unknown background {self.kind!r}; valid: {BACKGROUND_KINDS}")
        want = 1 if self.kind == "flat" else 2
        if len(self.colors) != want or (want == 2 and self.colors[0] == self.colors[1]):
            raise ValueError(f"{self.kind} background needs {want} distinct colours, got {self.colors}")


@dataclass(frozen=True)
class Shape:
    kind: str
    color: str
    size: str
    cell: Cell


@dataclass(frozen=True)
class Text:
    glyphs: str
    color: str
    row: int  # 0 = top band, 2 = bottom band


@dataclass(frozen=True)
class Part:
    """One primitive of a character, in character units: the character's box is [-0.5, 0.5]^2."""
    kind: str
    color: str
    dx: float
    dy: float
    scale: float  # extent of the primitive in character units


@dataclass(frozen=True)
class Character:
    parts: tuple[Part, ...]
    center: tuple[float, float]  # (x, y) as fractions of the image width and height
    extent: float  # width of the character's box as a fraction of the image width


@dataclass(frozen=True)
class Style:
    fill: str = "solid"
    ink: Optional[str] = None  # when set, every shape is drawn in this colour (a one-colour palette)


@dataclass(frozen=True)
class Scene:
    background: Background
    shapes: tuple[Shape, ...] = ()
    text: Optional[Text] = None
    character: Optional[Character] = None
    style: Style = field(default_factory=Style)
    filters: tuple[str, ...] = ()  # whole-image pixel operations applied after drawing (render.apply_filter)

    def with_(self, **changes) -> "Scene":
        return replace(self, **changes)


def get_cell_center(cell: Cell) -> tuple[float, float]:
    """(x, y) of a cell's center as fractions of the image size."""
    return ((cell[0] + 0.5) / GRID, (cell[1] + 0.5) / GRID)


def get_character_at_cell(parts: tuple[Part, ...], cell: Cell) -> Character:
    """The standard placement: the character fills one cell like a large shape."""
    return Character(parts, get_cell_center(cell), SIZE_SCALE["large"] / GRID)


def get_occupied_cells(scene: Scene) -> set[Cell]:
    cells = {s.cell for s in scene.shapes}
    if scene.text is not None:
        cells |= {(c, scene.text.row) for c in range(GRID)}
    if scene.character is not None:
        cells.add(get_character_cell(scene.character))
    return cells


def get_character_cell(character: Character) -> Cell:
    x, y = character.center
    return (min(GRID - 1, int(x * GRID)), min(GRID - 1, int(y * GRID)))


def get_free_cells(scene: Scene) -> list[Cell]:
    taken = get_occupied_cells(scene)
    return [(c, r) for r in range(GRID) for c in range(GRID) if (c, r) not in taken]


def get_ink_colors(scene: Scene) -> set[str]:
    """Colours drawn on top of the background (for the rule that ink must differ from the background)."""
    colors = {scene.style.ink or s.color for s in scene.shapes}
    if scene.text is not None:
        colors.add(scene.text.color)
    if scene.character is not None:
        colors |= {p.color for p in scene.character.parts}
    return colors
