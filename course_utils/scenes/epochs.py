"""How long to train: underfitting, a good fit, overfitting.

:class:`EpochsScene` trains a small network on a few noisy points and watches a
separate validation set while it learns. Left: the training and validation loss over
the epochs. Right: the network's predicted probability over the plane at the chosen
epoch. Early on both losses fall (underfitting); then the validation loss reaches its
lowest point (a good fit); after that the network keeps learning the noise of its
training points, so the training loss still falls while the validation loss rises
(overfitting). Stopping near the lowest validation loss is "early stopping".

Each setting is trained once and recorded (:mod:`course_utils.runs`); ``step`` replays
the recorded snapshots.
"""

from __future__ import annotations

import numpy as np

from .. import data, models, nn, runs, style
from ..nn import optim
from ..nn.functional import sigmoid
from ..scene import Param, Scene

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
EPOCH_AT = runs.schedule(EPOCHS, SNAPSHOTS)
#: The validation loss counts as "near its lowest" within this fraction of the way
#: it came down from the start (epoch 0) to its lowest point.
NEAR = 0.1
PLANE = 2.8  # the decision region is drawn over [-PLANE, PLANE]^2
REGION_RES = 71

PHASES = {
    "under": ("underfitting: both losses are still falling", style.BLUE),
    "good": ("good fit: the validation loss is near its lowest", style.GREEN),
    "over": ("overfitting: the validation loss rises while the training loss keeps falling",
             style.VERMILLION),
}


def best_epoch(run: runs.Run) -> int:
    """The epoch of the lowest validation loss (the first, if it ties)."""
    return int(np.argmin(run.curves["val_loss"]))


def best_snapshot(run: runs.Run) -> int:
    """The snapshot taken nearest the lowest validation loss (the earlier, if two tie)."""
    return int(np.argmin(np.abs(np.array(EPOCH_AT) - best_epoch(run))))


def phase(run: runs.Run, epoch: int) -> str:
    """``"under"``, ``"good"`` or ``"over"``: where training stands after ``epoch`` epochs.

    With ``v`` the validation loss and ``e*`` the epoch of its minimum: "good" when
    ``v[epoch] <= v[e*] + NEAR * (v[0] - v[e*])``; otherwise "under" before ``e*``
    and "over" after it.
    """
    v, best = run.curves["val_loss"], best_epoch(run)
    if v[epoch] <= v[best] + NEAR * max(v[0] - v[best], 0.0):
        return "good"
    return "under" if epoch < best else "over"


def probability(run: runs.Run, snapshot: int, points: np.ndarray) -> np.ndarray:
    """P(class 1) at ``points`` (shape (n, 2)) with the weights of ``snapshot``: shape (n,)."""
    with np.errstate(under="ignore"):  # exp of a very negative logit rounds to 0: harmless
        return sigmoid(run.at(snapshot)(points)[:, 0])


@runs.cache
def train_epochs(dataset: str, width: int) -> runs.Run:
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
    model = models.mlp(models.layer_sizes(HIDDEN_LAYERS, width), ACTIVATION, rng=INIT_SEED)
    return runs.record(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=EPOCH_LR),
                       x, y[:, None].astype(float), epochs=EPOCHS, at=EPOCH_AT,
                       validation_data=(x_val, y_val[:, None].astype(float)))


class EpochsScene(Scene):
    """Training and validation loss over the epochs, and the decision region at one epoch.

    Parameters: ``dataset`` (two moons, circle or XOR, 30 noisy training points),
    ``width`` (neurons in each of the two hidden layers) and ``step``: the snapshot
    shown, 0 to ``SNAPSHOTS``, taken after ``EPOCH_AT[step]`` epochs.
    """

    params = (
        Param("dataset", "circle", options=EPOCH_DATASETS, label="data set"),
        Param("width", 32, options=WIDTHS, label="hidden neurons"),
        Param("step", SNAPSHOTS, 0, SNAPSHOTS, 1, integer=True, label="snapshot"),
    )
    size = (10.0, 3.9)
    gif_name = "epochs"
    gif_one_palette = True  # the shaded region and anti-aliased text: thousands of colours
    background_params = ("dataset", "width")

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
        self.region = moving(ax_r.imshow(np.zeros((REGION_RES, REGION_RES)), cmap=style.REGION,
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

    def draw(self) -> None:
        v = self.values
        run = self.run
        train_loss, val_loss = run.curves["train_loss"], run.curves["val_loss"]
        k = v["step"]
        epoch = EPOCH_AT[k]
        epochs = np.arange(epoch + 1)
        self.train_curve.set_data(epochs, train_loss[:epoch + 1])
        self.val_curve.set_data(epochs, val_loss[:epoch + 1])
        self.now_line.set_xdata([epoch, epoch])
        self.now_dots.set_data([epoch, epoch], [train_loss[epoch], val_loss[epoch]])
        text, colour = PHASES[phase(run, epoch)]
        self.phase_text.set_text(f"snapshot {self.values['step']} of {SNAPSHOTS}, epoch {epoch}: {text}")
        self.phase_text.set_color(colour)

        self.region.set_data(probability(run, k, self._grid).reshape(REGION_RES, REGION_RES))
        acc_train = run.curve_at("train_accuracy", k)
        acc_val = run.curve_at("val_accuracy", k)
        self.region_title.set_text(f"P(blue) after {epoch} epochs")
        self.accuracy_text.set_text(f"training {100 * acc_train:.0f}%\n"
                                    f"validation {100 * acc_val:.0f}%")

    def draw_background(self) -> None:
        """The parts that change only with the data set or the network."""
        run = self.run = train_epochs(self.values["dataset"], self.values["width"])
        train_loss, val_loss = run.curves["train_loss"], run.curves["val_loss"]
        epochs = np.arange(EPOCHS + 1)
        self.train_faint.set_data(epochs, train_loss)
        self.val_faint.set_data(epochs, val_loss)
        best = best_epoch(run)
        self.best_line.set_xdata([best, best])
        self.best_dot.set_data([best], [val_loss[best]])
        late = best > 0.6 * EPOCHS  # then the label goes on the line's left
        self.best_text.set_position((best - 8 if late else best + 8, 1.0))
        self.best_text.set_horizontalalignment("right" if late else "left")
        self.best_text.set_text(f"lowest validation loss: epoch {best}")
        top = max(float(val_loss.max()), float(train_loss.max()))
        self.ax_loss.set_ylim(0, 1.08 * top)
        sizes = "-".join(map(str, models.layer_sizes(HIDDEN_LAYERS, self.values["width"])))
        self.info.set_text(f"a {sizes} network ({ACTIVATION}) on {N_TRAIN} noisy points of "
                           f"{_EPOCH_DATASET_NAMES[self.values['dataset']]}, full-batch Adam "
                           f"(lr {EPOCH_LR}); validation: {N_VAL} new points")
        x, y, x_val, y_val = (run.data[k] for k in ("x", "y", "x_val", "y_val"))
        self.train_points.set_offsets(x)
        self.train_points.set_facecolor(style.class_colours(y[:, 0]))
        self.val_points.set_offsets(x_val)
        self.val_points.set_edgecolor(style.class_colours(y_val[:, 0]))

    def storyboard(self):
        # the setting the notebook talks about (the defaults), snapshot by snapshot: the
        # region goes from too simple to right to twisted, and the curves grow; it pauses
        # at the start, at the snapshot nearest the lowest validation loss, and at the end
        dataset, width = self.param("dataset").default, self.param("width").default
        best = best_snapshot(train_epochs(dataset, width))
        for k in range(SNAPSHOTS + 1):
            hold = 1500 if k == 0 else 2200 if k == best else 2500 if k == SNAPSHOTS else 180
            yield {"dataset": dataset, "width": width, "step": k}, hold
