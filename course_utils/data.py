"""Datasets the course makes itself: small, seeded, generated on the spot (nothing is
downloaded). Every function takes ``rng``: a seed or a ``numpy.random.Generator``.
"""

from __future__ import annotations

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
