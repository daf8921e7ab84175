"""L1 and L2 penalties: what they do to the overfitting network, and why L1 gives zeros.

:class:`PenaltyScene` trains the chapter's too-big network (:mod:`course_utils.overfitting`)
with a penalty on its weights, ``lambda * sum |w|`` (L1) or ``lambda / 2 * sum w**2``
(L2), and shows four things at the chosen strength ``lambda``:

1. the decision region after 1,000 epochs, with the 40 training points;
2. the training and validation loss over the epochs (without a penalty: faint);
3. a histogram of the 1,120 weights, and how many of them are near zero;
4. the geometry, on a made-up loss of just two weights ``w = (w1, w2)``: the loss
   ``L(w) = 1/2 (w - a)^T H (w - a)`` has its lowest point at ``a``; adding the penalty
   moves the lowest point to where a contour of ``L`` just touches the penalty's own
   contour, a diamond ``|w1| + |w2| = c`` for L1 and a circle ``w1^2 + w2^2 = r^2`` for
   L2. The diamond's corners lie on the axes, so the touching point is often a corner:
   one weight exactly 0. The circle has no corners, so L2 only shrinks. (This is the
   picture of Tibshirani's lasso paper, 1996.)

Each (penalty, lambda) is trained once and cached (about 1 s the first time).
"""

from __future__ import annotations

import functools

import numpy as np

from .. import data, overfitting, style
from ..scene import Param, Scene
from ..stamps import stamped
from .epochs import probability

STRENGTHS = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1)
PENALTY_NAMES = {"l1": "L1", "l2": "L2"}
#: A weight counts as "near zero" below this size. With Adam, an L1-penalised weight
#: whose best value is 0 keeps stepping across 0 by about the learning rate (0.003).
NEAR_ZERO = 0.01
PLANE = 2.8
REGION_RES = 61
#: Histogram bins: the middle one is exactly the near-zero band, the others 0.05 wide.
BINS = np.concatenate([np.linspace(-1.5, -NEAR_ZERO, 31), np.linspace(NEAR_ZERO, 1.5, 31)])

#: The two-weight loss of the geometry panel: lowest point A, curvature H.
A = np.array([1.2, 0.5])
H = 0.05 * np.array([[1.0, 0.5], [0.5, 0.6]])
#: Strengths at which the path of the penalised optimum is drawn.
PATH_STRENGTHS = np.concatenate([[0.0], np.geomspace(1e-4, 0.2, 200)])
GEO_LIM = (-0.3, 1.5)


def level_curve(level: float, points: int = 121) -> np.ndarray:
    """The contour ``L(w) = level``, an ellipse around ``A``: ``w = A + sqrt(2 level)
    H^(-1/2) u`` for ``u`` on the unit circle. Shape (points, 2)."""
    values, vectors = np.linalg.eigh(H)
    t = np.linspace(0, 2 * np.pi, points)
    u = np.column_stack([np.cos(t), np.sin(t)])
    return A + np.sqrt(2 * max(level, 0.0)) * u @ (vectors / np.sqrt(values)).T


def quadratic(w: np.ndarray) -> np.ndarray:
    """``L(w) = 1/2 (w - A)^T H (w - A)`` for points ``w`` of shape (..., 2)."""
    d = np.asarray(w, dtype=float) - A
    return 0.5 * np.einsum("...i,ij,...j->...", d, H, d)


def l2_optimum(strength: float) -> np.ndarray:
    """The lowest point of ``L(w) + strength / 2 * |w|^2``: ``(H + strength I)^-1 H A``."""
    return np.linalg.solve(H + strength * np.eye(2), H @ A)


def l1_optimum(strength: float) -> np.ndarray:
    """The lowest point of ``L(w) + strength * (|w1| + |w2|)``, exactly.

    The objective is convex, so its lowest point is the best of the points where its
    gradient (or a subgradient) vanishes: with both weights non-zero and signs ``s``,
    ``w = A - strength H^-1 s`` (if those are its signs); with ``w_j = 0``,
    ``w_i = soft(H_ii A_i + H_ij A_j, strength) / H_ii``; or ``w = 0``.
    """
    def objective(w):
        return quadratic(w) + strength * np.abs(w).sum()

    candidates = [np.zeros(2)]
    for s in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
        w = A - strength * np.linalg.solve(H, np.array(s, dtype=float))
        if np.all(np.sign(w) == s):
            candidates.append(w)
    for i in (0, 1):
        j = 1 - i
        r = H[i, i] * A[i] + H[i, j] * A[j]
        w = np.zeros(2)
        w[i] = np.sign(r) * max(abs(r) - strength, 0.0) / H[i, i]
        candidates.append(w)
    return min(candidates, key=objective)


OPTIMA = {"l1": l1_optimum, "l2": l2_optimum}


@functools.lru_cache(maxsize=None)
def path(penalty: str) -> np.ndarray:
    """The penalised optimum at every ``PATH_STRENGTHS``: shape (len, 2)."""
    return np.array([OPTIMA[penalty](s) for s in PATH_STRENGTHS])


def run_for(penalty: str, strength: float):
    """The recorded run of the overfitting network with this penalty (none at 0)."""
    if strength == 0:
        return overfitting.train()
    return overfitting.train(penalty, strength)


@functools.lru_cache(maxsize=64)
def _region(penalty: str, strength: float) -> np.ndarray:
    grid = data.grid(REGION_RES, PLANE)
    return probability(run_for(penalty, strength), -1, grid).reshape(REGION_RES, REGION_RES)


@functools.lru_cache(maxsize=64)
def final_weights(penalty: str, strength: float) -> np.ndarray:
    """All 1,120 weights (no biases) of the network after training, flat."""
    return overfitting.flat_weights(run_for(penalty, strength).at(-1))


class PenaltyScene(Scene):
    """The overfitting network with an L1 or L2 penalty of strength ``strength``; and the
    penalty's geometry on a loss of two weights (see the module docstring)."""

    params = (
        Param("penalty", "l2", options=(("L1: \u03bb \u03a3|w|", "l1"), ("L2: \u03bb/2 \u03a3w\u00b2", "l2")),
              label="penalty"),
        Param("strength", 0.03, options=STRENGTHS, slider=True, label="strength \u03bb"),
    )
    size = (12.5, 4.2)
    gif_name = "l1_l2"
    gif_one_palette = True
    control_rows = (("penalty", "strength"),)
    background_params = ("penalty",)  # the dotted path of the optimum is the penalty's

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fw, fh = fig.get_size_inches()
        bottom, height = 0.12, 0.58
        square = height * fh / fw
        self.title = moving(stamped(fig, 0.01, 0.95, "", fontsize=12, fontweight="bold", va="center"))
        top = 0.845  # a line of numbers above each panel

        ax = self.ax_region = fig.add_axes([0.04, bottom, square, height])
        self.region = moving(ax.imshow(np.zeros((REGION_RES, REGION_RES)), cmap=style.REGION, origin="lower",
                                       extent=(-PLANE, PLANE, -PLANE, PLANE), vmin=0, vmax=1,
                                       interpolation="nearest"))
        x, y = overfitting.problem()[:2]
        moving(ax.scatter(x[:, 0], x[:, 1], s=22, c=style.class_colours(y[:, 0]), edgecolors=style.BLACK,
                          linewidths=0.6, zorder=3))  # moving: drawn after the region
        style.plane_axes(ax, PLANE)
        ax.set_title("P(blue) after 1,000 epochs", fontsize=10)

        ax = self.ax_loss = fig.add_axes([0.295, bottom, 0.21, height])
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss (cross-entropy)")
        ax.set_xlim(0, overfitting.EPOCHS)
        ax.set_ylim(0, 1.6)
        ax.set_title("loss over the epochs", fontsize=10)
        plain = overfitting.train()
        epochs = np.arange(overfitting.EPOCHS + 1)
        ax.plot(epochs, plain.curves["train_loss"], color=style.BLUE, lw=1, alpha=0.3)
        ax.plot(epochs, plain.curves["val_loss"], color=style.ORANGE, lw=1, alpha=0.35)
        ax.text(0.98, 0.97, "faint: no penalty", transform=ax.transAxes, ha="right", va="top",
                fontsize=8, color=style.GREY)
        self.train_curve = moving(ax.plot([], [], color=style.BLUE, lw=2, label="training")[0])
        self.val_curve = moving(ax.plot([], [], color=style.ORANGE, lw=2, label="validation")[0])
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, 0.9), frameon=False, fontsize=9)
        self.loss_text = moving(stamped(fig, 0.295, top, "", fontsize=9, va="center"))

        ax = self.ax_hist = fig.add_axes([0.56, bottom, 0.185, height])
        ax.set_xlabel("weight value")
        ax.set_ylabel("weights (log scale)")
        ax.set_yscale("log")
        ax.set_xlim(BINS[0], BINS[-1])
        ax.set_ylim(0.8, 2000)
        ax.axvspan(-NEAR_ZERO, NEAR_ZERO, color=style.GREEN, alpha=0.25, lw=0)
        centres, widths = (BINS[1:] + BINS[:-1]) / 2, np.diff(BINS)
        colours = [style.GREEN if abs(c) < NEAR_ZERO else style.GREY for c in centres]
        self.bars = ax.bar(centres, np.ones_like(centres), width=0.9 * widths, color=colours)
        self.moving(*self.bars.patches)
        self.zero_text = moving(stamped(fig, 0.56, top, "", fontsize=9, va="center",
                                        color=style.TEXT_GREEN))
        ax.set_title("the network's 1,120 weights", fontsize=10)

        ax = self.ax_geo = fig.add_axes([0.795, bottom, square, height])
        grid = np.linspace(*GEO_LIM, 121)
        g1, g2 = np.meshgrid(grid, grid)
        levels = quadratic(A + np.outer(np.linspace(0.25, 1.6, 7), [1.0, 0.0]))
        ax.contour(g1, g2, quadratic(np.stack([g1, g2], axis=-1)), levels=np.sort(levels),
                   colors=style.GREY, linewidths=0.7)
        ax.axhline(0, color=style.BLACK, lw=0.6)
        ax.axvline(0, color=style.BLACK, lw=0.6)
        ax.plot(*A, "+", color=style.BLACK, ms=9, mew=1.5)
        ax.annotate("lowest loss", A, xytext=(-8, 8), textcoords="offset points", fontsize=8, ha="right")
        ax.set_xlim(*GEO_LIM)
        ax.set_ylim(*GEO_LIM)
        ax.set_xlabel("w\u2081", labelpad=1)
        ax.set_ylabel("w\u2082", labelpad=-2)
        ax.set_title("two weights: the penalty's pull", fontsize=10)
        self.geo_path = {k: ax.plot(*path(k).T, color=style.GREY, lw=1.5, ls=":")[0] for k in OPTIMA}
        self.shape = moving(ax.fill([0], [0], color=style.SKY, alpha=0.35, lw=1.5, ec=style.BLUE)[0])
        self.touch = moving(ax.plot([], [], color=style.ORANGE, lw=1.5)[0])
        self.optimum = moving(ax.plot([], [], "o", color=style.VERMILLION, ms=7, zorder=5)[0])
        self.geo_text = moving(stamped(fig, 0.795, top, "", fontsize=9, va="center"))

    def draw(self) -> None:
        penalty, strength = self.values["penalty"], self.values["strength"]
        name = PENALTY_NAMES[penalty]
        run = run_for(penalty, strength)
        epochs = np.arange(len(run.curves["val_loss"]))
        self.train_curve.set_data(epochs, run.curves["train_loss"])
        self.val_curve.set_data(epochs, run.curves["val_loss"])
        self.region.set_data(_region(penalty, strength))
        if strength == 0:
            self.title.set_text("no penalty (\u03bb = 0): the network learns the noise by heart")
        else:
            self.title.set_text(f"{name} penalty, \u03bb = {strength:g}")
        val, acc = run.curves["val_loss"][-1], run.curves["val_accuracy"][-1]
        self.loss_text.set_text(f"at the end: validation loss {val:.2f}, accuracy {100 * acc:.0f}%")

        w = final_weights(penalty, strength)
        counts, _ = np.histogram(np.clip(w, BINS[0], BINS[-1]), BINS)
        for bar, count in zip(self.bars.patches, counts):
            bar.set_height(max(count, 1e-3))  # a log axis cannot show 0
        near = int(np.sum(np.abs(w) < NEAR_ZERO))
        self.zero_text.set_text(f"near zero (|w| < {NEAR_ZERO:g}): {near:,} of {w.size:,}")

        self._draw_geometry(penalty, strength)

    def draw_background(self) -> None:
        for k, line in self.geo_path.items():
            line.set_visible(k == self.values["penalty"])

    def _draw_geometry(self, penalty: str, strength: float) -> None:
        w = OPTIMA[penalty](strength)
        self.optimum.set_data([w[0]], [w[1]])
        t = np.linspace(0, 2 * np.pi, 121)
        if strength == 0:
            self.shape.set_xy(np.zeros((1, 2)))  # no penalty, no shape
        elif penalty == "l1":
            c = np.abs(w).sum()
            corners = np.array([[c, 0], [0, c], [-c, 0], [0, -c], [c, 0]])
            self.shape.set_xy(corners)
        else:
            r = np.hypot(*w)
            self.shape.set_xy(np.column_stack([r * np.cos(t), r * np.sin(t)]))
        self.touch.set_data(*level_curve(float(quadratic(w))).T)
        zero = " (w\u2082 = 0)" if penalty == "l1" and w[1] == 0 and w[0] != 0 else ""
        self.geo_text.set_text(f"\u03bb = {strength:g}: w = ({w[0]:.2f}, {w[1]:.2f}){zero}")

    def storyboard(self):
        for penalty in ("l2", "l1"):
            for strength in STRENGTHS:
                hold = 2400 if strength == STRENGTHS[-1] else 1300
                yield {"penalty": penalty, "strength": strength}, hold
