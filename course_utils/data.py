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


# --------------------------------------------------------------------------------------
# Data augmentation: new training images made from old ones by changes that keep the
# label (a 3 moved one pixel, turned 10 degrees or drawn a little smaller is still a 3).
#
# Every transform takes images of shape (..., H, W), the last two axes one picture
# (so (n, 8, 8) and the (n, 1, 8, 8) of digits.split() both work), and returns an array
# of the same shape; labels are never touched. Pixel (r, c) has its centre at
# x = c - (W - 1) / 2 (right), y = r - (H - 1) / 2 (down), so the image's centre is
# x = y = 0, between pixels for an even size. Rotations and scalings are about that
# centre; each output pixel takes the value of the input at the point that maps onto
# it, read by bilinear interpolation between the four nearest pixels, with blank (0)
# outside the image. The idea is as old as LeNet; Simard, Steinkraus & Platt (2003)
# showed how much distorted copies help on handwritten digits.
# --------------------------------------------------------------------------------------


def _images(images) -> np.ndarray:
    """``images`` as a float array of pictures (..., H, W), or a ValueError saying why not."""
    array = np.asarray(images)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"images must be numbers, got an array of {array.dtype}")
    if array.ndim < 2 or 0 in array.shape[-2:]:
        raise ValueError(f"images must have shape (..., height, width), got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("images hold NaN or inf: every pixel must be a finite number")
    return array.astype(np.float64, copy=False)


def _number(name: str, value, low: float | None = None, above: bool = False) -> float:
    """``value`` as a float, or a ValueError: it must be a finite number (>= low, or > low)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if low is not None and (value <= low if above else value < low):
        raise ValueError(f"{name} must be {'>' if above else '>='} {low}, got {value}")
    return float(value)


def whole_number(name: str, value, low: int | None = None) -> int:
    """``value`` as an int, or a ValueError naming ``name`` if it is not a whole number
    (a bool is not) or is below ``low``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)


def shift(images, dx: int, dy: int) -> np.ndarray:
    """The images moved ``dx`` pixels right and ``dy`` pixels down (negative: left, up):
    ``out[..., r, c] = images[..., r - dy, c - dx]`` where that pixel exists, else 0.
    What moves out is lost, what comes in is blank. Any shape (..., H, W); exact (no
    interpolation)."""
    images = _images(images)
    dx, dy = whole_number("dx", dx), whole_number("dy", dy)
    out = np.zeros_like(images)
    h, w = images.shape[-2:]
    if abs(dx) >= w or abs(dy) >= h:
        return out
    out[..., max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        images[..., max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


def _warp(images: np.ndarray, inverse: np.ndarray, move: np.ndarray) -> np.ndarray:
    """Resample each picture: output pixel at ``p`` (centred coordinates ``(x, y)``) gets
    the input's bilinear value at ``inverse @ (p - move)``; blank outside the input.

    ``images`` (m, H, W); ``inverse`` (m, 2, 2); ``move`` (m, 2), in pixels (x, y).
    """
    m, h, w = images.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    offsets = np.stack([xs.ravel() - (w - 1) / 2, ys.ravel() - (h - 1) / 2])  # (2, H*W)
    source = inverse @ (offsets[None] - move[:, :, None])  # (m, 2, H*W)
    # rounded so that a quarter turn or a whole shift lands exactly on pixel centres
    col = np.round(source[:, 0] + (w - 1) / 2, 9)
    row = np.round(source[:, 1] + (h - 1) / 2, 9)
    c0, r0 = np.floor(col), np.floor(row)
    fc, fr = col - c0, row - r0
    c0, r0 = c0.astype(np.int64), r0.astype(np.int64)
    which = np.arange(m)[:, None]
    out = np.zeros((m, h * w))
    for dr, wr in ((0, 1 - fr), (1, fr)):
        for dc, wc in ((0, 1 - fc), (1, fc)):
            r, c = r0 + dr, c0 + dc
            inside = (r >= 0) & (r < h) & (c >= 0) & (c < w)
            value = images[which, np.clip(r, 0, h - 1), np.clip(c, 0, w - 1)]
            out += np.where(inside, wr * wc * value, 0.0)
    return np.clip(out.reshape(m, h, w), 0.0, 1.0)


def _turn_and_scale(degrees, factor) -> np.ndarray:
    """The matrices (..., 2, 2) from output offsets to input offsets, in (x, y) with y
    down, for a counter-clockwise turn by ``degrees`` and a scaling by ``factor``:
    ``[[cos t, -sin t], [sin t, cos t]] / factor``."""
    t = np.radians(degrees)
    cos, sin = np.cos(t), np.sin(t)
    turn = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    return turn / np.asarray(factor)[..., None, None]


def _apply(images: np.ndarray, inverse: np.ndarray, move: np.ndarray) -> np.ndarray:
    flat = images.reshape(-1, *images.shape[-2:])
    m = len(flat)
    inverse = np.broadcast_to(inverse, (m, 2, 2))
    move = np.broadcast_to(move, (m, 2))
    return _warp(flat, inverse, move).reshape(images.shape)


def rotate(images, degrees: float) -> np.ndarray:
    """The images turned ``degrees`` counter-clockwise about their centre.

    Output pixel at offset ``(x, y)`` from the centre (y down) reads the input at
    ``(x cos t - y sin t, x sin t + y cos t)``, ``t`` in radians, by bilinear
    interpolation; blank (0) where that falls outside; clipped to [0, 1]. A quarter turn
    (90) is ``np.rot90`` of each picture exactly. Shape (..., H, W) kept.
    """
    images = _images(images)
    degrees = _number("degrees", degrees)
    return _apply(images, _turn_and_scale(degrees, 1.0), np.zeros(2))


def scale(images, factor: float) -> np.ndarray:
    """The images drawn ``factor`` times larger (``factor < 1``: smaller) about their
    centre: output pixel at offset ``(x, y)`` reads the input at ``(x, y) / factor``, by
    bilinear interpolation, blank (0) outside, clipped to [0, 1]. ``factor > 0``.
    Shape (..., H, W) kept."""
    images = _images(images)
    factor = _number("factor", factor, 0.0, above=True)
    return _apply(images, _turn_and_scale(0.0, factor), np.zeros(2))


def add_noise(images, std: float, rng=None) -> np.ndarray:
    """The images plus Gaussian noise, ``clip(x + std * N(0, 1), 0, 1)``, one draw per
    pixel from ``rng`` (a seed or a Generator). Away from 0 and 1 the noise's standard
    deviation is ``std``; on blank pixels the clip keeps only its positive half."""
    images = _images(images)
    std = _number("std", std, 0.0)
    noise = as_rng(rng).normal(size=images.shape)
    return np.clip(images + std * noise, 0.0, 1.0)


def augment(images, rng=None, *, max_shift: float = 1, max_degrees: float = 15,
            scale_range: tuple[float, float] = (0.9, 1.1), noise: float = 0.05) -> np.ndarray:
    """Each picture changed by its own random combination of the transforms above:
    turned by ``a ~ U(-max_degrees, max_degrees)`` degrees (``t``: in radians), scaled by
    ``s ~ U(scale_range)`` about the centre, then moved by ``(dx, dy)``, each
    ``~ U(-max_shift, max_shift)`` pixels (fractions of a pixel too), all in one bilinear
    resampling: output pixel at offset ``p`` from the centre reads the input at
    ``((x cos t - y sin t) / s, (x sin t + y cos t) / s)`` with ``(x, y) = p - (dx, dy)``
    (:func:`rotate`, :func:`scale`); then noise of ``std = noise`` is added and the
    result clipped to [0, 1] (:func:`add_noise`).

    ``rng`` is a seed or a Generator: the same seed gives the same bytes. Per picture the
    numbers are drawn in the order (dx, dy), a, s, then the noise pixel by pixel. With
    every strength at 0 and ``scale_range = (1, 1)`` the copies equal the originals.
    Shape (..., H, W) kept; labels are not changed (pass the same labels along).
    """
    images = _images(images)
    max_shift = _number("max_shift", max_shift, 0.0)
    max_degrees = _number("max_degrees", max_degrees, 0.0)
    noise = _number("noise", noise, 0.0)
    if not isinstance(scale_range, (tuple, list)) or len(scale_range) != 2:
        raise ValueError(f"scale_range must be a pair (low, high), got {scale_range!r}")
    low = _number("scale_range[0]", scale_range[0], 0.0, above=True)
    high = _number("scale_range[1]", scale_range[1], 0.0, above=True)
    if low > high:
        raise ValueError(f"scale_range must have low <= high, got {scale_range!r}")
    gen = as_rng(rng)
    m = int(np.prod(images.shape[:-2], dtype=np.int64))
    move = gen.uniform(-max_shift, max_shift, size=(m, 2))
    degrees = gen.uniform(-max_degrees, max_degrees, size=m)
    factor = gen.uniform(low, high, size=m)
    return add_noise(_apply(images, _turn_and_scale(degrees, factor), move), noise, gen)
