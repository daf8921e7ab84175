"""A small convolutional network learns the handwritten digits; every layer shows what it sees.

:class:`CNNScene` replays a recorded training run of :func:`course_utils.digits.cnn`
(LeCun et al.'s LeNet in miniature) on the 8 x 8 digits. From left to right: a held-out
digit; the first layer's filters (3 x 3 each: blue weights add, vermillion ones subtract)
and the feature maps they make of the digit (after ReLU: blue where a filter's pattern is
found); the second layer's feature maps; the output probabilities; and how many of the
400 held-out digits the network still gets wrong, with some of them.

Parameters: ``filters`` (filters in the first layer; the second has twice as many),
``digit`` (a held-out digit, one of each class) and ``step`` (the snapshot of the run:
0 is the untrained network, ``STEPS`` the end of training). Changing ``filters`` trains a
new network the first time (1-5 s); after that everything is replayed.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import digits, runs, style
from ..nn.functional import softmax
from ..scene import Param, Scene

FILTER_CHOICES = (4, 8, 16)
STEPS = len(digits.SNAPSHOT_AT) - 1
WRONG_SHOWN = 8  # wrong digits shown at most (2 rows of 4)
UPDATES_PER_EPOCH = digits.UPDATES // digits.EPOCHS


@lru_cache(maxsize=1)
def shown_digits() -> tuple[int, ...]:
    """Index (into the held-out digits) of the first held-out 0, 1, ..., 9."""
    y_test = digits.split()[3]
    return tuple(int(np.flatnonzero(y_test == d)[0]) for d in range(10))


@lru_cache(maxsize=256)
def test_probabilities(run: runs.Run, k: int) -> np.ndarray:
    """The network's probabilities for every held-out digit at snapshot ``k``: (400, 10)."""
    x_test = digits.split()[2]
    with np.errstate(under="ignore"):
        p = softmax(run.at(k)(x_test), dim=1)
    p.setflags(write=False)
    return p


class CNNScene(Scene):
    """What a trained (or training) CNN sees in one digit, layer by layer."""

    params = (
        Param("filters", 8, options=FILTER_CHOICES, label="filters"),
        Param("digit", 3, options=tuple((f"a {d}", d) for d in range(10)), label="held-out digit"),
        Param("step", STEPS, 0, STEPS, 1, integer=True, label="snapshot"),
    )
    size = (11.5, 4.6)
    gif_name = "cnn_training"
    background_params = ("filters", "digit")

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        self.header = moving(fig.text(0.012, 0.94, "", fontsize=11, fontweight="bold", va="center"))
        square = 4.6 / 11.5  # width of a square axes, per unit of height

        ax = self.ax_input = fig.add_axes([0.012, 0.34, 0.3 * square, 0.3])
        self.input_image = ax.imshow(np.zeros((8, 8)), cmap=style.INK, vmin=0, vmax=1)
        style.picture_axes(ax)
        self.input_title = ax.set_title("", fontsize=10)
        self.verdict = moving(fig.text(0.012 + 0.15 * square, 0.26, "", fontsize=10, ha="center", va="top"))

        self.ax_filters = fig.add_axes([0.17, 0.58, 0.26, 0.24])
        self.ax_maps1 = fig.add_axes([0.17, 0.08, 0.26, 0.4])
        self.ax_maps2 = fig.add_axes([0.46, 0.08, 0.2, 0.74])
        self.mosaics = {}
        for name, ax, cmap in (("filters", self.ax_filters, style.DIVERGING.with_extremes(bad=style.LIGHT)),
                               ("maps1", self.ax_maps1, style.ACTIVITY), ("maps2", self.ax_maps2, style.ACTIVITY)):
            self.mosaics[name] = moving(ax.imshow(np.zeros((1, 1)), cmap=cmap, interpolation="nearest"))
            style.picture_axes(ax)
        self.titles = {name: ax.set_title("", fontsize=10) for name, ax in
                       (("filters", self.ax_filters), ("maps1", self.ax_maps1), ("maps2", self.ax_maps2))}

        ax = self.ax_probs = fig.add_axes([0.69, 0.08, 0.11, 0.74])
        self.bars = moving(*ax.barh(np.arange(10), np.zeros(10), color=style.GREY))
        ax.set_xlim(0, 1)
        ax.set_ylim(9.6, -0.6)
        ax.set_yticks(range(10))
        ax.set_xticks([0, 0.5, 1], labels=["0", "0.5", "1"])
        ax.set_title("output: P(digit)", fontsize=10)

        ax = self.ax_curve = fig.add_axes([0.85, 0.6, 0.135, 0.22])
        self.curve = ax.plot([], [], color=style.GREY, lw=1.5)[0]
        self.curve_dot = moving(ax.plot([], [], "o", color=style.BLUE, ms=6)[0])
        ax.set_xlim(0, digits.EPOCHS)
        ax.set_ylim(0, 1)
        ax.set_yticks([0, 0.5, 1], labels=["0", "50%", "100%"])
        ax.set_xticks([0, digits.EPOCHS // 2, digits.EPOCHS])
        ax.set_xlabel("epoch", labelpad=1)
        ax.set_title("held-out accuracy", fontsize=10)

        ax = self.ax_wrong = fig.add_axes([0.835, 0.08, 0.16, 0.3])
        self.wrong = moving(ax.imshow(np.zeros((20, 44)), cmap=style.INK.with_extremes(bad="white"),
                                      vmin=0, vmax=1, interpolation="nearest"))
        style.picture_axes(ax)
        self.wrong_title = moving(ax.set_title("", fontsize=10))
        # under each wrong digit: its label, then the network's guess
        self.wrong_labels = [moving(ax.text(c * 12 + 3.5, r * 12 + 7.9, "", fontsize=8, ha="center", va="top"))
                             for r in range(2) for c in range(4)]

    def draw_background(self) -> None:
        v = self.values
        self.run = digits.train("cnn", v["filters"])
        f = v["filters"]
        self.columns = {"filters": 4 if f <= 8 else 8, "maps1": 4, "maps2": 4}
        x_test, y_test = digits.split()[2:]
        self.index = shown_digits()[v["digit"]]
        self.x = x_test[self.index]
        self.input_image.set_data(self.x[0])
        self.input_title.set_text(f"held-out digit\n(a {int(y_test[self.index])})")
        self.titles["filters"].set_text(f"layer 1: its {f} filters (3 \u00d7 3)")
        self.titles["maps1"].set_text(f"what they find: {f} maps of 8 \u00d7 8")
        self.titles["maps2"].set_text(f"layer 2: {2 * f} maps of 4 \u00d7 4")
        # the shape of every mosaic is fixed by the number of filters: set it once
        shapes = {"filters": (f, 3, 3), "maps1": (f, 8, 8), "maps2": (2 * f, 4, 4)}
        for name, shape in shapes.items():
            tiles = style.mosaic(np.zeros(shape), self.columns[name])
            image = self.mosaics[name]
            image.set_data(tiles)
            h, w = tiles.shape
            image.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
            image.axes.set_xlim(-0.5, w - 0.5)
            image.axes.set_ylim(h - 0.5, -0.5)
        epochs = np.arange(len(self.run.curves["val_accuracy"]))
        self.curve.set_data(epochs, self.run.curves["val_accuracy"])

    def draw(self) -> None:
        v = self.values
        k, run = v["step"], self.run
        model = run.at(k)
        with np.errstate(under="ignore"):
            outs = runs.layer_outputs(model, self.x[None])
        weights = model[0].weight.data[:, 0]  # (f, 3, 3)
        top = max(float(np.abs(weights).max()), 1e-6)
        self._show("filters", weights, (-top, top))
        for name, out in (("maps1", outs[1][0]), ("maps2", outs[4][0])):  # after each ReLU
            self._show(name, out, (0.0, max(float(out.max()), 1e-6)))

        probs = test_probabilities(run, k)
        p = probs[self.index]
        guess = int(np.argmax(p))
        truth = int(digits.split()[3][self.index])
        for d, bar in enumerate(self.bars):
            bar.set_width(p[d])
            bar.set_color(style.BLUE if d == truth else (style.VERMILLION if d == guess else style.GREY))
        self.verdict.set_text(f"the network says {guess}\n({100 * p[guess]:.0f}% sure)")
        self.verdict.set_color(style.BLACK if guess == truth else style.VERMILLION)

        y_test = digits.split()[3]
        guesses = probs.argmax(axis=1)
        wrong = np.flatnonzero(guesses != y_test)
        accuracy = 1 - len(wrong) / len(y_test)
        shown = wrong[:WRONG_SHOWN]
        tiles = np.full((WRONG_SHOWN, 8, 8), np.nan)
        tiles[:len(shown)] = digits.split()[2][shown, 0]
        self.wrong.set_data(style.mosaic(tiles, 4, gap=4))
        self.wrong_title.set_text(f"still wrong: {len(wrong)} of {len(y_test)}\n(a digit \u2192 the guess)")
        for j, label in enumerate(self.wrong_labels):
            label.set_text(f"{y_test[shown[j]]}\u2192{guesses[shown[j]]}" if j < len(shown) else "")
        update = digits.SNAPSHOT_AT[k]
        self.curve_dot.set_data([update / UPDATES_PER_EPOCH], [accuracy])
        self.header.set_text(f"{v['filters']} filters, snapshot {k} of {STEPS}: after {update} updates "
                             f"({update / UPDATES_PER_EPOCH:.1f} of {digits.EPOCHS} epochs): "
                             f"{100 * accuracy:.1f}% of the held-out digits right")

    def _show(self, name: str, tiles: np.ndarray, limits: tuple[float, float]) -> None:
        image = self.mosaics[name]
        image.set_data(style.mosaic(tiles, self.columns[name]))
        image.set_clim(*limits)

    def storyboard(self):
        # the filters and maps of 8 filters forming over training, for one digit
        for k in (0, 1, 2, 3, 4, 6, 8, 10, 13, 16, 20, 25, STEPS):
            yield dict(filters=8, digit=3, step=k), 2400 if k == STEPS else (1200 if k == 0 else 500)
