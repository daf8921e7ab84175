"""Datasets the course makes itself: small, seeded, generated on the spot (nothing is
downloaded). Every function takes ``rng``: a seed or a ``numpy.random.Generator``.
The one real data set, the handwritten :func:`digits`, is shipped in
``course_utils/datasets/`` with its source and licence.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np


def as_rng(rng=None) -> np.random.Generator:
    """A Generator from a seed, a Generator (returned as is) or None (seed 0)."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(0 if rng is None else rng)


def wave(n: int = 40, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """1-D regression data: ``y = sin(2x) + x/2 + noise`` at ``n`` sorted points in [-2, 2].

    Returns ``x`` shaped (n, 1) and ``y`` shaped (n, 1): a curve that no straight line fits.
    """
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    gen = as_rng(rng)
    x = np.sort(gen.uniform(-2.0, 2.0, size=n))
    y = np.sin(2 * x) + 0.5 * x + noise * gen.normal(size=n)
    return x[:, None], y[:, None]


def line(n: int = 64, slope: float = 2.0, intercept: float = -1.0, noise: float = 0.5,
         rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Points near a straight line: ``y = slope * x + intercept + noise * N(0, 1)``,
    with ``x`` uniform in [0, 2] (in random order).

    Returns ``x`` shaped (n, 1) and ``y`` shaped (n, 1). A line ``y = w x + b`` fits
    them best at the least-squares solution, which is near (slope, intercept) and
    gets closer as ``n`` grows.
    """
    n, noise = _check(n, noise)
    gen = as_rng(rng)
    x = gen.uniform(0.0, 2.0, size=n)
    y = slope * x + intercept + noise * gen.normal(size=n)
    return x[:, None], y[:, None]


# --------------------------------------------------------------------------------------
# 2-D classification sets
#
# Every set below lies roughly inside the square [-2, 2] x [-2, 2] (at noise 0), has
# ``n // 2`` points of class 0 and ``n - n // 2`` of class 1, in a shuffled order, and
# takes ``noise``: the standard deviation of Gaussian noise added to both coordinates
# of every point after it is labelled (so with noise, a few points stray across).
# They return ``x`` of shape (n, 2), float, and ``y`` of shape (n,), int, in {0, 1}.
# The ideas follow the data sets of TensorFlow Playground (Smilkov & Carter, 2016) and
# the "two moons" of scikit-learn; the shapes and sizes here are the course's own.
# --------------------------------------------------------------------------------------

#: Radii of the circle set: class 1 fills the disc r <= CIRCLE_INNER, class 0 the ring
#: CIRCLE_RING[0] <= r <= CIRCLE_RING[1].
CIRCLE_INNER = 1.0
CIRCLE_RING = (1.5, 2.0)
#: XOR points keep this distance from both axes, so that at noise 0 every label is clear.
XOR_MARGIN = 0.2
#: Blob centres (class 0, class 1), spread of each blob, and the radius it is cut at.
BLOB_CENTRES = ((-1.0, -1.0), (1.0, 1.0))
BLOB_SPREAD = 0.5
BLOB_RADIUS = 1.2
#: Spiral: radius 2 s and angle SPIRAL_TURNS * 2 pi * s (+ pi for class 1), s in [0, 1].
SPIRAL_TURNS = 1.25
#: Moons: unit half-circles, moved by MOON_SHIFT and scaled by MOON_SCALE.
MOON_SHIFT = (-0.5, -0.25)
MOON_SCALE = 1.3


def grid(res: int, half_width: float) -> np.ndarray:
    """A ``res`` x ``res`` grid of points over the square ``[-half_width, half_width]^2``,
    shape (res * res, 2), row by row: x1 grows along a row and x2 from row to row. So a
    value per point, reshaped to (res, res), is an image for ``imshow(origin="lower")``
    (row 0 at the bottom), as for drawing a network's output over the input plane."""
    g = np.linspace(-half_width, half_width, res)
    g1, g2 = np.meshgrid(g, g)
    return np.column_stack([g1.ravel(), g2.ravel()])


def grid_lines(lines: int, samples: int, half_width: float) -> np.ndarray:
    """A grid of ``lines`` lines each way across ``[-half_width, half_width]^2``, as points:
    shape (2 * lines * samples, 2), ``samples`` points per line, first the vertical
    lines (x1 fixed), then the horizontal ones. Push it through a layer to see how the
    layer bends the plane."""
    ticks = np.linspace(-half_width, half_width, lines)
    along = np.linspace(-half_width, half_width, samples)
    fixed, moving = np.meshgrid(ticks, along, indexing="ij")
    vertical = np.stack([fixed, moving], axis=-1)
    return np.concatenate([vertical, vertical[..., ::-1]]).reshape(-1, 2)


def _check(n, noise) -> tuple[int, float]:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"n must be a whole number of points, got {n!r}")
    if n < 2:
        raise ValueError(f"n must be at least 2 (one point per class), got {n}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)):
        raise ValueError(f"noise must be a number, got {noise!r}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise}")
    return int(n), float(noise)


def _labels(n: int) -> np.ndarray:
    """``n // 2`` zeros, then ones: as balanced as ``n`` allows."""
    return (np.arange(n) >= n // 2).astype(np.int64)


def _finish(x: np.ndarray, y: np.ndarray, noise: float, gen) -> tuple[np.ndarray, np.ndarray]:
    """Add the noise and shuffle the order of the points."""
    x = x + noise * gen.normal(size=x.shape)
    order = gen.permutation(len(y))
    return x[order].astype(np.float64), y[order]


def circle(n: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """A disc inside a ring: class 1 at radius ``r <= 1``, class 0 at ``1.5 <= r <= 2``.

    Points are uniform over each area (radius ``sqrt(uniform)`` between the two radii).
    No straight line separates the classes; a network with a hidden layer can.
    """
    n, noise = _check(n, noise)
    gen = as_rng(rng)
    y = _labels(n)
    low = np.where(y == 1, 0.0, CIRCLE_RING[0])
    high = np.where(y == 1, CIRCLE_INNER, CIRCLE_RING[1])
    r = np.sqrt(gen.uniform(low ** 2, high ** 2))
    angle = gen.uniform(0.0, 2 * np.pi, size=n)
    x = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    return _finish(x, y, noise, gen)


def xor(n: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """The four quadrants of the square [-2, 2]^2: class 1 where ``x1 * x2 > 0``.

    Each coordinate is at least ``0.2`` away from 0. This is the classic problem a
    single neuron cannot solve (Minsky & Papert, *Perceptrons*, 1969).
    """
    n, noise = _check(n, noise)
    gen = as_rng(rng)
    y = _labels(n)
    size = gen.uniform(XOR_MARGIN, 2.0, size=(n, 2))
    s1 = gen.choice([-1.0, 1.0], size=n)
    s2 = np.where(y == 1, s1, -s1)  # same signs for class 1, opposite signs for class 0
    x = size * np.column_stack([s1, s2])
    return _finish(x, y, noise, gen)


def gaussian(n: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Two round blobs: class 0 around (-1, -1), class 1 around (1, 1).

    Each blob is a 2-D Gaussian of spread 0.5 cut at radius 1.2 from its centre, so at
    noise 0 the line ``x1 + x2 = 0`` separates them (each centre is sqrt(2) > 1.2 away).
    The radius is drawn exactly from the cut distribution:
    ``r = spread * sqrt(-2 log(1 - u))`` with ``u`` uniform below the cut.
    """
    n, noise = _check(n, noise)
    gen = as_rng(rng)
    y = _labels(n)
    u_max = 1.0 - np.exp(-0.5 * (BLOB_RADIUS / BLOB_SPREAD) ** 2)
    r = BLOB_SPREAD * np.sqrt(-2.0 * np.log1p(-gen.uniform(0.0, u_max, size=n)))
    angle = gen.uniform(0.0, 2 * np.pi, size=n)
    centres = np.asarray(BLOB_CENTRES)[y]
    x = centres + np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    return _finish(x, y, noise, gen)


def spiral(n: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spiral arms. A point at ``s`` in [0, 1] has radius ``2 s`` and
    angle ``1.25 * 2 pi * s``, plus ``pi`` for class 1 (the same arm turned half round).
    """
    n, noise = _check(n, noise)
    gen = as_rng(rng)
    y = _labels(n)
    s = gen.uniform(0.0, 1.0, size=n)
    angle = SPIRAL_TURNS * 2 * np.pi * s + np.pi * y
    x = 2.0 * s[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _finish(x, y, noise, gen)


def moons(n: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Two interlocking half-circles of radius 1 (before scaling): class 0 on the upper
    half of the circle around (0, 0), class 1 on the lower half of the circle around
    (1, 0.5). Then every point is moved by (-0.5, -0.25) and scaled by 1.3 to centre
    the picture.
    """
    n, noise = _check(n, noise)
    gen = as_rng(rng)
    y = _labels(n)
    t = gen.uniform(0.0, np.pi, size=n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    x = np.where(y[:, None] == 1, lower, upper)
    x = MOON_SCALE * (x + np.asarray(MOON_SHIFT))
    return _finish(x, y, noise, gen)


#: The 2-D classification sets by name, for dropdowns: ``DATASETS["xor"](n, noise, rng)``.
DATASETS = {"circle": circle, "xor": xor, "gaussian": gaussian, "spiral": spiral, "moons": moons}


#: The made-up images of :func:`pattern`, for the first pictures of convolution.
PATTERNS = ("vertical bar", "horizontal bar", "cross", "diagonal", "edge", "square")


def pattern(name: str, size: int = 8) -> np.ndarray:
    """A small made-up grey image, ``size`` x ``size``, values 0 (dark) or 1 (ink):
    ``"vertical bar"``, ``"horizontal bar"``, ``"cross"`` (both bars), ``"diagonal"``
    (top left to bottom right), ``"edge"`` (the right half inked) or ``"square"`` (an
    outline). Shapes where a kernel's answer is easy to predict."""
    if name not in PATTERNS:
        raise ValueError(f"pattern must be one of {list(PATTERNS)}, got {name!r}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 4:
        raise ValueError(f"size must be a whole number >= 4, got {size!r}")
    image = np.zeros((size, size))
    mid = slice(size // 2 - 1, size // 2 + 1)  # two pixels wide
    if name in ("vertical bar", "cross"):
        image[:, mid] = 1.0
    if name in ("horizontal bar", "cross"):
        image[mid, :] = 1.0
    if name == "diagonal":
        np.fill_diagonal(image, 1.0)
    if name == "edge":
        image[:, size // 2:] = 1.0
    if name == "square":
        image[1:-1, 1:-1] = 1.0
        image[2:-2, 2:-2] = 0.0
    return image


_DATASETS = Path(__file__).resolve().parent / "datasets"


@functools.lru_cache(maxsize=1)
def digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 handwritten 8 x 8 digits of UCI's "Optical Recognition of Handwritten
    Digits" (Alpaydin & Kaynak, 1998; CC BY 4.0), shipped in ``course_utils/datasets/``.

    Returns ``(images, labels)``: ``images`` of shape (1797, 8, 8), floats in [0, 1]
    (the file's counts 0-16 divided by 16), and ``labels`` of shape (1797,), whole numbers
    0-9. Both are read only (shared by every caller); copy them to change them.
    """
    table = np.loadtxt(_DATASETS / "digits.csv.gz", delimiter=",", dtype=np.int64)
    images = (table[:, :64] / 16.0).reshape(-1, 8, 8)
    labels = table[:, 64].copy()
    for a in (images, labels):
        a.setflags(write=False)
    return images, labels
