"""How fast gradient descent can go on a quadratic, with and without momentum.

The loss is the valley ``f(w) = (w₁²/κ + w₂²) / 2``: its curvatures (the eigenvalues of
its Hessian) are ``λmin = 1/κ`` along the floor and ``λmax = 1`` across it, so ``κ`` is
the **condition number** ``λmax / λmin``. Gradient descent with momentum (the heavy
ball; ``nn.optim.SGD(lr=η, momentum=μ)``) moves each direction on its own::

    w ← w − η λ w + μ (w − w_previous)       (in the direction of curvature λ)

a linear recurrence whose two roots ``z`` solve ``z² − (1 + μ − ηλ) z + μ = 0``. The
larger ``|z|`` over both directions is the **rate** ``r``: after ``k`` updates the
distance to the minimum has shrunk like ``rᵏ`` and the loss like ``r²ᵏ``; ``r ≥ 1``
diverges. The best settings have closed forms (Polyak, 1964; see also Goh, "Why
Momentum Really Works", Distill 2017):

* without momentum: ``η = 2 / (λmin + λmax)``, giving ``r = (κ − 1) / (κ + 1)``;
* with momentum: ``η = (2 / (√λmin + √λmax))²`` and ``μ = ((√κ − 1) / (√κ + 1))²``,
  giving ``r = (√κ − 1) / (√κ + 1)``.

So the number of updates plain descent needs grows like ``κ``, with momentum only like
``√κ``: at ``κ = 100`` the rates promise 346 updates against 35 to divide the loss by
a million.

:class:`ConvergenceScene` (GIF ``imgs/convergence.gif``) shows, left, a map of the rate
over learning rate and momentum (coloured by how many updates divide the loss by 10⁶),
with the student's setting and both optima marked; right, the loss of a real run of
the engine's SGD with each of the three settings. Parameters: ``kappa``, ``lr`` and
``momentum``.
"""

from __future__ import annotations

import functools
import math
from typing import Iterator

import numpy as np
from matplotlib.colors import LinearSegmentedColormap

from .. import style
from ..nn import optim
from ..scene import Param, Scene
from ..stamps import stamped
from ..trajectory import Trajectory, descend

STEPS = 250  # updates in each run on the right
START = (1.0, 1.0)
LR_MAX = 4.0  # the map's learning-rate axis; momentum lets it go up to 2(1 + μ) / λmax
MOMENTUM_MAX = 0.99
SHRINK = 1e6  # the map counts the updates that divide the loss by this
_COUNT_RANGE = (10.0, 1e4)  # the map's colour scale, in updates (logarithmic)
#: dark is fast, white is slow, in 9 bands (3 per factor of 10, so that a GIF's palette keeps
#: them exact); the settings that diverge are light vermillion
_SPEED = LinearSegmentedColormap.from_list(
    "course_speed", ["#08306B", "#4A90C8", "#C6DBEF", "#FFFFFF"]).resampled(9).with_extremes(over="#F4C7B0")
_GRID = (241, 199)  # the map's resolution: learning rates x momenta


def curvatures(kappa: float) -> tuple[float, float]:
    """``(λmin, λmax) = (1/κ, 1)``: the valley's curvature along its floor and across it."""
    if not (math.isfinite(kappa) and kappa >= 1):
        raise ValueError(f"the condition number must be a number >= 1, got {kappa!r}")
    return 1.0 / kappa, 1.0


def rate(lr, momentum, kappa: float):
    """The rate ``r`` of momentum descent on the valley: the largest ``|z|`` among the roots
    of ``z² − (1 + μ − ηλ) z + μ`` for ``λ = λmin`` and ``λmax``. ``lr`` and ``momentum``
    may be arrays (broadcast together)."""
    lr, beta = np.asarray(lr, dtype=float), np.asarray(momentum, dtype=float)
    worst = np.zeros(np.broadcast(lr, beta).shape)
    for lam in curvatures(kappa):
        t = 1 + beta - lr * lam
        disc = t * t - 4 * beta
        real = (np.abs(t) + np.sqrt(np.maximum(disc, 0.0))) / 2  # two real roots: the larger
        worst = np.maximum(worst, np.where(disc >= 0, real, np.sqrt(beta)))  # complex: |z|² = μ
    return worst


def best_without_momentum(kappa: float) -> tuple[float, float]:
    """``(η, r)``: the learning rate ``2 / (λmin + λmax)`` and its rate ``(κ − 1)/(κ + 1)``."""
    low, high = curvatures(kappa)
    return 2 / (low + high), (kappa - 1) / (kappa + 1)


def best_with_momentum(kappa: float) -> tuple[float, float, float]:
    """``(η, μ, r)``: ``η = (2 / (√λmin + √λmax))²``, ``μ = ((√κ − 1)/(√κ + 1))²`` and the
    rate ``r = (√κ − 1)/(√κ + 1)``."""
    low, high = curvatures(kappa)
    root = math.sqrt(kappa)
    rho = (root - 1) / (root + 1)
    return (2 / (math.sqrt(low) + math.sqrt(high))) ** 2, rho * rho, rho


def updates_to_shrink(rho, factor: float = SHRINK):
    """How many updates divide the loss by ``factor`` at rate ``r`` (the loss goes like
    ``r²ᵏ``): ``ln(factor) / (−2 ln r)``; infinite for ``r >= 1``, 0 for ``r = 0``."""
    rho = np.asarray(rho, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(rho < 1, math.log(factor) / (-2 * np.log(np.maximum(rho, 1e-300))), np.inf)


@functools.lru_cache(maxsize=256)
def run(kappa: float, lr: float, momentum: float, steps: int = STEPS) -> Trajectory:
    """A real run: ``nn.optim.SGD(lr, momentum)`` on the valley from ``START``."""
    low, high = curvatures(kappa)
    c = np.array([low, high])
    make = functools.partial(optim.SGD, lr=lr, momentum=momentum)
    with np.errstate(under="ignore"):
        return descend(lambda w: float(0.5 * np.sum(c * w * w)), lambda w: c * w, START, make,
                       steps, bound=1e8)


def relative_loss(trajectory: Trajectory) -> np.ndarray:
    """The loss over its start, never below 1e-20: a run that reaches exactly 0 (at κ = 1)
    drops to the bottom of the log scale instead of vanishing from it."""
    return np.maximum(trajectory.loss / trajectory.loss[0], 1e-20)


def near_best(kappa: float) -> tuple[float, float]:
    """The best ``(η, μ)`` the sliders can reach (both move in steps of 0.01): the
    fastest point of that grid near the exact optimum, the closest one if several tie.

    The best point sits on a sharp corner of the map: at ``κ = 100`` it is ``η = 3.3058``,
    ``μ = 0.6694`` with ``r = 0.818``, while ``η = 3.31, μ = 0.67`` (the nearest grid point)
    has ``r = 0.869``, and ``η = 3.30, μ = 0.67`` has 0.8185."""
    lr, beta, _ = best_with_momentum(kappa)
    lrs = np.round(np.arange(round(lr * 100) - 10, round(lr * 100) + 11) / 100, 2)
    betas = np.round(np.arange(round(beta * 100) - 10, round(beta * 100) + 11) / 100, 2)
    lrs, betas = np.meshgrid(lrs[(lrs >= 0.01) & (lrs <= LR_MAX)], betas[(betas >= 0) & (betas <= MOMENTUM_MAX)])
    rho = np.round(rate(lrs, betas, kappa), 12)
    far = np.hypot(lrs - lr, betas - beta)
    best = np.lexsort((far.ravel(), rho.ravel()))[0]
    return float(lrs.ravel()[best]), float(betas.ravel()[best])


def _kappa(kappa: float) -> str:
    """``"100"``, ``"1,000"``, ``"3.16"``."""
    return f"{kappa:,.0f}" if kappa >= 10 else f"{kappa:.3g}"


def _count(rho: float) -> str:
    """``"in 346 updates"``, or ``"never: it diverges"``: what follows "loss ÷ 10⁶"."""
    n = float(updates_to_shrink(rho))
    if not math.isfinite(n):
        return "never: it diverges" if rho > 1 else "never: it stalls"
    return f"in {math.ceil(n):,} update{'s' if math.ceil(n) != 1 else ''}"


class ConvergenceScene(Scene):
    """The rate of momentum descent on a valley of condition number κ, over learning rate
    and momentum, and three real runs."""

    params = (
        Param("kappa", 100.0, 1.0, 1000.0, log=True, label="condition number κ"),
        Param("lr", 1.0, 0.01, LR_MAX, 0.01, label="learning rate η"),
        Param("momentum", 0.0, 0.0, MOMENTUM_MAX, 0.01, label="momentum μ"),
    )
    background_params = ("kappa",)
    control_rows = (("kappa",), ("lr", "momentum"))
    size = (10.5, 4.6)
    gif_name = "convergence"
    gif_one_palette = True  # the map stays still while the curves move: store only what moved

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        self.title = stamped(fig, 0.015, 0.975, "", fontsize=11, weight="bold", va="top")
        self.you_text = moving(stamped(fig, 0.015, 0.905, "", fontsize=10, va="top", color=style.BLUE))
        self.best_text = stamped(fig, 0.015, 0.855, "", fontsize=10, va="top", color=style.TEXT_GREEN)
        self.gd_text = stamped(fig, 0.015, 0.805, "", fontsize=10, va="top", color=style.TEXT_ORANGE)

        ax = self.ax_map = fig.add_axes((0.07, 0.12, 0.36, 0.58))
        self.lrs = np.linspace(0, LR_MAX, _GRID[0])
        self.momenta = np.linspace(0, MOMENTUM_MAX, _GRID[1])
        self.image = ax.imshow(np.zeros(_GRID[::-1]), origin="lower", aspect="auto", cmap=_SPEED,
                               extent=(0, LR_MAX, 0, MOMENTUM_MAX), interpolation="nearest",
                               vmin=math.log10(_COUNT_RANGE[0]), vmax=math.log10(_COUNT_RANGE[1]))
        self.diverges_label = ax.text(0, 0, "diverges", fontsize=9, color="#9A3A00", ha="center", va="center")
        ax.set_xlabel("learning rate η")
        ax.set_ylabel("momentum μ")
        ax.set_xlim(0, LR_MAX)
        ax.set_ylim(0, MOMENTUM_MAX)
        bar = fig.colorbar(self.image, ax=ax, fraction=0.05, pad=0.02,
                           ticks=[1, 2, 3, 4], extend="max")
        bar.ax.set_yticklabels(["≤ 10", "100", "1,000", "10,000"], fontsize=8)
        bar.set_label("updates to divide the loss by 10⁶", fontsize=8)
        self.best_mark = ax.plot([], [], marker="*", ms=15, color=style.YELLOW, mec=style.BLACK, ls="none",
                                 zorder=4.5, clip_on=False, label="best with momentum")[0]
        self.gd_mark = ax.plot([], [], marker="D", ms=7, color=style.ORANGE, mec=style.BLACK, ls="none",
                               zorder=4, clip_on=False, label="best without")[0]
        self.you_mark = moving(ax.plot([], [], marker="o", ms=8, color=style.BLUE, mec="white", mew=1.5,
                                       ls="none", zorder=5, clip_on=False, label="you")[0])
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, fontsize=8, frameon=False,
                  handletextpad=0.2, borderaxespad=0.2, columnspacing=1.0)

        ax = self.ax_loss = fig.add_axes((0.6, 0.12, 0.38, 0.58))
        ax.set_yscale("log")
        ax.set_xlim(0, STEPS)
        ax.set_ylim(1e-16, 1e3)
        ax.set_yticks([1e-15, 1e-12, 1e-9, 1e-6, 1e-3, 1])
        ax.set_xlabel("update")
        ax.set_ylabel("loss / loss at the start")
        ax.axhline(1 / SHRINK, color=style.GREY, lw=0.8, ls=":", zorder=0)
        ax.text(2, 1 / SHRINK * 2, "÷ 10⁶", fontsize=8, color=style.GREY, ha="left", va="bottom")
        ax.grid(True, which="major", axis="y", color=style.LIGHT, lw=0.8)
        ax.set_axisbelow(True)
        self.gd_line = ax.plot([], [], color=style.ORANGE, lw=1.8, ls="--")[0]
        self.best_line = ax.plot([], [], color=style.GREEN, lw=1.8, ls="--")[0]
        self.you_line = moving(ax.plot([], [], color=style.BLUE, lw=2.2)[0])
        ax.set_title("real runs of nn.optim.SGD, coloured as the lines above", fontsize=9, loc="left")

    def draw_background(self) -> None:
        kappa = self.values["kappa"]
        rho = rate(self.lrs[None, :], self.momenta[:, None], kappa)
        counts = updates_to_shrink(rho)
        with np.errstate(divide="ignore"):
            top = math.log10(_COUNT_RANGE[1])
            shown = np.where(np.isfinite(counts), np.log10(np.clip(counts, *_COUNT_RANGE)), top + 1)
        self.image.set_data(shown)
        # "diverges" in the middle of the largest run of diverging learning rates at μ = 0.3
        row = np.searchsorted(self.momenta, 0.3)
        out = np.flatnonzero(rho[row] >= 1)
        self.diverges_label.set_position(((self.lrs[out].mean() if out.size else LR_MAX + 1), 0.3))
        self.diverges_label.set_visible(bool(out.size))

        lr_gd, rho_gd = best_without_momentum(kappa)
        lr_best, beta_best, rho_best = best_with_momentum(kappa)
        self.gd_mark.set_data([lr_gd], [0])
        self.best_mark.set_data([lr_best], [beta_best])
        for line, (lr, beta) in ((self.gd_line, (lr_gd, 0.0)), (self.best_line, (lr_best, beta_best))):
            trajectory = run(kappa, lr, beta)
            line.set_data(np.arange(len(trajectory.loss)), relative_loss(trajectory))
        self.title.set_text(f"Momentum descent on the valley f(w) = (w₁²/κ + w₂²)/2, κ = {_kappa(kappa)}: "
                            f"curvatures λmin = 1/κ and λmax = 1")
        self.best_text.set_text(
            f"best with momentum: η = (2/(√λmin+√λmax))² = {lr_best:.2f}, μ = ((√κ−1)/(√κ+1))² = "
            f"{beta_best:.2f}: r = {rho_best:.3f}, loss ÷ 10⁶ {_count(rho_best)}")
        self.gd_text.set_text(f"best without: η = 2/(λmin+λmax) = {lr_gd:.2f}: r = {rho_gd:.3f}, "
                              f"loss ÷ 10⁶ {_count(rho_gd)}")

    def draw(self) -> None:
        kappa, lr, beta = self.values["kappa"], self.values["lr"], self.values["momentum"]
        rho = float(rate(lr, beta, kappa))
        self.you_mark.set_data([lr], [beta])
        trajectory = run(kappa, lr, beta)
        self.you_line.set_data(np.arange(len(trajectory.loss)), relative_loss(trajectory))
        self.you_text.set_text(f"you: η = {lr:.2f}, μ = {beta:.2f}: rate r = {rho:.3f} per update; "
                               f"loss ÷ 10⁶ {_count(rho)}")

    def storyboard(self) -> Iterator[tuple[dict, int]]:
        state = dict(kappa=100.0, lr=0.2, momentum=0.0)

        def frame(ms: int = 160, **changes):
            state.update(changes)
            return dict(state), ms

        yield frame(1600)
        lr_gd, _ = best_without_momentum(100.0)
        for lr in (0.4, 0.7, 1.0, 1.3, 1.6, 1.8, round(lr_gd, 2)):  # no momentum: up to the best
            yield frame(lr=lr, ms=1800 if lr == round(lr_gd, 2) else 160)
        yield frame(lr=2.05, ms=1500)  # a little more diverges
        yield frame(lr=round(lr_gd, 2), ms=400)
        lr_best, beta_best = near_best(100.0)
        for beta in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, beta_best):  # momentum, then more lr
            yield frame(momentum=beta)
        for lr in (2.2, 2.5, 2.8, 3.1, lr_best):
            yield frame(lr=lr, ms=2200 if lr == lr_best else 160)
        for beta in (0.75, 0.85, 0.95):  # too much momentum rings for long
            yield frame(momentum=beta, ms=1600 if beta == 0.95 else 200)
        for kappa in (10.0, 30.0, 100.0, 300.0, 1000.0):  # larger κ: the best, each time
            lr, beta = near_best(kappa)
            yield frame(kappa=kappa, lr=lr, momentum=beta, ms=1800)
