"""The two directions of the Kullback-Leibler divergence: covering the mass, or seeking a mode.

The target ``p`` has two peaks: an equal mixture of two Gaussians of standard deviation
1 at ``±d/2``. One Gaussian ``q(x; μ, σ)`` cannot match it, so what the best ``q`` is
depends on what "best" means:

* **forward**, minimising ``KL(p‖q) = ∫ p log(p/q) dx``: every place where ``p`` has mass
  and ``q`` has little costs a lot, so ``q`` spreads over both peaks. For a Gaussian ``q``
  the minimum is exactly moment matching: ``q`` takes ``p``'s mean and variance,
  ``μ = 0`` and ``σ² = 1 + d²/4``;
* **reverse**, minimising ``KL(q‖p) = ∫ q log(q/p) dx``: every place where ``q`` has mass
  and ``p`` has little costs a lot, so ``q`` avoids the valley between the peaks. Once the
  peaks are far enough apart (here from ``d ≈ 5.6``) the best ``q`` jumps onto one of them
  (``σ`` close to 1), and ``KL(q‖p)`` tends to ``log 2``. Below that, the best ``q`` stays in
  the middle, narrower than the forward one. Which peak is a tie; the scene shows the right one.

(Variational inference minimises the reverse direction, maximum likelihood the forward
one; see Bishop, "Pattern Recognition and Machine Learning", 2006, section 10.1.2.)

Both divergences are computed by the engine's ``nn.KLDivLoss(reduction='sum')`` on a
grid of ``x`` (spacing ``DX``), times ``DX``. Its convention is PyTorch's: ``input`` is
``log q`` and ``target`` is ``p``, giving ``KL(p‖q)``; for ``KL(q‖p)`` pass ``log p`` as
the input and ``q`` as the target. The best ``(μ, σ)`` is found by a grid search over
``μ`` and ``log σ``, zoomed in a few times around the best point, and cached per distance.

:class:`KLDirectionsScene` (GIF ``imgs/kl_directions.gif``) draws ``p`` and both fits,
and, right, the smallest divergence for each ``μ`` (over ``σ``): one valley for the
forward direction, two for the reverse one at large ``d``. Parameter: ``distance``.
"""

from __future__ import annotations

import functools
import math
from typing import Iterator, NamedTuple

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .. import nn, style
from ..scene import Param, Scene
from ..stamps import stamped

X = np.linspace(-20.0, 20.0, 401)  # the grid: wide enough that no q or p loses mass at its ends
DX = float(X[1] - X[0])
DISTANCE_MAX = 8.0
MUS = np.linspace(-5.0, 5.0, 51)  # the first, coarse search grid (also the profile's μ)
LOG_SIGMAS = np.linspace(math.log(0.5), math.log(6.0), 21)
ZOOMS, ZOOM_POINTS = 8, 7  # then this many finer grids of ZOOM_POINTS² around the best point
DIRECTIONS = ("forward", "reverse")
COLOURS = {"forward": style.BLUE, "reverse": style.VERMILLION}
TEXT_COLOURS = {"forward": style.BLUE, "reverse": style.TEXT_VERMILLION}
NAMES = {"forward": "KL(p\u2016q)", "reverse": "KL(q\u2016p)"}
SHOWN = 8.0  # the picture shows x in [-8, 8]
_LOG_ROOT_2PI = 0.5 * math.log(2 * math.pi)
_KL = nn.KLDivLoss(reduction="sum")


class Fit(NamedTuple):
    """The best Gaussian in one direction: its ``mu`` and ``sigma``, the divergence ``kl``
    there, and ``profile``: the smallest divergence over ``σ`` for each ``μ`` of ``MUS``."""

    mu: float
    sigma: float
    kl: float
    profile: np.ndarray


def log_normal(x, mu, sigma) -> np.ndarray:
    """``log N(x; μ, σ²)``, computed without exp (so far tails stay finite); the arguments
    broadcast together."""
    z = (np.asarray(x, dtype=float) - mu) / sigma
    return -0.5 * z * z - np.log(sigma) - _LOG_ROOT_2PI


def _check_distance(distance: float) -> float:
    number = isinstance(distance, (int, float)) and not isinstance(distance, bool)
    if not (number and math.isfinite(distance) and 0 <= distance <= DISTANCE_MAX):
        raise ValueError(f"the distance between the peaks must be a number from 0 to {DISTANCE_MAX:g}, "
                         f"got {distance!r}")
    return float(distance)


def log_target(distance: float) -> np.ndarray:
    """``log p`` on the grid ``X``: ``p = (N(−d/2, 1) + N(d/2, 1)) / 2``, shape (401,)."""
    d = _check_distance(distance)
    return np.logaddexp(log_normal(X, -d / 2, 1.0), log_normal(X, d / 2, 1.0)) - math.log(2)


def divergence(direction: str, log_p: np.ndarray, log_q: np.ndarray) -> float:
    """``KL(p‖q)`` (``"forward"``) or ``KL(q‖p)`` (``"reverse"``) from the log-densities on
    the grid ``X``, by the engine's ``nn.KLDivLoss(reduction='sum')``, times ``DX``."""
    with np.errstate(under="ignore"):  # a density far out in the tails rounds to 0: harmless
        if direction == "forward":
            return _KL(log_q, np.exp(log_p)) * DX  # input log q, target p
        if direction == "reverse":
            return _KL(log_p, np.exp(log_q)) * DX  # input log p, target q
    raise ValueError(f"the direction must be one of {DIRECTIONS}, got {direction!r}")


def _table(direction: str, log_p: np.ndarray, mus: np.ndarray, log_sigmas: np.ndarray) -> np.ndarray:
    """The divergence for every ``N(μ, σ²)`` with ``μ`` in ``mus`` and ``log σ`` in
    ``log_sigmas``: shape ``(len(mus), len(log_sigmas))``."""
    log_q = log_normal(X, mus[:, None, None], np.exp(log_sigmas)[None, :, None])  # (μ, σ, x)
    return np.array([[divergence(direction, log_p, row) for row in rows] for rows in log_q])


def _zoom(direction: str, log_p: np.ndarray, mu: float, log_sigma: float, best: float) -> tuple:
    """``ZOOMS`` ever finer grids around ``(μ, log σ)``, each spanning the previous grid's
    spacing either side: the best ``(μ, log σ, divergence)`` found."""
    step_mu, step_sigma = MUS[1] - MUS[0], LOG_SIGMAS[1] - LOG_SIGMAS[0]
    for _ in range(ZOOMS):
        mus = mu + np.linspace(-step_mu, step_mu, ZOOM_POINTS)
        log_sigmas = log_sigma + np.linspace(-step_sigma, step_sigma, ZOOM_POINTS)
        table = _table(direction, log_p, mus, log_sigmas)
        i, j = np.unravel_index(np.argmin(table), table.shape)
        if table[i, j] < best:
            mu, log_sigma, best = mus[i], log_sigmas[j], table[i, j]
        step_mu, step_sigma = 2 * step_mu / (ZOOM_POINTS - 1), 2 * step_sigma / (ZOOM_POINTS - 1)
    return mu, log_sigma, best


@functools.lru_cache(maxsize=256)
def fit(direction: str, distance: float) -> Fit:
    """The Gaussian that minimises the divergence in ``direction`` for peaks ``distance``
    apart: a grid search over ``(μ, log σ)`` (``MUS`` × ``LOG_SIGMAS``), then finer grids
    (:func:`_zoom`) around every valley of the coarse grid's profile over ``μ``, so that two
    valleys of nearly the same depth are told apart. The reverse direction has two equal
    minima for large distances; the search keeps the one at ``μ >= 0``."""
    log_p = log_target(distance)
    table = _table(direction, log_p, MUS, LOG_SIGMAS)
    profile = table.min(axis=1)
    allowed = [i for i in range(len(MUS)) if direction == "forward" or MUS[i] >= -1e-12]
    tie = 1e-12  # neighbours closer than this count as equal
    valleys = {i for i in allowed if profile[i] <= profile[max(i - 1, 0)] + tie
               and profile[i] <= profile[min(i + 1, len(MUS) - 1)] + tie}
    valleys.add(min(allowed, key=lambda i: profile[i]))
    found = [_zoom(direction, log_p, MUS[i], LOG_SIGMAS[np.argmin(table[i])], profile[i])
             for i in sorted(valleys)]
    mu, log_sigma, best = min(found, key=lambda f: f[2])
    mu = 0.0 if abs(mu) < 1e-9 else float(mu)
    return Fit(mu, math.exp(log_sigma), float(best), profile)


def _number(v: float, digits: int = 2) -> str:
    return f"{round(float(v), digits) + 0.0:.{digits}f}".replace("-", "\u2212")


class KLDirectionsScene(Scene):
    """A two-peaked ``p`` and the single Gaussians that minimise ``KL(p‖q)`` and ``KL(q‖p)``."""

    params = (Param("distance", 6.0, 0.0, DISTANCE_MAX, 0.1, label="distance d between the peaks"),)
    gif_name = "kl_directions"
    gif_one_palette = True
    size = (8.0, 4.0)

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fig.text(0.015, 0.965, "One Gaussian q for a two-peaked p: minimise KL(p\u2016q) or KL(q\u2016p)?",
                 fontsize=11, weight="bold", va="top")
        self.captions = {d: moving(stamped(fig, 0.015, y, "", fontsize=10, va="top", color=TEXT_COLOURS[d]))
                         for d, y in zip(DIRECTIONS, (0.89, 0.83))}

        ax = self.ax = fig.add_axes((0.06, 0.12, 0.56, 0.6))
        ax.set_xlim(-SHOWN, SHOWN)
        ax.set_ylim(0, 0.56)
        ax.set_xticks([-8, -4, 0, 4, 8], labels=["\u22128", "\u22124", "0", "4", "8"])
        ax.set_yticks([0, 0.2, 0.4])
        ax.set_xlabel("x", labelpad=1)
        ax.set_ylabel("density", labelpad=2)
        self.shown = (X >= -SHOWN - DX / 2) & (X <= SHOWN + DX / 2)
        xs = X[self.shown]
        self.p_fill = moving(ax.fill_between(xs, 0, 0 * xs, color=style.GREY, alpha=0.45, lw=0))
        self.p_line = moving(ax.plot(xs, 0 * xs, color="#5A5A5A", lw=1.0)[0])
        self.q_lines = {d: moving(ax.plot(xs, 0 * xs, color=COLOURS[d], lw=2.2, ls=ls)[0])
                        for d, ls in zip(DIRECTIONS, ("-", "--"))}
        handles = [Patch(color=style.GREY, alpha=0.45), *(Line2D([], [], color=COLOURS[d], lw=2.2, ls=ls)
                                                         for d, ls in zip(DIRECTIONS, ("-", "--")))]
        ax.legend(handles, ["p: two Gaussians at \u00b1d/2", "q minimising KL(p\u2016q): forward, mass-covering",
                            "q minimising KL(q\u2016p): reverse, mode-seeking"], loc="upper left", fontsize=8,
                  framealpha=0.9, borderpad=0.3, handlelength=2.2)

        ax = self.ax_profile = fig.add_axes((0.71, 0.12, 0.27, 0.6))
        ax.set_xlim(MUS[0], MUS[-1])
        ax.set_ylim(0, 2.0)  # up to the reverse profile's middle valley at d = 8 (1.89)
        ax.set_xticks([-4, -2, 0, 2, 4], labels=["\u22124", "\u22122", "0", "2", "4"])
        ax.set_yticks([0, math.log(2), 1.0, 1.5, 2.0], labels=["0", "log 2", "1", "1.5", "2"])
        ax.set_xlabel("\u03bc of q", labelpad=1)
        ax.set_title("smallest KL for each \u03bc (over \u03c3)", fontsize=9, loc="left")
        ax.axhline(math.log(2), color=style.GREY, lw=0.9, ls=":", zorder=0)
        self.profiles = {d: moving(ax.plot(MUS, 0 * MUS, color=COLOURS[d], lw=1.8, ls=ls)[0])
                         for d, ls in zip(DIRECTIONS, ("-", "--"))}
        self.best_marks = {d: moving(ax.plot([], [], "o", color=COLOURS[d], ms=6, mec="white", zorder=4)[0])
                           for d in DIRECTIONS}

    def fits(self) -> dict[str, Fit]:
        """The two best Gaussians at the current distance (cached)."""
        d = round(self.values["distance"], 4)
        return {direction: fit(direction, d) for direction in DIRECTIONS}

    def draw(self) -> None:
        d = self.values["distance"]
        fits = self.fits()
        xs = X[self.shown]
        p = np.exp(log_target(round(d, 4))[self.shown])
        self.p_fill.set_data(xs, 0 * xs, p)
        self.p_line.set_ydata(p)
        for direction, best in fits.items():
            self.q_lines[direction].set_ydata(np.exp(log_normal(xs, best.mu, best.sigma)))
            self.profiles[direction].set_ydata(best.profile)
            self.best_marks[direction].set_data([best.mu], [best.kl])
            self.captions[direction].set_text(self._caption(direction, best, d))

    @staticmethod
    def _caption(direction: str, best: Fit, d: float) -> str:
        """What each fit is, in numbers and words, from the state alone."""
        head = (f"{direction}: min {NAMES[direction]} = {_number(best.kl, 3)} at \u03bc = {_number(best.mu)}, "
                f"\u03c3 = {_number(best.sigma)}")
        if d == 0:
            return head + ": p is one Gaussian, so q = p"
        if direction == "forward":
            return head + ": p's mean and variance, \u03c3\u00b2 = 1 + d\u00b2/4"
        if best.mu == 0:
            return head + ": in the middle, narrower than the forward q"
        return head + ": on one peak (the other is just as good)"

    def storyboard(self) -> Iterator[tuple[dict, int]]:
        yield dict(distance=0.0), 1400
        for d in (1.0, 2.0, 3.0, 4.0, 5.0, 5.5, 5.7, 6.0, 7.0, 8.0):  # apart: the jump near 5.6
            yield dict(distance=d), {5.5: 1200, 5.7: 1500, 8.0: 2000}.get(d, 350)
        for d in (7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0):  # and back
            yield dict(distance=d), 250
