"""The training process: how long to train, and how many examples to use per step.

:class:`EpochsScene` trains a small network on a few noisy points and watches a
separate validation set while it learns. Left: the training and validation loss over
the epochs. Right: the network's predicted probability over the plane at the chosen
epoch. Early on both losses fall (underfitting); then the validation loss reaches its
lowest point (a good fit); after that the network keeps learning the noise of its
training points, so the training loss still falls while the validation loss rises
(overfitting). Stopping near the lowest validation loss is "early stopping".

:class:`BatchSizeScene` fits a line ``y = w x + b`` to 64 noisy points with stochastic
gradient descent and shows what the batch size changes. Left: the path of ``(w, b)``
over the contours of the loss on all the data. Middle: the gradients of the coming
epoch's mini-batches, all taken at the current weights, around the gradient of all the
data: each one is a noisy estimate of it, and the noise shrinks as the batch grows.
Right: the loss on all the data over the epochs. A pass over the data (an epoch) makes
``ceil(64 / batch_size)`` updates: small batches take many noisy steps per epoch,
the full batch one exact step.

Both scenes compute a whole run once per setting (cached with
:func:`functools.lru_cache`) and draw it up to their ``step`` parameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from matplotlib.ticker import NullLocator

from .. import data, nn, style
from ..nn import optim, training
from ..nn.functional import sigmoid
from ..scene import Param, Scene
from .layers import build_network, layer_outputs, linear_weights

# ======================================================================================
# Epochs: underfitting, a good fit, overfitting
# ======================================================================================

EPOCH_DATASETS = (("two moons", "moons"), ("circle", "circle"), ("XOR", "xor"))
_EPOCH_DATASET_NAMES = {value: label for label, value in EPOCH_DATASETS}
WIDTHS = (("8 per layer", 8), ("32 per layer", 32))
HIDDEN_LAYERS = 2
ACTIVATION = "tanh"
N_TRAIN = 30  # few training points: easy to learn by heart
N_VAL = 300  # a larger validation set from the same distribution
EPOCH_NOISE = 0.4
TRAIN_SEED, VAL_SEED, INIT_SEED = 1, 2, 3
EPOCH_LR = 0.003  # full-batch Adam
EPOCHS = 800
SNAPSHOTS = 40  # the weights are kept at EPOCH_AT[0..SNAPSHOTS]
#: Epoch of each snapshot, spaced quadratically: the network changes most early on.
EPOCH_AT = tuple(round(EPOCHS * (k / SNAPSHOTS) ** 2) for k in range(SNAPSHOTS + 1))
#: The validation loss counts as "near its lowest" within this fraction of the way
#: it came down from the start (epoch 0) to its lowest point.
NEAR = 0.1
PLANE = 2.8  # the decision region is drawn over [-PLANE, PLANE]^2
REGION_RES = 71
_REGION_CMAP = style.CLASSES.resampled(10)  # a few flat steps: clear levels, small frames

PHASES = {
    "under": ("underfitting: both losses are still falling", style.BLUE),
    "good": ("good fit: the validation loss is near its lowest", style.GREEN),
    "over": ("overfitting: the validation loss rises while the training loss keeps falling",
             style.VERMILLION),
}


@dataclass(frozen=True, eq=False)
class EpochRun:
    """One network trained for ``EPOCHS`` epochs, measured after every epoch.

    ``train_loss[e]`` and ``val_loss[e]`` (shape (EPOCHS + 1,)) are the mean binary
    cross-entropy on the training and the validation points after ``e`` epochs
    (``e = 0``: the untrained network). ``snapshots[k]`` is the list of ``(W, b)`` of
    every layer after ``EPOCH_AT[k]`` epochs.
    """

    sizes: tuple
    x: np.ndarray  # (N_TRAIN, 2)
    y: np.ndarray  # (N_TRAIN,) in {0, 1}
    x_val: np.ndarray  # (N_VAL, 2)
    y_val: np.ndarray  # (N_VAL,)
    train_loss: np.ndarray
    val_loss: np.ndarray
    snapshots: tuple

    @property
    def best_epoch(self) -> int:
        """The epoch of the lowest validation loss (the first, if it ties)."""
        return int(np.argmin(self.val_loss))

    def phase(self, epoch: int) -> str:
        """``"under"``, ``"good"`` or ``"over"``: where training stands after ``epoch`` epochs.

        With ``v`` the validation loss and ``e*`` the epoch of its minimum: "good" when
        ``v[epoch] <= v[e*] + NEAR * (v[0] - v[e*])``; otherwise "under" before ``e*``
        and "over" after it.
        """
        v, best = self.val_loss, self.best_epoch
        if v[epoch] <= v[best] + NEAR * max(v[0] - v[best], 0.0):
            return "good"
        return "under" if epoch < best else "over"

    def probability(self, snapshot: int, points: np.ndarray) -> np.ndarray:
        """P(class 1) at ``points`` (shape (n, 2)) with the weights of ``snapshot``: shape (n,)."""
        with np.errstate(under="ignore"):  # exp of a very negative logit rounds to 0: harmless
            logit = layer_outputs(self.snapshots[snapshot], points, ACTIVATION)[-1][1]
            return sigmoid(logit[:, 0])


@lru_cache(maxsize=16)
def train_epochs(dataset: str, width: int) -> EpochRun:
    """Train a ``2-width-width-1`` tanh network on ``N_TRAIN`` noisy points of ``dataset``
    with full-batch Adam (``lr = EPOCH_LR``, seeded), recording the training and
    validation loss after every epoch and the weights at every ``EPOCH_AT``."""
    if dataset not in _EPOCH_DATASET_NAMES:
        raise ValueError(f"dataset must be one of {list(_EPOCH_DATASET_NAMES)}, got {dataset!r}")
    if width not in dict(WIDTHS).values():
        raise ValueError(f"width must be one of {[w for _, w in WIDTHS]}, got {width!r}")
    make = data.DATASETS[dataset]
    x, y = make(N_TRAIN, EPOCH_NOISE, rng=TRAIN_SEED)
    x_val, y_val = make(N_VAL, EPOCH_NOISE, rng=VAL_SEED)
    target, target_val = y[:, None].astype(float), y_val[:, None].astype(float)
    sizes = (2,) + (width,) * HIDDEN_LAYERS + (1,)
    model = build_network(sizes, ACTIVATION, rng=INIT_SEED)
    loss_fn = nn.BCEWithLogitsLoss()
    train_loss, val_loss, snapshots = [], [], []
    wanted = set(EPOCH_AT)

    def measure(epoch, history=None, model=model):
        train_loss.append(training.evaluate(model, loss_fn, x, target)[0])
        val_loss.append(training.evaluate(model, loss_fn, x_val, target_val)[0])
        if epoch in wanted:
            snapshots.append(linear_weights(model))

    with np.errstate(under="ignore"):  # a tiny number rounded to 0 is harmless here
        measure(0)
        training.fit(model, loss_fn, optim.Adam(model.parameters(), lr=EPOCH_LR), x, target,
                     epochs=EPOCHS, batch_size=N_TRAIN, shuffle=False, verbose=0,
                     callbacks=[measure])
    return EpochRun(sizes, x, y, x_val, y_val, np.array(train_loss), np.array(val_loss),
                    tuple(snapshots))


def _class_colours(y: np.ndarray) -> list:
    return [style.BLUE if label == 1 else style.VERMILLION for label in y]


class EpochsScene(Scene):
    """Training and validation loss over the epochs, and the decision region at one epoch.

    Parameters: ``dataset`` (two moons, circle or XOR, 30 noisy training points),
    ``width`` (neurons in each of the two hidden layers) and ``step``: the snapshot
    shown, 0 to ``SNAPSHOTS``, taken after ``EPOCH_AT[step]`` epochs.
    """

    params = (
        Param("dataset", "circle", options=EPOCH_DATASETS, label="data set"),
        Param("width", 32, options=WIDTHS, label="hidden neurons"),
        Param("step", SNAPSHOTS, 0, SNAPSHOTS, 1, integer=True, label="training snapshot"),
    )
    size = (10.0, 3.9)
    gif_name = ""

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fw, fh = fig.get_size_inches()
        self.phase_text = moving(fig.text(0.012, 0.94, "", fontsize=12, fontweight="bold", va="center"))
        self.info = fig.text(0.012, 0.86, "", fontsize=10, va="center", color=style.BLACK)

        # (a) the losses over the epochs
        ax = self.ax_loss = fig.add_axes([0.07, 0.13, 0.46, 0.6])
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss (binary cross-entropy)")
        ax.set_xlim(0, EPOCHS)
        self.train_faint = ax.plot([], [], color=style.BLUE, lw=1.2, alpha=0.25)[0]
        self.val_faint = ax.plot([], [], color=style.ORANGE, lw=1.2, alpha=0.3)[0]
        self.best_line = ax.axvline(0, color=style.GREEN, lw=1.2, ls="--")
        self.best_text = ax.text(0, 1.0, "", transform=ax.get_xaxis_transform(), fontsize=9,
                                 color=style.GREEN, ha="left", va="bottom")
        self.best_dot = ax.plot([], [], "o", ms=6, mfc="white", mec=style.GREEN, mew=1.5)[0]
        self.train_curve = moving(ax.plot([], [], color=style.BLUE, lw=2, label="training loss")[0])
        self.val_curve = moving(ax.plot([], [], color=style.ORANGE, lw=2, label="validation loss")[0])
        self.now_line = moving(ax.axvline(0, color=style.BLACK, lw=1.0))
        self.now_dots = moving(ax.plot([], [], "o", ms=6, color=style.BLACK, zorder=5)[0])
        ax.legend(loc="center right", frameon=False, fontsize=9)

        # (b) the decision region at the chosen epoch
        ax_r = self.ax_region = fig.add_axes([0.6, 0.13, 0.6 * fh / fw, 0.6])
        self.region = moving(ax_r.imshow(np.zeros((REGION_RES, REGION_RES)), cmap=_REGION_CMAP,
                                         origin="lower", extent=(-PLANE, PLANE, -PLANE, PLANE),
                                         vmin=0, vmax=1, interpolation="nearest"))
        self.val_points = moving(ax_r.scatter([], [], s=8, facecolors="none", linewidths=0.6))
        self.train_points = moving(ax_r.scatter([], [], s=40, linewidths=0.8, edgecolors=style.BLACK))
        style.plane_axes(ax_r, PLANE)
        self.region_title = moving(ax_r.set_title("", fontsize=10))
        # beside the plane: what the points are, and how many the network gets right
        right = 0.6 + 0.6 * fh / fw + 0.015
        side = ax_r.get_position()
        fig.text(right, side.y1, "points", fontsize=9, fontweight="bold", va="top")
        fig.text(right, side.y1 - 0.07, "\u25cf training\n\u25cb validation", fontsize=9, va="top",
                 linespacing=1.5)
        fig.text(right, side.y1 - 0.26, "classified right", fontsize=9, fontweight="bold", va="top")
        self.accuracy_text = moving(fig.text(right, side.y1 - 0.33, "", fontsize=9, va="top",
                                             linespacing=1.5))

        self._grid = data.grid(REGION_RES, PLANE)
        self._shown = None  # the (dataset, width) the background shows

    def draw(self) -> None:
        v = self.values
        run = train_epochs(v["dataset"], v["width"])
        if self._shown != (v["dataset"], v["width"]):
            self._draw_setting(run)
            self._shown = (v["dataset"], v["width"])
            self.redraw_background()
        k = v["step"]
        epoch = EPOCH_AT[k]
        epochs = np.arange(epoch + 1)
        self.train_curve.set_data(epochs, run.train_loss[:epoch + 1])
        self.val_curve.set_data(epochs, run.val_loss[:epoch + 1])
        self.now_line.set_xdata([epoch, epoch])
        self.now_dots.set_data([epoch, epoch], [run.train_loss[epoch], run.val_loss[epoch]])
        text, colour = PHASES[run.phase(epoch)]
        self.phase_text.set_text(f"epoch {epoch}: {text}")
        self.phase_text.set_color(colour)

        p = run.probability(k, self._grid)
        self.region.set_data(p.reshape(REGION_RES, REGION_RES))
        acc_train = np.mean((run.probability(k, run.x) > 0.5) == (run.y == 1))
        acc_val = np.mean((run.probability(k, run.x_val) > 0.5) == (run.y_val == 1))
        self.region_title.set_text(f"P(blue) after {epoch} epochs")
        self.accuracy_text.set_text(f"training {100 * acc_train:.0f}%\n"
                                    f"validation {100 * acc_val:.0f}%")

    def _draw_setting(self, run: EpochRun) -> None:
        """The parts that change only with the data set or the network: the background."""
        epochs = np.arange(EPOCHS + 1)
        self.train_faint.set_data(epochs, run.train_loss)
        self.val_faint.set_data(epochs, run.val_loss)
        best = run.best_epoch
        self.best_line.set_xdata([best, best])
        self.best_dot.set_data([best], [run.val_loss[best]])
        late = best > 0.6 * EPOCHS  # then the label goes on the line's left
        self.best_text.set_position((best - 8 if late else best + 8, 1.0))
        self.best_text.set_horizontalalignment("right" if late else "left")
        self.best_text.set_text(f"lowest validation loss: epoch {best}")
        top = max(float(run.val_loss.max()), float(run.train_loss.max()))
        self.ax_loss.set_ylim(0, 1.08 * top)
        sizes = "-".join(map(str, run.sizes))
        self.info.set_text(f"a {sizes} network ({ACTIVATION}) on {N_TRAIN} noisy points of "
                           f"{_EPOCH_DATASET_NAMES[self.values['dataset']]}, full-batch Adam "
                           f"(lr {EPOCH_LR}); validation: {N_VAL} new points")
        self.train_points.set_offsets(run.x)
        self.train_points.set_facecolor(_class_colours(run.y))
        self.val_points.set_offsets(run.x_val)
        self.val_points.set_edgecolor(_class_colours(run.y_val))



# ======================================================================================
# Batch size: full batch, mini-batches, one example at a time
# ======================================================================================

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


@dataclass(frozen=True, eq=False)
class BatchRun:
    """``LINE_EPOCHS`` epochs of SGD with one batch size and learning rate.

    ``path[j]`` (shape (2,)) is ``(w, b)`` after ``j`` updates (``path[0]`` is
    ``START``); an epoch is ``updates`` updates, so epoch ``e`` ends at
    ``path[e * updates]``. ``loss[j]`` is the full-data loss at ``path[j]``.
    ``orders[e]`` is the shuffled order of the examples in epoch ``e + 1``;
    ``orders[LINE_EPOCHS]`` is the order the next epoch would use.
    """

    batch_size: int
    lr: float
    updates: int
    path: np.ndarray  # (LINE_EPOCHS * updates + 1, 2)
    loss: np.ndarray  # (LINE_EPOCHS * updates + 1,)
    orders: np.ndarray  # (LINE_EPOCHS + 1, N_LINE)

    def at(self, epoch: int) -> np.ndarray:
        """``(w, b)`` after ``epoch`` epochs."""
        return self.path[epoch * self.updates]

    def batches(self, epoch: int) -> list[np.ndarray]:
        """The index arrays of the mini-batches of epoch ``epoch + 1``, in order."""
        order = self.orders[epoch]
        return [order[s:s + self.batch_size] for s in range(0, N_LINE, self.batch_size)]

    def batch_gradients(self, epoch: int) -> np.ndarray:
        """The gradient of each mini-batch of epoch ``epoch + 1``, all taken at the weights
        after ``epoch`` epochs: shape (updates, 2), rows ``(dL/dw, dL/db)``."""
        x, y = line_data()
        w, b = self.at(epoch)
        return np.array([line_gradient(w, b, x[i], y[i]) for i in self.batches(epoch)])


@lru_cache(maxsize=64)
def train_line(batch_size: int, lr: float, epochs: int = LINE_EPOCHS) -> BatchRun:
    """Fit ``nn.Linear(1, 1)`` to the line data with ``nn.MSELoss`` and ``optim.SGD(lr)``,
    starting at ``START``, in shuffled mini-batches of ``batch_size`` (the shuffle is
    seeded), and record ``(w, b)`` after every update.

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
    loss_fn = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    gen = np.random.default_rng(SHUFFLE_SEED)
    path = [START]
    orders = []
    for _ in range(epochs):
        order = gen.permutation(N_LINE)
        orders.append(order)
        for start in range(0, N_LINE, batch_size):
            idx = order[start:start + batch_size]
            loss_fn(model(x[idx]), y[idx])  # forward pass and loss
            optimizer.zero_grad()
            model.backward(loss_fn.backward())  # fills weight.grad and bias.grad
            optimizer.step()
            path.append((float(model.weight.data[0, 0]), float(model.bias.data[0])))
    orders.append(gen.permutation(N_LINE))  # the order of the epoch that would come next
    path = np.array(path)
    return BatchRun(batch_size, lr, updates, path, line_loss(path[:, 0], path[:, 1]), np.array(orders))


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
                                    va="top", ha="left", color=style.ORANGE, linespacing=1.4)
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
        self._shown = None

    def draw(self) -> None:
        v = self.values
        run = train_line(v["batch_size"], v["lr"])
        if self._shown != v["batch_size"]:
            n = run.updates
            self.loss_title.set_text(f"loss on all {N_LINE} points\n"
                                     f"{n} update{'s' if n > 1 else ''} per epoch "
                                     f"= ceil({N_LINE} / {v['batch_size']})")
            self.batch_legend.set_text(f"\n\u25cf each batch of {v['batch_size']}"
                                       if n > 1 else "\n\u25cf the one batch")
            self._shown = v["batch_size"]
            self.redraw_background()
        epoch = v["step"]
        last = epoch * run.updates
        self.path.set_data(run.path[:last + 1, 0], run.path[:last + 1, 1])
        self.point.set_data([run.path[last, 0]], [run.path[last, 1]])
        self.loss_curve.set_data(np.arange(last + 1) / run.updates, run.loss[:last + 1])
        self.loss_dot.set_data([epoch], [run.loss[last]])

        x, y = line_data()
        w, b = run.path[last]
        full = line_gradient(w, b, x, y)
        grads = run.batch_gradients(epoch)
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
                             f"loss {run.loss[last]:.3f}")

    def storyboard(self):
        # the same 20 passes over the data, with 1, 8 and 64 updates per pass
        lr = self.param("lr").default
        for batch, every in ((64, 2), (8, 1), (1, 1)):
            for epoch in range(0, LINE_EPOCHS + 1, every):
                changes = {"batch_size": batch, "lr": lr, "step": epoch}
                yield changes, 2000 if epoch == LINE_EPOCHS else 160 * every
