"""The playground's side panels (:class:`course_utils.scenes.playground.PlaygroundScene`):
the training and test loss after every epoch, and under it the confusion matrix of the
test points, or, for regression, each test point's output against its target."""

from __future__ import annotations

import numpy as np

from .. import playground as pg, style
from ..stamps import stamped

__all__ = ["SidePanels"]

#: The loss axis (log scale): a good fit's hinge or Huber loss goes far down.
LOSS_RANGE = (1e-4, 10)
#: The regression panel's range, for targets in [-1, 1].
FIT_RANGE = 1.3


class SidePanels:
    """The two panels, in the figure's column from ``x0``, ``width`` wide; ``moving``
    marks the artists that change (:meth:`course_utils.scene.Scene.moving`)."""

    def __init__(self, fig, moving, x0: float, width: float):
        self.ax_loss = ax = fig.add_axes([x0, 0.55, width, 0.27])
        ax.set_yscale("log")
        ax.set_ylim(*LOSS_RANGE)
        ax.tick_params(labelsize=8)
        ax.set_xlabel("epoch", fontsize=8.5, labelpad=1)
        self.train_curve = moving(ax.plot([], [], color=style.BLACK, lw=1.1, label="training")[0])
        self.test_curve = moving(ax.plot([], [], color=style.GREY, lw=1.1, ls="--", label="test")[0])
        self.now = moving(ax.axvline(0, color=style.BLACK, lw=0.6))
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False,
                  ncol=2, borderaxespad=0.1, handlelength=1.6)
        fig.text(x0, 0.84, "loss", fontsize=9, va="bottom")
        self.ax_conf = ax = fig.add_axes([x0 + 0.035, 0.08, width - 0.035, 0.29])
        self.conf = moving(ax.imshow(np.zeros((2, 2)), cmap=style.ACTIVITY, vmin=0, vmax=1,
                                     interpolation="nearest"))
        self.conf_texts = [moving(stamped(ax, 0, 0, "", ha="center", va="center", fontsize=8))
                           for _ in range(36)]
        self.scatter_fit = moving(ax.plot([], [], "o", ms=2, color=style.BLUE)[0])
        r = FIT_RANGE
        self.perfect_fit = ax.plot([-r, r], [-r, r], ls=":", lw=1, color=style.GREY)[0]
        self.conf_title = fig.text(x0, 0.4, "", fontsize=9, va="bottom")
        self.classes = 2

    def layout(self, kind: str, classes: int, epochs: int) -> None:
        """The static part, for a run of ``kind`` with ``classes`` classes and ``epochs``."""
        self.ax_loss.set_xlim(0, epochs)
        ax, self.classes = self.ax_conf, classes
        if kind == "regression":
            ax.set_xlim(-FIT_RANGE, FIT_RANGE)
            ax.set_ylim(-FIT_RANGE, FIT_RANGE)
            ax.set_xticks([-1, 0, 1])
            ax.set_yticks([-1, 0, 1])
            ax.set_xlabel("target", fontsize=8.5, labelpad=1)
            ax.set_ylabel("output", fontsize=8.5, labelpad=1)
            self.conf_title.set_text("output against target\n(test points; dotted: perfect)")
        else:
            self.conf.set_extent((-0.5, classes - 0.5, classes - 0.5, -0.5))
            ax.set_xlim(-0.5, classes - 0.5)
            ax.set_ylim(classes - 0.5, -0.5)
            ax.set_xticks(range(classes))
            ax.set_yticks(range(classes))
            ax.set_xlabel("predicted class", fontsize=8.5, labelpad=1)
            ax.set_ylabel("true class", fontsize=8.5, labelpad=1)
            self.conf_title.set_text("confusion matrix\n(test points)")
        self.perfect_fit.set_visible(kind == "regression")
        ax.tick_params(labelsize=8)

    def draw(self, run, kind: str) -> None:
        """The curves up to the epoch ``run`` is at, and its test points' panel."""
        k = run.at
        records = np.array(run.records[:k], dtype=float).reshape(-1, 4)
        epochs = np.arange(1, k + 1)
        self.train_curve.set_data(epochs, np.clip(records[:, 0], *LOSS_RANGE))
        self.test_curve.set_data(epochs, np.clip(records[:, 1], *LOSS_RANGE))
        self.now.set_xdata([k, k])
        trainer = run.trainer
        with np.errstate(all="ignore"):
            out = pg.scores(trainer.setting, kind, trainer.predict(trainer.test_x))
        self.scatter_fit.set_visible(kind == "regression")
        self.conf.set_visible(kind != "regression")
        for t in self.conf_texts:
            t.set_visible(False)
        if kind == "regression":
            outputs = np.clip(np.nan_to_num(out.reshape(-1)), -FIT_RANGE, FIT_RANGE)
            self.scatter_fit.set_data(run.test[1], outputs)
            return
        classes = self.classes
        predicted = pg.predictions(kind, out)
        counts = np.zeros((classes, classes), int)
        np.add.at(counts, (run.test[1], predicted), 1)
        rows = np.maximum(counts.sum(axis=1, keepdims=True), 1)
        self.conf.set_data(counts / rows)
        for (i, j), text in zip(np.ndindex(classes, classes), self.conf_texts):
            text.set_position((j, i))
            text.set_text(str(counts[i, j]))
            text.set_color("white" if counts[i, j] / rows[i, 0] > 0.6 else style.BLACK)
            text.set_visible(True)
