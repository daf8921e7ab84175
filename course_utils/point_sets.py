"""2-D point sets, as a GAN learns them: the data sets, the student's own points, the modes
of each set, and two measures of how alike two point sets are: mode coverage and the
Jensen-Shannon divergence between their histograms.

:mod:`course_utils.gan` trains on these and re-exports every name, so ``gan.ring(500)``
and ``point_sets.ring(500)`` are the same function.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from . import nn

__all__ = [
    "DATASETS", "HALF_WIDTH", "RING_RADIUS", "RING_NOISE", "RING_SECTORS", "RING_TOLERANCE",
    "MODE_RADIUS", "LINE_ENDS", "LINE_NOISE", "LINE_PARTS", "LINE_TOLERANCE", "MIN_POINTS",
    "OWN_GRID", "OWN_MIN_SHARE", "MIXTURES", "JS_BINS", "ring", "eight_gaussians", "two_gaussians",
    "line", "three_clusters", "own_points", "sample", "modes", "mode_of", "Coverage",
    "coverage", "histogram", "js_from_histograms", "js_divergence",
]

#: The named data sets; :func:`sample` draws any of them.
DATASETS = ("ring", "eight gaussians", "two gaussians", "line", "three clusters")
#: Every data set lies well inside the square [-HALF_WIDTH, HALF_WIDTH]^2, where the
#: histograms of :func:`js_divergence` are taken (and pictures are drawn).
HALF_WIDTH = 1.5
#: The ring: a circle of this radius around the origin, each point moved by Gaussian
#: noise of this standard deviation in both coordinates.
RING_RADIUS, RING_NOISE = 1.0, 0.05
#: The ring is cut into this many equal angular sectors (sector k: angles from
#: k * 30 to (k + 1) * 30 degrees, counted from the positive x1 axis) ...
RING_SECTORS = 12
#: ... and a point counts in its sector only if its distance to the centre is within
#: RING_TOLERANCE * RING_RADIUS of the ring's radius (0.85 to 1.15: three noise standard
#: deviations either side, where 99.7 % of the real points are).
RING_TOLERANCE = 0.15
#: A Gaussian mode holds the points within this many standard deviations of its centre
#: (distance measured in standard deviations along each axis; 98.9 % of its own points).
MODE_RADIUS = 3.0
#: The line: from LINE_ENDS[0] to LINE_ENDS[1], uniformly, plus Gaussian noise
#: LINE_NOISE; its modes are LINE_PARTS equal pieces along it, and a point counts in a
#: piece if it lies within LINE_TOLERANCE of the segment (5 noise deviations).
LINE_ENDS = ((-1.0, -0.5), (1.0, 0.5))
LINE_NOISE, LINE_PARTS, LINE_TOLERANCE = 0.03, 6, 0.15
#: The student's own points: at least this many, and the cells of a OWN_GRID x OWN_GRID
#: grid over the square that hold at least OWN_MIN_SHARE of them are their modes.
MIN_POINTS = 10
OWN_GRID, OWN_MIN_SHARE = 6, 0.05

#: Gaussian mixtures: (weight, centre, standard deviations along x1 and x2) per mode.
MIXTURES = {
    "eight gaussians": tuple((1 / 8, (math.cos(k * math.pi / 4), math.sin(k * math.pi / 4)),
                              (0.05, 0.05)) for k in range(8)),
    "two gaussians": ((0.5, (-0.6, 0.4), (0.2, 0.2)), (0.5, (0.6, -0.2), (0.1, 0.3))),
    "three clusters": tuple((1 / 3, (0.8 * math.cos(a), 0.8 * math.sin(a)), (0.08, 0.08))
                            for a in (math.pi / 2, math.pi / 2 + 2 * math.pi / 3,
                                      math.pi / 2 + 4 * math.pi / 3)),
}


def _rng(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(0 if rng is None else rng)


def _count(n) -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a whole number of points >= 1, got {n!r}")
    return int(n)


def ring(n: int = 2000, rng=None) -> np.ndarray:
    """``n`` points near the circle of radius ``RING_RADIUS`` around the origin: angle
    uniform in [0, 2 pi), then Gaussian noise ``RING_NOISE`` on both coordinates.
    Shape (n, 2)."""
    n, gen = _count(n), _rng(rng)
    angle = gen.uniform(0.0, 2 * math.pi, size=n)
    x = RING_RADIUS * np.column_stack([np.cos(angle), np.sin(angle)])
    return x + RING_NOISE * gen.standard_normal((n, 2))


def _mixture(name: str, n: int, rng) -> np.ndarray:
    n, gen = _count(n), _rng(rng)
    weights, centres, stds = (np.array(v, dtype=float) for v in zip(*MIXTURES[name]))
    which = gen.choice(len(weights), size=n, p=weights)
    return centres[which] + stds[which] * gen.standard_normal((n, 2))


def eight_gaussians(n: int = 2000, rng=None) -> np.ndarray:
    """``n`` points from eight equal Gaussians (std 0.05) centred on the unit circle at
    0, 45, ..., 315 degrees. Shape (n, 2)."""
    return _mixture("eight gaussians", n, rng)


def two_gaussians(n: int = 2000, rng=None) -> np.ndarray:
    """``n`` points from two equal Gaussians: a round one at (-0.6, 0.4) (std 0.2) and a
    tall thin one at (0.6, -0.2) (std 0.1 along x1, 0.3 along x2). Shape (n, 2)."""
    return _mixture("two gaussians", n, rng)


def three_clusters(n: int = 2000, rng=None) -> np.ndarray:
    """``n`` points from three equal, tight Gaussians (std 0.08) at radius 0.8, at 90, 210
    and 330 degrees: three islands with nothing between them. Shape (n, 2)."""
    return _mixture("three clusters", n, rng)


def line(n: int = 2000, rng=None) -> np.ndarray:
    """``n`` points spread uniformly along the segment from ``LINE_ENDS[0]`` to
    ``LINE_ENDS[1]``, plus Gaussian noise ``LINE_NOISE`` on both coordinates.
    Shape (n, 2)."""
    n, gen = _count(n), _rng(rng)
    start, end = (np.array(e) for e in LINE_ENDS)
    t = gen.uniform(0.0, 1.0, size=(n, 1))
    return start + t * (end - start) + LINE_NOISE * gen.standard_normal((n, 2))


_SAMPLERS = {"ring": ring, "eight gaussians": eight_gaussians, "two gaussians": two_gaussians,
             "line": line, "three clusters": three_clusters}


def own_points(points) -> np.ndarray:
    """The student's own data set, checked: an (N, 2) array of finite numbers, at least
    ``MIN_POINTS`` rows, inside the square ``[-HALF_WIDTH, HALF_WIDTH]^2`` where the
    pictures and the measures work. Returns a float copy; a plain ``ValueError`` says
    what is wrong otherwise."""
    try:
        x = np.array(points, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("your points must be numbers in an (N, 2) array, one row (x1, x2) "
                         "per point; these could not be read as numbers") from None
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"your points must be an (N, 2) array, one row (x1, x2) per point; "
                         f"got shape {x.shape}")
    if len(x) < MIN_POINTS:
        raise ValueError(f"too few points: a GAN needs at least {MIN_POINTS} to learn from, "
                         f"got {len(x)}")
    bad = ~np.isfinite(x).all(axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        what = "NaN" if np.isnan(x[i]).any() else "an infinite value"
        raise ValueError(f"your points contain {what}: row {i} is {tuple(x[i].tolist())} "
                         f"({int(bad.sum())} bad row(s) in all)")
    outside = (np.abs(x) > HALF_WIDTH).any(axis=1)
    if outside.any():
        i = int(np.argmax(outside))
        raise ValueError(f"your points must lie in the square [-{HALF_WIDTH}, {HALF_WIDTH}] x "
                         f"[-{HALF_WIDTH}, {HALF_WIDTH}]: row {i} is {tuple(x[i].tolist())} "
                         f"({int(outside.sum())} point(s) outside; scale them down)")
    return x


def sample(data, n: int = 2000, rng=None) -> np.ndarray:
    """``n`` points of ``data``: a name from :data:`DATASETS`, or the student's own points
    (any (N, 2) array, checked by :func:`own_points`; drawn from them with
    replacement). Shape (n, 2)."""
    if isinstance(data, str):
        if data not in _SAMPLERS:
            raise ValueError(f"unknown data set {data!r}: choose one of {list(DATASETS)} or "
                             "give your own (N, 2) array of points")
        return _SAMPLERS[data](n, rng)
    x = own_points(data)
    return x[_rng(rng).integers(0, len(x), size=_count(n))]


# ------------------------------------------------------------------------------ coverage


def modes(data) -> np.ndarray:
    """The share of the data each mode holds (they sum to 1 for the named data sets):
    12 sectors of 1/12 for the ring, the mixture weights, 1/6 for each piece of the line;
    for own points, each grid cell's share of them (cells holding less than
    ``OWN_MIN_SHARE`` are not modes)."""
    if isinstance(data, str):
        if data == "ring":
            return np.full(RING_SECTORS, 1 / RING_SECTORS)
        if data == "line":
            return np.full(LINE_PARTS, 1 / LINE_PARTS)
        if data in MIXTURES:
            return np.array([w for w, _, _ in MIXTURES[data]])
        sample(data, 1)  # raises the plain error for an unknown name
    x = own_points(data)
    share = np.bincount(_cells(x, OWN_GRID), minlength=OWN_GRID ** 2) / len(x)
    return share[share >= OWN_MIN_SHARE]


def _cells(points: np.ndarray, bins: int, half_width: float = HALF_WIDTH) -> np.ndarray:
    """The grid cell of each point, row by row (x1 grows fastest); points outside the
    square are counted in the nearest edge cell."""
    i = np.clip(np.floor((points + half_width) / (2 * half_width) * bins), 0, bins - 1)
    i = i.astype(np.int64)
    return i[:, 1] * bins + i[:, 0]


def mode_of(points, data) -> np.ndarray:
    """The mode of ``data`` each point belongs to (an index into :func:`modes`), or -1 for
    a point that is in none, shape (n,):

    * ring: the sector of the point's angle, if ``|r - RING_RADIUS| <= RING_TOLERANCE *
      RING_RADIUS`` for its distance ``r`` to the centre;
    * Gaussian mixtures: the mode whose centre is within ``MODE_RADIUS`` standard
      deviations (``sqrt(sum ((x - c) / std)^2) <= 3``); the modes do not overlap;
    * line: the piece of its projection onto the segment, if it lies within
      ``LINE_TOLERANCE`` of the segment;
    * own points: its cell of the ``OWN_GRID`` x ``OWN_GRID`` grid, if that cell is a mode.
    """
    x = np.asarray(points, dtype=float).reshape(-1, 2)
    index = np.full(len(x), -1)
    finite = np.isfinite(x).all(axis=1)  # a diverged generator's NaN is in no mode
    name = data if isinstance(data, str) else None
    if name is not None and name not in DATASETS:
        sample(name, 1)  # the plain error for an unknown name
    if name == "ring":
        r = np.hypot(x[:, 0], x[:, 1])
        near = finite & (np.abs(r - RING_RADIUS) <= RING_TOLERANCE * RING_RADIUS)
        angle = np.mod(np.arctan2(x[near, 1], x[near, 0]), 2 * np.pi)
        index[near] = np.minimum((angle / (2 * np.pi) * RING_SECTORS).astype(np.int64),
                                 RING_SECTORS - 1)
    elif name in MIXTURES:
        for k, (_, centre, std) in enumerate(MIXTURES[name]):
            d = np.sqrt((((x - np.array(centre)) / np.array(std)) ** 2).sum(axis=1))
            index[finite & (d <= MODE_RADIUS)] = k
    elif name == "line":
        start, end = (np.array(e) for e in LINE_ENDS)
        along = end - start
        t = (x - start) @ along / (along @ along)
        distance = np.linalg.norm(x - start - np.clip(t, 0, 1)[:, None] * along, axis=1)
        inside = finite & (0 <= t) & (t <= 1) & (distance <= LINE_TOLERANCE)
        index[inside] = np.minimum((t[inside] * LINE_PARTS).astype(np.int64), LINE_PARTS - 1)
    else:
        own = own_points(data)
        share = np.bincount(_cells(own, OWN_GRID), minlength=OWN_GRID ** 2) / len(own)
        number = np.cumsum(share >= OWN_MIN_SHARE) - 1  # cell -> its index among the modes
        keep = finite & (np.abs(x) <= HALF_WIDTH).all(axis=1)
        cell = _cells(x[keep], OWN_GRID)
        mode = share[cell] >= OWN_MIN_SHARE
        index[np.flatnonzero(keep)[mode]] = number[cell[mode]]
    return index


@dataclasses.dataclass(frozen=True, eq=False)
class Coverage:
    """How many of the data's modes the points cover. ``counts[k]`` is the number of
    points in mode ``k``, ``needed[k]`` the least number that covers it; ``covered`` of
    the ``modes`` modes have ``counts >= needed``."""

    covered: int
    modes: int
    counts: np.ndarray
    needed: np.ndarray

    @property
    def mask(self) -> np.ndarray:
        """True for each mode that is covered."""
        return self.counts >= self.needed

    def __str__(self) -> str:
        return f"{self.covered} of {self.modes} modes covered"


def coverage(points, data="ring") -> Coverage:
    """Mode coverage of generated ``points`` ((n, 2)) for ``data``: mode ``k`` (see
    :func:`mode_of`) is covered when it holds at least a third of its expected share of
    the points, ``count_k >= share_k * n / 3``. For the ring with 2,000 points: a sector
    needs 56 points (a third of 2000 / 12) between radius 0.85 and 1.15."""
    x = np.asarray(points, dtype=float).reshape(-1, 2)
    shares = modes(data)
    index = mode_of(x, data)
    counts = np.bincount(index[index >= 0], minlength=len(shares))
    needed = np.ceil(shares * len(x) / 3 - 1e-9).astype(np.int64)
    return Coverage(int((counts >= needed).sum()), len(shares), counts, needed)


# ------------------------------------------------------------------------------ JS divergence

#: The histograms of :func:`js_divergence`: JS_BINS x JS_BINS cells over the square.
JS_BINS = 30


def histogram(points, bins: int = JS_BINS, half_width: float = HALF_WIDTH) -> np.ndarray:
    """The share of ``points`` in each cell of a ``bins`` x ``bins`` grid over
    ``[-half_width, half_width]^2``, shape (bins, bins), row ``i`` for x2, column ``j``
    for x1 (``imshow(origin="lower")`` draws it); it sums to 1. A point outside the
    square counts in the nearest edge cell, so a generator cannot hide points off the
    grid. A point with a NaN (a diverged generator's) is in no cell: then the histogram
    sums to the share of the other points."""
    bins = nn.module.positive_int("bins", bins)
    x = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(x) == 0:
        raise ValueError("histogram of no points: give at least one")
    counts = np.bincount(_cells(x[~np.isnan(x).any(axis=1)], bins, half_width),
                         minlength=bins * bins)
    return (counts / len(x)).reshape(bins, bins)


def js_from_histograms(p, q) -> float:
    """Jensen-Shannon divergence, in nats, between two histograms ``p`` and ``q`` (each
    summing to 1): with ``m = (p + q) / 2``,
    ``JS = KL(p || m) / 2 + KL(q || m) / 2``, ``KL(p || m) = sum p log(p / m)``, terms with
    ``p = 0`` counting 0. Symmetric, 0 when ``p = q``, ``ln 2`` (its largest value) when
    they never share a cell."""
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    m = (p + q) / 2

    def kl(a):
        used = a > 0  # there m >= a / 2 > 0
        return float(np.sum(a[used] * np.log(a[used] / m[used])))

    return min(max(0.5 * kl(p) + 0.5 * kl(q), 0.0), math.log(2))


def js_divergence(real, fake, bins: int = JS_BINS, half_width: float = HALF_WIDTH) -> float:
    """Jensen-Shannon divergence (nats, between 0 and ln 2) between the densities of two
    point sets, estimated by their :func:`histogram` on the same grid. Finite samples of
    one distribution give a small positive value (about 0.025 for two samples of 2,000
    ring points), not 0. Points with a NaN count together in one more cell, off the grid."""
    p, q = (histogram(a, bins, half_width).ravel() for a in (real, fake))
    lost_p, lost_q = max(1 - p.sum(), 0.0), max(1 - q.sum(), 0.0)  # the NaN "cell"
    return js_from_histograms(np.append(p, lost_p), np.append(q, lost_q))
