"""Why convolution: a CNN and an MLP of about the same size, tested on shifted digits.

:class:`ShiftedDigitsScene` moves every held-out digit ``dx`` pixels right and ``dy``
pixels down (blank pixels come in) and asks both trained networks of
:mod:`course_utils.digits` about them: the 8-filter CNN (1,898 weights and biases) and a
64-28-10 MLP (2,110). Left: one shifted digit and what each network says. Middle and
right: each network's accuracy on all 400 held-out digits for every shift from -2 to 2
pixels in both directions; the current shift is boxed.

Both were trained on digits in their usual place. The MLP learned "ink at pixel 27"; a
shift puts the ink at other pixels, so it has to guess. The CNN's filters look for the
same small pattern everywhere, and max pooling forgives a pixel or so, so it loses less;
but neither is immune: an 8 x 8 digit moved by 2 pixels has lost a quarter of its width.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.patches import Rectangle

from .. import digits, style
from ..scene import Param, Scene

MAX_SHIFT = 2
SHIFTS = np.arange(-MAX_SHIFT, MAX_SHIFT + 1)
NETWORKS = (("cnn", 8, "CNN, 8 filters"), ("mlp", 28, "MLP, 28 hidden"))
_ACCURACY_CMAP = style.ACTIVITY.resampled(10)


@lru_cache(maxsize=4)
def shift_accuracy(kind: str, size: int) -> np.ndarray:
    """Accuracy of the trained network on the held-out digits shifted by ``(dx, dy)``:
    shape (5, 5), row ``dy + 2``, column ``dx + 2``."""
    run = digits.train(kind, size)
    model = run.at(-1)
    x_test, y_test = digits.split()[2:]
    out = np.empty((len(SHIFTS), len(SHIFTS)))
    with np.errstate(under="ignore"):
        for i, dy in enumerate(SHIFTS):
            for j, dx in enumerate(SHIFTS):
                out[i, j] = np.mean(model(digits.shift(x_test, int(dx), int(dy))).argmax(axis=1) == y_test)
    out.setflags(write=False)
    return out


class ShiftedDigitsScene(Scene):
    """One shifted digit and both networks' guesses; each network's accuracy per shift."""

    params = (
        Param("dx", 1, -MAX_SHIFT, MAX_SHIFT, 1, integer=True, label="shift right"),
        Param("dy", 0, -MAX_SHIFT, MAX_SHIFT, 1, integer=True, label="shift down"),
        Param("digit", 3, options=tuple((f"a {d}", d) for d in range(10)), label="held-out digit"),
    )
    size = (10.0, 3.6)

    def build(self) -> None:
        fig, moving = self.fig, self.moving
        side = 0.56
        square = side * 3.6 / 10.0
        ax = self.ax_digit = fig.add_axes([0.02, 0.12, square, side])
        self.image = moving(ax.imshow(np.zeros((8, 8)), cmap=style.INK, vmin=0, vmax=1))
        style.picture_axes(ax, border=style.GREY)  # the whole 8 x 8 frame: edge pixels fall off
        self.digit_title = moving(ax.set_title("", fontsize=10))
        self.guesses = moving(fig.text(0.02 + square + 0.015, 0.5, "", fontsize=10, va="center",
                                       linespacing=1.6))
        self.header = moving(fig.text(0.012, 0.93, "", fontsize=11, fontweight="bold", va="center"))
        self.boxes = []
        for n, (kind, size, name) in enumerate(NETWORKS):
            ax = fig.add_axes([0.5 + n * 0.26, 0.12, square, side])
            acc = shift_accuracy(kind, size)
            ax.imshow(acc, cmap=_ACCURACY_CMAP, vmin=0, vmax=1, origin="upper",
                      extent=(-2.5, 2.5, 2.5, -2.5))
            for i, dy in enumerate(SHIFTS):
                for j, dx in enumerate(SHIFTS):
                    ax.text(dx, dy, f"{100 * acc[i, j]:.0f}", ha="center", va="center", fontsize=8,
                            color="white" if acc[i, j] > 0.6 else style.BLACK)
            ax.set_xticks(SHIFTS)
            ax.set_yticks(SHIFTS)
            ax.set_xlabel("shift right (pixels)", labelpad=1)
            if n == 0:
                ax.set_ylabel("shift down", labelpad=0)
            ax.set_title(f"{name}: % right", fontsize=10)
            self.boxes.append(moving(ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, lw=2.5,
                                                            ec=style.VERMILLION))))

    def draw(self) -> None:
        v = self.values
        dx, dy = v["dx"], v["dy"]
        x_test, y_test = digits.split()[2:]
        index = int(np.flatnonzero(y_test == v["digit"])[0])
        moved = digits.shift(x_test[index:index + 1], dx, dy)
        self.image.set_data(moved[0, 0])
        self.digit_title.set_text(f"a {v['digit']}, moved ({dx}, {dy})")
        lines = []
        for kind, size, name in NETWORKS:
            with np.errstate(under="ignore"):
                guess = int(digits.train(kind, size).at(-1)(moved).argmax())
            lines.append(f"{name}: {guess} {'(right)' if guess == v['digit'] else '(wrong)'}")
        self.guesses.set_text("\n".join(lines))
        for box in self.boxes:
            box.set_bounds(dx - 0.5, dy - 0.5, 1, 1)
        cnn, mlp = (shift_accuracy(k, s)[dy + MAX_SHIFT, dx + MAX_SHIFT] for k, s, _ in NETWORKS)
        self.header.set_text(f"all 400 held-out digits moved by ({dx}, {dy}): "
                             f"the CNN gets {100 * cnn:.0f}% right, the MLP {100 * mlp:.0f}%")
