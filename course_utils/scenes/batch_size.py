"""How many examples per step: full batch, mini-batches, one example at a time.

:class:`BatchSizeScene` fits a line ``y = w x + b`` to 64 noisy points with stochastic
gradient descent and shows what the batch size changes. Left: the path of ``(w, b)``
over the contours of the loss on all the data. Middle: the gradients of the coming
epoch's mini-batches, all taken at the current weights, around the gradient of all the
data: each one is a noisy estimate of it, and the noise shrinks as the batch grows.
Right: the loss on all the data over the epochs. A pass over the data (an epoch) makes
``ceil(64 / batch_size)`` updates: small batches take many noisy steps per epoch,
the full batch one exact step.

Each setting is trained once with ``fit`` and recorded after every update
(:mod:`course_utils.runs`); ``step`` replays it epoch by epoch.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from matplotlib.ticker import NullLocator

from .. import data, nn, runs, style
from ..nn import optim
from ..scene import Param, Scene

N_LINE = 64
LINE_SLOPE, LINE_INTERCEPT, LINE_NOISE = 2.0, -1.0, 0.5
LINE_SEED, SHUFFLE_SEED = 0, 0
START = (-1.0, 2.5)  # (w, b) before training
LINE_EPOCHS = 20
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64)
BATCH_CHOICES = tuple((f"{b} (stochastic)" if b == 1 else f"{b} (full batch)" if b == N_LINE else str(b), b)
                      for b in BATCH_SIZES)
LR_RANGE = (0.005, 0.15)
#: The weight-space window of the left panel, and the gradient window of the middle one.
W_RANGE, B_RANGE = (-1.6, 3.2), (-2.2, 3.4)
GRAD_RANGE = 5.0


@lru_cache(maxsize=1)
def line_data() -> tuple[np.ndarray, np.ndarray]:
    """The 64 points the line is fitted to: ``x``, ``y`` each shaped (64, 1) (read only)."""
    x, y = data.line(N_LINE, LINE_SLOPE, LINE_INTERCEPT, LINE_NOISE, rng=LINE_SEED)
    x.flags.writeable = y.flags.writeable = False
    return x, y


def line_loss(w, b, x=None, y=None):
    """The mean squared error of the line ``w x + b`` on all the data:
    ``L(w, b) = mean((w x_i + b - y_i)^2)``. ``w`` and ``b`` may be arrays of one shape."""
    if x is None:
        x, y = line_data()
    x, y = x[:, 0], y[:, 0]
    mxx, mx, mxy, my, myy = (x * x).mean(), x.mean(), (x * y).mean(), y.mean(), (y * y).mean()
    w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
    return w * w * mxx + 2 * w * b * mx + b * b - 2 * w * mxy - 2 * b * my + myy


def line_gradient(w: float, b: float, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The gradient of the mean squared error of ``w x + b`` on the points ``(x, y)``
    (shapes (n, 1)): ``(dL/dw, dL/db) = 2 mean(r_i x_i), 2 mean(r_i)`` with
    ``r_i = w x_i + b - y_i``. Shape (2,)."""
    r = w * x[:, 0] + b - y[:, 0]
    return np.array([2.0 * np.mean(r * x[:, 0]), 2.0 * np.mean(r)])


def least_squares() -> tuple[float, float]:
    """The best line ``(w, b)`` for all the data: the solution of the normal equations."""
    x, y = line_data()
    a = np.column_stack([x[:, 0], np.ones(len(x))])
    w, b = np.linalg.solve(a.T @ a, a.T @ y[:, 0])
    return float(w), float(b)


def updates_per_epoch(batch_size: int, n: int = N_LINE) -> int:
    """Mini-batches in one pass over ``n`` examples: ``ceil(n / batch_size)``."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number >= 1, got {batch_size!r}")
    return math.ceil(n / batch_size)


@runs.cache
def train_line(batch_size: int, lr: float, epochs: int = LINE_EPOCHS) -> runs.Run:
    """Fit ``nn.Linear(1, 1)`` to the line data with ``nn.MSELoss`` and ``optim.SGD(lr)``,
    starting at ``START``, in shuffled mini-batches of ``batch_size`` (``fit`` shuffles,
    seeded), and record the weights after every update.

    One epoch more than ``epochs`` is trained, so that the batches of the epoch that
    comes after the last one shown are the ones really drawn (:func:`batch_gradients`).

    With every ``lr <= LR_RANGE[1]`` this cannot blow up: a mini-batch's loss has the
    Hessian ``2 mean([[x^2, x], [x, 1]])``, whose largest eigenvalue is at most
    ``2 (1 + max x^2) = 10`` for ``x`` in [0, 2], and ``lr * 10 < 2``.
    """
    updates = updates_per_epoch(batch_size)
    if not 0 < lr <= LR_RANGE[1]:
        raise ValueError(f"lr must lie in (0, {LR_RANGE[1]}] (larger steps can diverge), got {lr!r}")
    x, y = line_data()
    model = nn.Linear(1, 1, rng=0)
    model.weight.data[...] = START[0]
    model.bias.data[...] = START[1]
    return runs.record(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=lr), x, y,
                       epochs=epochs + 1, at=range((epochs + 1) * updates + 1), unit="update",
                       batch_size=batch_size, shuffle=True, rng=SHUFFLE_SEED)


@lru_cache(maxsize=64)
def weight_path(run: runs.Run) -> tuple[np.ndarray, np.ndarray]:
    """``(path, loss)`` of a :func:`train_line` run: ``path[j]`` is ``(w, b)`` after ``j``
    updates (shape (updates + 1, 2)) and ``loss[j]`` the loss on all the data there."""
    path = np.array([(s["weight"][0, 0], s["bias"][0]) for s in run.snapshots])
    return path, line_loss(path[:, 0], path[:, 1])


def batch_gradients(run: runs.Run, epoch: int, batch_size: int) -> np.ndarray:
    """The gradient of each mini-batch of epoch ``epoch + 1`` of a :func:`train_line` run,
    all taken at the weights after ``epoch`` epochs: shape (updates, 2), rows
    ``(dL/dw, dL/db)``. The batches are the ones ``fit`` drew (``run.orders``)."""
    x, y = line_data()
    w, b = weight_path(run)[0][epoch * updates_per_epoch(batch_size)]
    order = run.orders[epoch]
    return np.array([line_gradient(w, b, x[order[s:s + batch_size]], y[order[s:s + batch_size]])
                     for s in range(0, N_LINE, batch_size)])


class BatchSizeScene(Scene):
    """Full-batch, mini-batch and stochastic gradient descent fitting one line.

    Parameters: ``batch_size`` (1 to 64), ``lr`` (the learning rate of SGD, on a log
    scale) and ``step``: the number of epochs done, 0 to ``LINE_EPOCHS``.
    """

    params = (
        Param("batch_size", 8, options=BATCH_CHOICES, label="batch size"),
        Param("lr", 0.1, LR_RANGE[0], LR_RANGE[1], log=True, label="learning rate"),
        Param("step", LINE_EPOCHS, 0, LINE_EPOCHS, 1, integer=True, label="epoch"),
    )
    size = (11.0, 3.9)
    gif_name = "batch_size"
    background_params = ("batch_size",)

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fw, fh = fig.get_size_inches()
        self.header = moving(fig.text(0.012, 0.945, "", fontsize=11, fontweight="bold", va="center"))
        height = 0.64
        square = height * fh / fw

        # (a) the path in weight space over the loss contours
        ax = self.ax_path = fig.add_axes([0.055, 0.13, square, height])
        ww, bb = np.meshgrid(np.linspace(*W_RANGE, 161), np.linspace(*B_RANGE, 161))
        surface = line_loss(ww, bb)
        w_best, b_best = least_squares()
        lowest = float(line_loss(w_best, b_best))
        # contours where the loss is 1.25, 2, 3.5, ... times its lowest value
        levels = lowest * (1 + np.array([0.25, 1, 2.5, 5, 10, 20, 40, 80]))
        ax.contour(ww, bb, surface, levels=levels, colors=style.GREY, linewidths=0.7)
        ax.plot([START[0]], [START[1]], "s", ms=6, color=style.GREY, zorder=4)
        ax.text(w_best, b_best - 0.55, "least squares", fontsize=8, ha="center", va="top")
        ax.text(START[0] + 0.12, START[1], "start", fontsize=8, va="center")
        self.path = moving(ax.plot([], [], color=style.BLUE, lw=1.0, zorder=5)[0])
        self.point = moving(ax.plot([], [], "o", ms=7, color=style.BLUE, mec="white", zorder=6)[0])
        moving(ax.plot([w_best], [b_best], "*", ms=12, color=style.BLACK)[0])  # on top of the path
        ax.set_xlim(*W_RANGE)
        ax.set_ylim(*B_RANGE)
        ax.set_xlabel("weight w")
        ax.set_ylabel("bias b", labelpad=0)
        ax.set_title("path of (w, b) over the loss", fontsize=10)

        # (b) the gradients of the coming epoch's mini-batches
        ax = self.ax_grad = fig.add_axes([0.39, 0.13, square, height])
        g = GRAD_RANGE
        ax.axhline(0, color=style.GREY, lw=0.6)
        ax.axvline(0, color=style.GREY, lw=0.6)
        self.grads = moving(ax.plot([], [], "o", ms=4, color=style.ORANGE, alpha=0.8, mew=0)[0])
        self.grads_out = moving(ax.plot([], [], "o", ms=4, mfc="none", mec=style.ORANGE, mew=1.0)[0])
        self.full_grad = moving(ax.plot([], [], color=style.BLACK, lw=2.0, zorder=5)[0])
        self.full_tip = moving(ax.plot([], [], "o", ms=5, color=style.BLACK, zorder=5)[0])
        ax.text(0.03, 0.97, "\u25cf all the data\n", transform=ax.transAxes, fontsize=8.5,
                va="top", ha="left", linespacing=1.4)
        self.batch_legend = ax.text(0.03, 0.97, "", transform=ax.transAxes, fontsize=8.5,
                                    va="top", ha="left", color=style.TEXT_ORANGE, linespacing=1.4)
        self.grad_text = moving(ax.text(0.97, 0.03, "", transform=ax.transAxes, fontsize=8.5,
                                        va="bottom", ha="right", linespacing=1.4))
        ax.set_xlim(-g, g)
        ax.set_ylim(-g, g)
        ax.set_xlabel("\u2202L/\u2202w")
        ax.set_ylabel("\u2202L/\u2202b", labelpad=-2)
        ax.set_title("gradients of the next epoch's batches", fontsize=10)

        # (c) the loss on all the data
        ax = self.ax_loss = fig.add_axes([0.715, 0.13, 0.27, height])
        ax.axhline(lowest, color=style.GREY, lw=1.0, ls="--")
        ax.text(LINE_EPOCHS, lowest * 0.93, "lowest possible", fontsize=8, color=style.GREY,
                ha="right", va="top")
        self.loss_curve = moving(ax.plot([], [], color=style.BLUE, lw=1.5)[0])
        self.loss_dot = moving(ax.plot([], [], "o", ms=6, color=style.BLUE, zorder=5)[0])
        ax.set_yscale("log")
        ax.set_xlim(0, LINE_EPOCHS)
        ax.set_ylim(lowest * 0.75, float(line_loss(*START)) * 1.3)
        ax.set_yticks([0.25, 0.5, 1, 2, 4], labels=["0.25", "0.5", "1", "2", "4"])
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xticks(range(0, LINE_EPOCHS + 1, 5))
        ax.set_xlabel("epoch")
        self.loss_title = ax.set_title("", fontsize=10)

    def draw_background(self) -> None:
        batch, n = self.values["batch_size"], updates_per_epoch(self.values["batch_size"])
        self.loss_title.set_text(f"loss on all {N_LINE} points\n"
                                 f"{n} update{'s' if n > 1 else ''} per epoch "
                                 f"= ceil({N_LINE} / {batch})")
        self.batch_legend.set_text(f"\n\u25cf each batch of {batch}" if n > 1 else "\n\u25cf the one batch")

    def draw(self) -> None:
        v = self.values
        run = train_line(v["batch_size"], v["lr"])
        path, loss = weight_path(run)
        updates = updates_per_epoch(v["batch_size"])
        epoch = v["step"]
        last = epoch * updates
        self.path.set_data(path[:last + 1, 0], path[:last + 1, 1])
        self.point.set_data([path[last, 0]], [path[last, 1]])
        self.loss_curve.set_data(np.arange(last + 1) / updates, loss[:last + 1])
        self.loss_dot.set_data([epoch], [loss[last]])

        x, y = line_data()
        w, b = path[last]
        full = line_gradient(w, b, x, y)
        grads = batch_gradients(run, epoch, v["batch_size"])
        inside = np.all(np.abs(grads) <= GRAD_RANGE, axis=1)
        pinned = np.clip(grads[~inside], -GRAD_RANGE, GRAD_RANGE)  # shown on the frame's edge
        self.grads.set_data(grads[inside, 0], grads[inside, 1])
        self.grads_out.set_data(pinned[:, 0], pinned[:, 1])
        self.full_grad.set_data([0, full[0]], [0, full[1]])
        self.full_tip.set_data([full[0]], [full[1]])
        spread = float(np.mean(np.linalg.norm(grads - full, axis=1)))
        lines = [f"mean distance of a batch's\ngradient from all the data's: {spread:.2f}"]
        if len(pinned):
            lines.insert(0, f"{len(pinned)} beyond the frame: on its edge")
        self.grad_text.set_text("\n".join(lines))
        self.header.set_text(f"batch size {v['batch_size']}, learning rate {v['lr']:.3g}: "
                             f"{last} updates in {epoch} epoch{'' if epoch == 1 else 's'}, "
                             f"loss {loss[last]:.3f}")

    def storyboard(self):
        # the same 20 passes over the data, with 1, 8 and 64 updates per pass
        lr = self.param("lr").default
        for batch, every in ((64, 2), (8, 1), (1, 1)):
            for epoch in range(0, LINE_EPOCHS + 1, every):
                changes = {"batch_size": batch, "lr": lr, "step": epoch}
                yield changes, 2000 if epoch == LINE_EPOCHS else 160 * every
