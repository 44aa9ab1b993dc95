"""Inside-tests for the primitive shapes, in a shape's own frame: u right, v down, the shape fits in [-1, 1]^2.

Every shape is symmetric left-to-right, so a shape never changes identity under a horizontal flip.
"""
import numpy as np


def _star_polygon(points: int = 5, inner: float = 0.5) -> np.ndarray:
    angles = -np.pi / 2 + np.arange(2 * points) * np.pi / points  # first tip points up
    radii = np.where(np.arange(2 * points) % 2 == 0, 1.0, inner)
    xy = np.stack([radii * np.cos(angles), radii * np.sin(angles)], axis=1)
    xy[:, 1] += 0.1  # the star's tips span v in [-1, 0.81]; shift it to sit centred
    return xy


_STAR = _star_polygon()


def _inside_polygon(u: np.ndarray, v: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Even-odd rule over the polygon's edges (vectorised over the sample grid)."""
    inside = np.zeros(u.shape, dtype=bool)
    x0, y0 = poly[-1]
    for x1, y1 in poly:
        crosses = (y1 > v) != (y0 > v)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = x0 + (v - y0) * (x1 - x0) / (y1 - y0)
        inside ^= crosses & (u < x_at)
        x0, y0 = x1, y1
    return inside


def get_shape_mask(kind: str, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Bool mask of the samples (u, v) inside a shape of the given kind."""
    if kind == "circle":
        return u * u + v * v <= 1.0
    if kind == "square":
        return (np.abs(u) <= 0.85) & (np.abs(v) <= 0.85)
    if kind == "triangle":  # apex at the top, base at the bottom
        return (v <= 0.9) & (np.abs(u) <= (v + 0.9) / 1.8)
    if kind == "diamond":
        return np.abs(u) + np.abs(v) <= 1.0
    if kind == "cross":  # a plus sign
        bar = 0.34
        return ((np.abs(u) <= bar) & (np.abs(v) <= 0.95)) | ((np.abs(v) <= bar) & (np.abs(u) <= 0.95))
    if kind == "ring":
        r2 = u * u + v * v
        return (r2 <= 1.0) & (r2 >= 0.52 * 0.52)
    if kind == "star":
        return _inside_polygon(u, v, _STAR)
    if kind == "heart":  # (x^2 + y^2 - 1)^3 - x^2 y^3 <= 0 with y up, scaled to fill the box
        x, y = u * 1.15, -(v * 1.2) + 0.15
        return (x * x + y * y - 1.0) ** 3 - x * x * y ** 3 <= 0.0
    raise ValueError(f"unknown shape {kind!r}")
