"""Every fix of the overfitting problem on one chart.

:class:`RegularizersScene` draws the validation loss over the epochs of the chapter's
too-big network (:mod:`course_utils.overfitting`) trained five ways: as it is, with an L2
penalty, with dropout, with early stopping, and with jittered copies of its training
points. The technique picked is drawn bold, with its decision region at the end and the
numbers of every technique beside it. Early stopping's curve ends where it stopped; the
dot on it is the model it keeps (the best epoch's weights, restored).
"""

from __future__ import annotations

import functools

import numpy as np

from .. import data, overfitting, style
from ..scene import Param, Scene
from .epochs import probability

#: name -> (label, short name, the keyword arguments of overfitting.train, colour)
TECHNIQUES = {
    "none": ("no fix", "no fix", {}, style.BLACK),
    "l2": ("L2 penalty, \u03bb = 0.03", "L2 penalty", {"penalty": "l2", "strength": 0.03}, style.BLUE),
    "dropout": ("dropout, p = 0.5", "dropout", {"dropout": 0.5}, style.GREEN),
    "early": ("early stopping, patience 20", "early stopping", {"patience": 20}, style.VERMILLION),
    "augment": ("9 jittered copies of each point", "jittered copies", {"augment": 9}, style.PURPLE),
}
PLANE = 2.8
REGION_RES = 61


def run_of(technique: str):
    """The recorded run of ``technique`` (a key of :data:`TECHNIQUES`)."""
    return overfitting.train(**TECHNIQUES[technique][2])


def kept(technique: str) -> tuple[float, float, int]:
    """``(validation loss, validation accuracy, epoch)`` of the model the technique ends
    with: after 1,000 epochs, or for early stopping the restored best epoch."""
    run = run_of(technique)
    epoch = run.moments[-1]
    return float(run.curves["val_loss"][epoch]), float(run.curves["val_accuracy"][epoch]), epoch


@functools.lru_cache(maxsize=None)
def _region(technique: str) -> np.ndarray:
    grid = data.grid(REGION_RES, PLANE)
    return probability(run_of(technique), -1, grid).reshape(REGION_RES, REGION_RES)


class RegularizersScene(Scene):
    """The validation loss of every technique, the picked one bold with its region."""

    params = (Param("technique", "none", options=tuple((t[0], key) for key, t in TECHNIQUES.items()),
                    label="highlight"),)
    size = (11.5, 4.0)

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        fw, fh = fig.get_size_inches()
        ax = self.ax = fig.add_axes([0.06, 0.13, 0.46, 0.72])
        ax.set_xlabel("epoch")
        ax.set_ylabel("validation loss (cross-entropy)")
        ax.set_xlim(0, overfitting.EPOCHS)
        ax.set_ylim(0.3, 1.6)
        ax.set_title("the same too-big network, five ways", fontsize=11)
        self.curves, self.dots = {}, {}
        for key, (label, _, _, colour) in TECHNIQUES.items():
            run = run_of(key)
            v = run.curves["val_loss"]
            self.curves[key] = moving(ax.plot(np.arange(len(v)), v, color=colour, lw=1.2, label=label)[0])
            loss, _, epoch = kept(key)
            self.dots[key] = moving(ax.plot([epoch], [loss], "o", color=colour, ms=5, zorder=4)[0])
        ax.legend(loc="upper left", frameon=False, fontsize=9)

        side = 0.64 * fh / fw
        ax_r = self.ax_region = fig.add_axes([0.585, 0.13, side, 0.64])
        self.region = moving(ax_r.imshow(np.zeros((REGION_RES, REGION_RES)), cmap=style.REGION, origin="lower",
                                         extent=(-PLANE, PLANE, -PLANE, PLANE), vmin=0, vmax=1,
                                         interpolation="nearest"))
        x, y = overfitting.problem()[:2]
        moving(ax_r.scatter(x[:, 0], x[:, 1], s=20, c=style.class_colours(y[:, 0]), edgecolors=style.BLACK,
                            linewidths=0.6, zorder=3))
        style.plane_axes(ax_r, PLANE)
        self.region_title = moving(ax_r.set_title("", fontsize=10))

        left = 0.585 + side + 0.02
        fig.text(left, 0.86, "the model each one keeps", fontsize=9, fontweight="bold", va="top")
        fig.text(left, 0.8, "validation loss, accuracy", fontsize=8, color=style.GREY, va="top")
        self.rows = {}
        for i, (key, (_, short, _, colour)) in enumerate(TECHNIQUES.items()):
            loss, acc, _ = kept(key)
            self.rows[key] = moving(fig.text(left, 0.7 - 0.1 * i, f"{short}\n{loss:.2f}, {100 * acc:.0f}%",
                                             fontsize=9, va="top", color=colour if colour != style.PURPLE else "#A0527F",
                                             linespacing=1.3))

    def draw(self) -> None:
        picked = self.values["technique"]
        for key, line in self.curves.items():
            line.set_linewidth(2.6 if key == picked else 1.0)
            line.set_alpha(1.0 if key == picked else 0.45)
            self.dots[key].set_alpha(1.0 if key == picked else 0.45)
            self.rows[key].set_fontweight("bold" if key == picked else "normal")
        self.region.set_data(_region(picked))
        loss, acc, epoch = kept(picked)
        self.region_title.set_text(f"{TECHNIQUES[picked][1]}, the model of epoch {epoch:,}")
