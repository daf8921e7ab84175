"""The learning rate: the same gradient descent with three step sizes, side by side.

Each column runs plain gradient descent (``nn.optim.SGD``) with its own learning rate
``lr``. Top: a 1-D loss ``f(x) = x²`` with the points visited, joined in order. Bottom:
a 2-D bowl ``f(x, y) = x²/4 + y²``, four times steeper along y than along x, with the
path on its contour map. Above each panel the run is named in plain words:

* **crawling**: every update goes the right way but is so short that the loss is still
  high at the end;
* **converging**: the loss falls quickly to almost nothing;
* **overshooting**: each update jumps across the minimum and lands on the other side,
  but a bit closer, so the loss still falls;
* **oscillating**: it jumps across the minimum back and forth, barely getting closer;
* **diverging**: each jump lands farther out than the last, and the loss grows.

For ``f(x) = c x²/2`` an update multiplies ``x`` by ``1 - lr c``: the run crawls for
``lr c`` near 0, overshoots once ``lr c > 1`` and diverges once ``lr c > 2``. The
1-D loss has ``c = 2`` and the bowl ``c = 1/2`` and ``2``: its steep direction
diverges at the same learning rate as the 1-D loss (``lr > 1``) while its shallow
direction still crawls, which is why one learning rate rarely suits every weight.

Parameters: ``lr_left``, ``lr_middle``, ``lr_right`` (log-scale sliders) and ``step``
(0 to ``STEPS``, with a Play button): the number of updates done, one update being one
step of gradient descent ``x <- x - lr grad f(x)``. The slider is labelled "update" and
the picture's header says the same ("update 7 of 25").
"""

from __future__ import annotations

import functools
from typing import Iterator

import numpy as np

from .. import style
from ..nn import optim
from ..scene import Param, Scene
from ..stamps import stamped
from ..trajectory import Trajectory, descend

STEPS = 25
START_1D = -2.5
START_2D = (-2.6, 1.7)
LIMIT = 3.0  # the drawn region is [-LIMIT, LIMIT] (and the loss up to LIMIT**2)
BOUND = 1e4  # a run that goes farther than this has diverged and stops
CURVATURE_1D = 2.0  # f(x) = x**2 = CURVATURE_1D * x**2 / 2
CURVATURES_2D = (0.5, 2.0)  # f(x, y) = (0.5 x**2 + 2 y**2) / 2
_LEVELS = style.CONTOUR.resampled(10)
_COLUMNS = ("left", "middle", "right")
#: The words are small text: the palette's colours darkened to be legible (style.TEXT_*).
_WORD_COLOURS = {"crawling": style.TEXT_ORANGE, "converging": style.TEXT_GREEN,
                 "overshooting": style.TEXT_GREEN, "oscillating": style.TEXT_ORANGE,
                 "diverging": style.TEXT_VERMILLION}
#: The figure is this much taller than the panels need, for the header above them.
_HEADER = 0.35  # inches
_Y = 6.0 / (6.0 + _HEADER)  # panel heights and positions are laid out for a 6-inch figure


def quadratic(curvatures):
    """``f(p) = sum(c_i p_i**2) / 2`` and its gradient ``c * p``, for points ``p``."""
    c = np.asarray(curvatures, dtype=float)
    return (lambda p: float(0.5 * np.sum(c * p * p))), (lambda p: c * p)


@functools.lru_cache(maxsize=512)
def descent(dims: int, lr: float, steps: int = STEPS) -> Trajectory:
    """Gradient descent with ``nn.optim.SGD(lr=lr)`` on the 1-D (``dims=1``) or the
    2-D (``dims=2``) loss of this scene, from its start point."""
    curvatures, start = ((CURVATURE_1D,), (START_1D,)) if dims == 1 else (CURVATURES_2D, START_2D)
    f, grad = quadratic(curvatures)
    with np.errstate(under="ignore"):
        return descend(f, grad, start, functools.partial(optim.SGD, lr=lr), steps, bound=BOUND)


def regime(run: Trajectory, step: int | None = None) -> tuple[str, str]:
    """Name what gradient descent did up to ``step`` (default: the whole run), as a word
    and a short sentence. The steepest direction is the last coordinate."""
    k = run.index(run.steps if step is None else step)
    if run.diverged and k >= run.diverged_at - 1:
        return "diverging", f"flew off at update {run.diverged_at}"
    if k == 0:
        return "", "the start"
    points, loss = run.upto(k)
    steep = points[:, -1]
    flips = np.count_nonzero(steep[1:] * steep[:-1] < 0)
    ratio = loss[-1] / loss[0]
    if ratio > 1:
        return "diverging", f"loss {ratio:.3g} times its start"
    if flips > k / 2 and abs(steep[-1]) > 0.5 * abs(steep[0]):
        return "oscillating", f"loss still {ratio:.0%} of its start"
    if ratio > 0.05:
        return "crawling", f"loss still {ratio:.0%} of its start"
    word = "overshooting" if flips > k / 2 else "converging"
    return word, ("loss below 0.01% of its start" if ratio < 1e-4 else f"loss {ratio:.2%} of its start")


def update_text(k: int) -> str:
    """What the picture says of update ``k``: ``"update 7 of 25"``."""
    return f"update {k} of {STEPS}"


class LearningRateScene(Scene):
    params = (
        Param("lr_left", 0.02, 1e-3, 2.0, log=True, label="lr, left"),
        Param("lr_middle", 0.4, 1e-3, 2.0, log=True, label="lr, middle"),
        Param("lr_right", 1.1, 1e-3, 2.0, log=True, label="lr, right"),
        Param("step", STEPS, 0, STEPS, 1, integer=True, label="update"),
    )
    control_rows = (("lr_left",), ("lr_middle",), ("lr_right",))
    size = (10.5, 6.0 + _HEADER)
    gif_name = "learning_rate"

    def build(self) -> None:
        fig = self.fig
        xs = np.linspace(-LIMIT, LIMIT, 201)
        gx, gy = np.meshgrid(xs, xs)
        f2, _ = quadratic(CURVATURES_2D)
        heights = 0.5 * (CURVATURES_2D[0] * gx ** 2 + CURVATURES_2D[1] * gy ** 2)
        self.columns = []
        for i, name in enumerate(_COLUMNS):
            left = 0.06 + i * 0.325
            top = fig.add_axes((left, 0.56 * _Y, 0.27, 0.3 * _Y))
            bottom = fig.add_axes((left, 0.07 * _Y, 0.27, 0.31 * _Y))
            top.plot(xs, CURVATURE_1D * xs ** 2 / 2, color=style.GREY, lw=1.5)
            top.set_xlim(-LIMIT, LIMIT)
            top.set_ylim(-0.4, LIMIT ** 2)
            bottom.imshow(np.log1p(heights), cmap=_LEVELS, origin="lower", aspect="auto",
                          extent=(-LIMIT, LIMIT, -LIMIT, LIMIT), interpolation="nearest")
            bottom.plot([0], [0], marker="*", ms=12, color=style.YELLOW, mec=style.BLACK, ls="none")
            bottom.set_xlim(-LIMIT, LIMIT)
            bottom.set_ylim(-LIMIT, LIMIT)
            if i == 0:
                top.set_ylabel("loss  x²")
                bottom.set_ylabel("y", rotation=0, labelpad=6)
            top.set_xlabel("x", labelpad=0)
            bottom.set_xlabel("x", labelpad=0)
            col = dict(
                path1=self.moving(top.plot([], [], "-o", color=style.BLUE, ms=4, lw=1.0, zorder=3)[0]),
                head1=self.moving(top.plot([], [], "o", color=style.VERMILLION, ms=7, zorder=4)[0]),
                path2=self.moving(bottom.plot([], [], "-o", color=style.BLUE, ms=3, lw=1.0)[0]),
                head2=self.moving(bottom.plot([], [], "o", color=style.VERMILLION, ms=7)[0]),
                # texts that come back with every setting: drawn once per string, then pasted
                title=self.moving(stamped(fig, left, 0.955 * _Y, "", fontsize=12, weight="bold", va="top")),
                word1=self.moving(stamped(fig, left, 0.905 * _Y, "", fontsize=10, va="top")),
                word2=self.moving(stamped(fig, left, 0.445 * _Y, "", fontsize=10, va="top")),
            )
            self.columns.append(col)
        self.header = self.moving(stamped(fig, 0.06, 1 - 0.1 / fig.get_figheight(), "", fontsize=11, va="top"))

    def draw(self) -> None:
        step = self.values["step"]
        self.header.set_text(f"{update_text(step)}   (one update: x ← x − lr · gradient of the loss at x)")
        for name, col in zip(_COLUMNS, self.columns):
            lr = self.values[f"lr_{name}"]
            col["title"].set_text(f"learning rate {lr:.3g}")
            for dims, path, head, word in ((1, col["path1"], col["head1"], col["word1"]),
                                           (2, col["path2"], col["head2"], col["word2"])):
                run = descent(dims, lr)
                points, loss = run.upto(step)
                if dims == 1:
                    xy = np.column_stack([points[:, 0], loss])
                else:
                    xy = points
                path.set_data(xy[:, 0], xy[:, 1])
                head.set_data(xy[-1:, 0], xy[-1:, 1])
                kind, sentence = regime(run, step)
                where = "1-D" if dims == 1 else "2-D"
                word.set_text(f"{where}: {kind}\n{sentence}" if kind else f"{where}: {sentence}")
                word.set_color(_WORD_COLOURS.get(kind, style.BLACK))

    def storyboard(self) -> Iterator[tuple[dict, int]]:
        yield dict(lr_left=0.02, lr_middle=0.4, lr_right=1.1, step=0), 1200
        for k in range(1, STEPS + 1):
            yield dict(step=k), 2500 if k == STEPS else 260
