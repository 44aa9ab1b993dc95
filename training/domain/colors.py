"""The named colours of the domain. Every colour a scene uses is one of these names, so instructions can name it."""

# RGB values are spread out so that no two names look alike after the 4x box-downsample and a small autoencoder.
COLORS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "orange": (245, 140, 20),
    "yellow": (250, 220, 40),
    "green": (40, 165, 60),
    "cyan": (40, 200, 220),
    "blue": (40, 80, 220),
    "purple": (140, 60, 190),
    "pink": (245, 135, 195),
    "white": (250, 250, 250),
    "black": (20, 20, 20),
    "gray": (128, 128, 128),
    "brown": (130, 80, 40),
}
COLOR_NAMES: tuple[str, ...] = tuple(COLORS)


def get_rgb(name: str) -> tuple[int, int, int]:
    if name not in COLORS:
        raise ValueError(f"unknown colour {name!r}; valid: {', '.join(COLOR_NAMES)}")
    return COLORS[name]


def with_article(phrase: str) -> str:
    """'a red circle' / 'an orange circle': the article follows the first word of the phrase."""
    return ("an " if phrase[0] in "aeiou" else "a ") + phrase
